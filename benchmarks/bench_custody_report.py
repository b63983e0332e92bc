"""`report custody` over 1,000,000 exhibits, against the same command on a near-empty database
(target: at most 2x). The big database is a scheme near its end: 50,000 surrenders of 20 tags
each at both stations, nearly all destroyed, some retained, never received, held in the store
or missing at a stock check (so the exceptions have something to list).

Run: python benchmarks/bench_custody_report.py [RUNS]
"""

import datetime as dt
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

from common import interleaved_medians, report, run_timed, surrender_exe

SURRENDERS, TAGS_EACH = 50_000, 20  # 1,000,000 exhibits
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
work = Path(tempfile.mkdtemp(prefix="surrender-bench-"))
exe = surrender_exe()


def prepared_db(path: Path) -> None:
    """Schema, staff, a store and one real surrender logged and booked in through the tool."""
    env = {"SURRENDER_DATABASE_URL": f"sqlite:///{path}", "SURRENDER_RECEIPTS_DIR": str(work / "receipts")}
    admin = {"SURRENDER_PIN": "111111"}
    steps = [(["db", "upgrade"], {}),
             (["staff", "add", "1", "--name", "Admin", "--role", "admin", "--pin", "111111"], {}),
             (["--staff", "1", "staff", "add", "2041", "--name", "PC Desk", "--role", "desk", "--station", "TW",
               "--pin", "204141"], admin),
             (["--staff", "1", "staff", "add", "5023", "--name", "Manager", "--role", "manager", "--pin", "502323"],
              admin),
             (["--staff", "1", "custody", "location", "add", "TW-STORE", "--name", "Store", "--station", "TW"], admin),
             (["--staff", "1", "custody", "location", "add", "PK-STORE", "--name", "Store", "--station", "PK"], admin),
             (["--staff", "2041", "log", "--at", "2024-09-02 10:00", "--anonymous",
               "--item", "zombie-knife:10in:plain:point:serrated=3in"], {"SURRENDER_PIN": "204141"}),
             (["--staff", "2041", "custody", "move", "TW-Z24-000001-N/1", "--to", "TW-STORE"],
              {"SURRENDER_PIN": "204141"})]
    for args, extra in steps:
        run_timed([exe, *args], env={**env, **extra})


def fill(path: Path) -> int:
    """Bulk rows shaped like logged ones: surrenders, their item line, 20 exhibits each."""
    rng = random.Random(16)
    con = sqlite3.connect(path)
    line = con.execute("SELECT kind, description, blade_length_mm, features, evidence, seal, reasons "
                       "FROM item_line LIMIT 1").fetchone()
    stores = dict(con.execute("SELECT station_code, id FROM location WHERE kind = 'store'").fetchall())
    start = dt.datetime(2024, 8, 26, 9, 0)
    destroyed_at = dt.datetime(2024, 10, 4, 14, 0).isoformat(" ")
    next_number = {"TW": 2, "PK": 1}
    with con:
        for sid in range(2, SURRENDERS + 2):
            station = rng.choice(["TW", "PK"])
            number = next_number[station]
            next_number[station] += 1
            at = (start + dt.timedelta(minutes=rng.randrange(0, 28 * 24 * 60))).isoformat(" ")
            reference = f"{station}-Z24-{number:06d}-X"
            con.execute("INSERT INTO surrender (id, reference, station_code, campaign_code, number, surrendered_at,"
                        " surrendered_on, recorded_at, staff_id, anonymous, declared, item_count) VALUES"
                        " (?, ?, ?, 'zombie-2024', ?, ?, ?, ?, 2, 1, 0, ?)",
                        (sid, reference, station, number, at, at[:10], at, TAGS_EACH))
            con.execute("INSERT INTO item_line (surrender_id, number, first_line, rows, kind, description,"
                        " blade_length_mm, features, quantity_each, evidence, seal, eligible, reasons,"
                        " unit_claimed_pence, unit_compensation_pence, quantity, claimed_pence, compensation_pence)"
                        " VALUES (?, 1, 1, ?, ?, ?, ?, ?, 1, ?, ?, 1, ?, 0, 1000, ?, 0, ?)",
                        (sid, TAGS_EACH, *line, TAGS_EACH, TAGS_EACH * 1000))
            rows = []
            for n in range(1, TAGS_EACH + 1):
                roll = rng.random()
                state, place, since = "destroyed", None, destroyed_at
                if roll < 0.0002:
                    state, place, since = "held", stores[station], at
                elif roll < 0.0003:
                    state, place, since = "missing", stores[station], at
                elif roll < 0.003:
                    state = "retained"
                    place = stores[station]
                elif roll < 0.005:
                    state = "never_received"
                rows.append((f"{reference}/{n}", sid, station, state, place, since))
            con.executemany("INSERT INTO exhibit (tag, surrender_id, line_number, station_code, campaign_code, kind,"
                            " quantity, seal, state, location_id, since) VALUES"
                            " (?, ?, 1, ?, 'zombie-2024', 'zombie-knife', 1, '', ?, ?, ?)", rows)
    count = con.execute("SELECT count(*) FROM exhibit").fetchone()[0]
    con.close()
    return count


small, large = work / "small.db", work / "large.db"
prepared_db(small)
large.write_bytes(small.read_bytes())
exhibits = fill(large)
command = ["--staff", "5023", "report", "custody", "--format", "json"]
env = {"SURRENDER_PIN": "502323"}
rows = interleaved_medians(runs, [
    (f"report custody, {exhibits:,} exhibits", [exe, "--db", f"sqlite:///{large}", *command], env),
    ("report custody, near-empty db", [exe, "--db", f"sqlite:///{small}", *command], env),
])
ok = report(f"Custody report over a big database, median of {runs}", rows, rows[0][0], rows[1][0], 2.0, True)
print(f"  files in {work}")
sys.exit(0 if ok else 1)
