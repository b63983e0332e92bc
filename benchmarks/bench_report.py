"""`report totals --by day` over about 1,000,000 items, against the same command on a
near-empty database (target: at most 2x).

Run: python benchmarks/bench_report.py [RUNS]
"""

import datetime as dt
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

from common import median_of, report, run_timed, surrender_exe

SURRENDERS, ROWS_EACH = 50_000, 20  # 1,000,000 item rows
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
work = Path(tempfile.mkdtemp(prefix="surrender-bench-"))
exe = surrender_exe()


def prepared_db(path: Path) -> None:
    """Schema, staff and one real surrender logged through the tool (registers the campaign)."""
    env = {"SURRENDER_DATABASE_URL": f"sqlite:///{path}", "SURRENDER_RECEIPTS_DIR": str(work / "receipts")}
    steps = [(["db", "upgrade"], {}),
             (["staff", "add", "1", "--name", "Admin", "--role", "admin", "--pin", "111111"], {}),
             (["--staff", "1", "staff", "add", "2041", "--name", "PC Desk", "--role", "desk", "--station", "TW",
               "--pin", "204141"], {"SURRENDER_PIN": "111111"}),
             (["--staff", "1", "staff", "add", "5023", "--name", "Manager", "--role", "manager", "--pin", "502323"],
              {"SURRENDER_PIN": "111111"}),
             (["--staff", "2041", "log", "--at", "2024-09-02 10:00", "--anonymous",
               "--item", "zombie-knife:10in:plain:point:serrated=3in"], {"SURRENDER_PIN": "204141"})]
    for args, extra in steps:
        run_timed([exe, *args], env={**env, **extra})


def fill(path: Path) -> int:
    """Bulk rows shaped exactly like logged ones: surrenders, claims, item lines and item rows."""
    rng = random.Random(1)
    con = sqlite3.connect(path)
    line = con.execute("SELECT kind, description, blade_length_mm, features, evidence, seal, reasons "
                       "FROM item_line LIMIT 1").fetchone()
    start = dt.datetime(2024, 8, 26, 9, 0, tzinfo=dt.timezone.utc)
    next_number = {"TW": 2, "PK": 1}
    with con:
        for sid in range(2, SURRENDERS + 2):
            station = rng.choice(["TW", "PK"])
            number = next_number[station]
            next_number[station] += 1
            at = start + dt.timedelta(minutes=rng.randrange(0, 28 * 24 * 60))
            con.execute("INSERT INTO surrender (id, reference, station_code, campaign_code, number, surrendered_at,"
                        " surrendered_on, recorded_at, staff_id, anonymous, declared, item_count) VALUES"
                        " (?, ?, ?, 'zombie-2024', ?, ?, ?, ?, 2, 0, 1, ?)",
                        (sid, f"{station}-Z24-{number:06d}-X", station, number, at.replace(tzinfo=None).isoformat(" "),
                         at.date().isoformat(), at.replace(tzinfo=None).isoformat(" "), ROWS_EACH))
            payable = ROWS_EACH * 1000
            con.execute("INSERT INTO claim (surrender_id, status, claimed_pence, payable_pence, reasons, flags,"
                        " flagged) VALUES (?, 'pending', ?, ?, '[]', '[]', 0)", (sid, payable, payable))
            half = ROWS_EACH // 2
            con.executemany(
                "INSERT INTO item_line (surrender_id, number, first_line, rows, kind, description, blade_length_mm,"
                " features, quantity_each, evidence, seal, eligible, reasons, unit_claimed_pence,"
                " unit_compensation_pence, quantity, claimed_pence, compensation_pence)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 1, ?, 1000, 1000, ?, ?, ?)",
                [(sid, n, 1 + (n - 1) * half, half, *line, half, half * 1000, half * 1000) for n in (1, 2)])
            con.executemany("INSERT INTO item (surrender_id, line, line_number) VALUES (?, ?, ?)",
                            [(sid, n, 1 + (n > ROWS_EACH // 2)) for n in range(1, ROWS_EACH + 1)])
    count = con.execute("SELECT sum(quantity) FROM item_line").fetchone()[0]
    con.close()
    return count


small, large = work / "small.db", work / "large.db"
prepared_db(small)
large.write_bytes(small.read_bytes())
items = fill(large)
command = ["--staff", "5023", "report", "totals", "--by", "day", "--format", "json"]
env = {"SURRENDER_PIN": "502323"}
rows = [
    (f"report totals --by day, {items:,} items", median_of(runs, [exe, "--db", f"sqlite:///{large}", *command], env=env)),
    ("report totals --by day, near-empty db", median_of(runs, [exe, "--db", f"sqlite:///{small}", *command], env=env)),
]
ok = report(f"Report over a big database, median of {runs}", rows, rows[0][0], rows[1][0], 2.0, True)
sys.exit(0 if ok else 1)
