"""`report totals --by force` (the national role) over 5,000,000 items in five forces on one
PostgreSQL, against the same command over an almost empty database (target: at most 2x).

Both databases are set up alike through the tool's services (five forces, their stations and
staff, a national member, one surrender logged); the big one then gets 250,000 surrenders of
20 items each (claims, item lines and 5,000,000 item rows, spread over the ten stations)
from set-based INSERT ... SELECT statements, foreign-key triggers off while loading, then
VACUUM ANALYZE (what autovacuum does to a real database). Each command is a whole `surrender`
process, the two run in turn round after round.

Needs PostgreSQL: SURRENDER_BENCH_POSTGRES_URL or SURRENDER_TEST_POSTGRES_URL.
Run: python benchmarks/bench_report_by_force.py [RUNS] [SURRENDERS]
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import ExitStack

os.environ.setdefault("SURRENDER_TESTS_ONLY_WEAK_PIN_HASH", "1")  # cheap PIN checks, alike in both databases

from bench_forces_logging import DESK_PIN, FORCES, KNIFE, NATIONAL_PIN, as_member, set_up
from common import fresh_database, interleaved_medians, report, server_url, surrender_exe

from surrender import db

ITEMS_EACH = 20
STATIONS = [(force, code) for force, codes in FORCES.items() for code in codes]

# Every bulk row is shaped like the one logged through the tool (the template: surrender 1).
FILL = [
    """INSERT INTO surrender (id, reference, station_code, campaign_code, number, surrendered_at, surrendered_on,
           recorded_at, staff_id, anonymous, declared, item_count, force_code)
       SELECT t.id + g, st.code || '-Z24-' || lpad((1000 + g / :stations)::text, 6, '0') || '-X', st.code,
              t.campaign_code, 1000 + g / :stations, t.surrendered_at - (g % 40) * interval '1 day',
              t.surrendered_on - (g % 40), t.recorded_at, t.staff_id, false, true, :each, st.force
       FROM surrender t, generate_series(1, :count) AS g
       JOIN (SELECT row_number() OVER (ORDER BY code) - 1 AS slot, code, force FROM bench_station) st
         ON st.slot = g % :stations
       WHERE t.id = 1""",
    """INSERT INTO claim (surrender_id, status, claimed_pence, payable_pence, reasons, flags, flagged, force_code)
       SELECT s.id, CASE WHEN s.id % 3 = 0 THEN 'approved' ELSE 'pending' END, :each * 1000, :each * 1000,
              '[]', '[]', false, s.force_code
       FROM surrender s WHERE s.id > 1""",
    """INSERT INTO item_line (surrender_id, number, first_line, rows, kind, description, blade_length_mm, features,
           quantity_each, evidence, seal, eligible, reasons, unit_claimed_pence, unit_compensation_pence, quantity,
           claimed_pence, compensation_pence, force_code)
       SELECT s.id, n, 1 + (n - 1) * (:each / 2), :each / 2, l.kind, l.description, l.blade_length_mm, l.features,
              1, l.evidence, l.seal, true, l.reasons, 1000, 1000, :each / 2, :each / 2 * 1000, :each / 2 * 1000,
              s.force_code
       FROM surrender s, (SELECT * FROM item_line WHERE surrender_id = 1 LIMIT 1) l, generate_series(1, 2) AS n
       WHERE s.id > 1""",
    """INSERT INTO item (surrender_id, line, line_number, force_code)
       SELECT s.id, n, 1 + (n > :each / 2)::int, s.force_code
       FROM surrender s, generate_series(1, :each) AS n WHERE s.id > 1""",
]


def prepared(url: str) -> None:
    """The forces, their staff, and one surrender logged through the tool (registers the campaign)."""
    from surrender.rules.items import item_from_spec
    from surrender.services.intake import LogRequest
    from surrender.services.surrenders import log_surrender

    set_up(url, shared=False)
    desk = as_member(url, "200", "CAMBS", DESK_PIN, "TW")
    log_surrender(desk, LogRequest(items=[item_from_spec(KNIFE)], anonymous=True))
    db.dispose(url)


def fill(url: str, surrenders: int) -> int:
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    values = {"count": surrenders, "each": ITEMS_EACH, "stations": len(STATIONS)}
    with psycopg.connect(plain, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")  # bulk load: no per-row FK triggers
            conn.execute("CREATE TEMP TABLE bench_station (code text, force text)")
            for force, code in STATIONS:
                conn.execute("INSERT INTO bench_station VALUES (%s, %s)", (code, force))
            for statement in FILL:
                for name, value in values.items():  # whole numbers of our own, written into the SQL
                    statement = statement.replace(f":{name}", str(int(value)))
                conn.execute(statement)
            conn.execute("SELECT setval(pg_get_serial_sequence('surrender', 'id'), (SELECT max(id) FROM surrender))")
            conn.execute("SELECT setval(pg_get_serial_sequence('claim', 'id'), (SELECT max(id) FROM claim))")
        conn.execute("VACUUM ANALYZE")
        (items,) = conn.execute("SELECT count(*) FROM item").fetchone()
    return int(items)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    surrenders = int(sys.argv[2]) if len(sys.argv) > 2 else 250_000
    server, exe = server_url(), surrender_exe()
    with ExitStack() as stack:
        small = stack.enter_context(fresh_database(server, "bench_small"))
        large = stack.enter_context(fresh_database(server, "bench_large"))
        prepared(small)
        prepared(large)
        began = time.perf_counter()
        items = fill(large, surrenders)
        built = time.perf_counter() - began
        print(f"built {items:,} item rows ({surrenders:,} surrenders, {len(FORCES)} forces) in {built:.0f} s")
        command = ["--staff", "9", "report", "totals", "--by", "force", "--format", "json"]
        env = {"SURRENDER_PIN": NATIONAL_PIN, "SURRENDER_TESTS_ONLY_WEAK_PIN_HASH": "1"}
        rows = interleaved_medians(runs, [
            (f"report totals --by force, {items:,} items", [exe, "--db", large, *command], env),
            ("report totals --by force, near-empty db", [exe, "--db", small, *command], env),
        ])
        ok = report(f"National figures by force over a big database, median of {runs}", rows, rows[0][0],
                    rows[1][0], 2.0, True)
        for url in (small, large):
            db.dispose(url)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
