"""A 35,871-row stock claim logged with its receipt, against `sqlite-utils insert` of the same
CSV into a fresh database (target: at most 0.35x), with sqlite3's own `.import` as the floor.
The three commands take turns, round after round, so a busy machine weighs on each alike.

Run: pip install -e '.[bench]' && python benchmarks/bench_stock_claim.py [RUNS]
"""

import csv
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from common import interleaved_medians, report, run_timed, surrender_exe, tool

ROWS = 35_871
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
work = Path(tempfile.mkdtemp(prefix="surrender-bench-"))
stock = work / "stock.csv"


def write_stock_list() -> None:
    """A wholesaler's list: 40 products, one row per blade, as a stock system would export it."""
    rng = random.Random(35871)
    products = []
    for n in range(40):
        kind = rng.choice(["zombie-knife", "zombie-machete"])
        blade = rng.choice(["9in", "10in", "11.5in", "25cm", "30cm", "45cm", "8in"])
        serrated = rng.choice(["3in", "", "1.5in"])
        products.append([kind, f"SKU-{n:03d} {kind.replace('-', ' ')}", blade, "yes", "yes", serrated,
                         rng.choice(["", "3"]), rng.choice(["12.99", "24.50", ""])])
    with open(stock, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "description", "blade_length", "plain_edge", "sharp_point", "serrated_length",
                         "holes", "claimed_value", "evidence"])
        for _ in range(ROWS):
            product = rng.choice(products)
            writer.writerow([*product, "invoice" if product[-1] else ""])


def fresh_surrender_db() -> Path:
    exe = surrender_exe()
    template = work / "template.db"
    env = {"SURRENDER_DATABASE_URL": f"sqlite:///{template}"}
    for args, extra in ((["db", "upgrade"], {}),
                        (["staff", "add", "1", "--name", "Admin", "--role", "admin", "--pin", "111111"], {}),
                        (["--staff", "1", "staff", "add", "2041", "--name", "PC Desk", "--role", "desk",
                          "--station", "TW", "--pin", "204141"], {"SURRENDER_PIN": "111111"})):
        run_timed([exe, *args], env={**env, **extra})
    return template


write_stock_list()
template = fresh_surrender_db()
target_db = work / "desk.db"
log = [surrender_exe(), "--db", f"sqlite:///{target_db}", "--staff", "2041", "--receipts-dir", str(work / "receipts"),
       "log", "--at", "2024-09-03 10:00", "--name", "Big Blades Wholesale", "--address", "1 Trade Park",
       "--postcode", "PE2 6XX", "--business", "Big Blades Ltd", "--declare", "--items", str(stock), "--format", "json"]


def reset(path: Path, copy_from: Path | None = None):
    def setup():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if copy_from:
            path.write_bytes(copy_from.read_bytes())
    return setup


fresh = work / "fresh.db"
rows = interleaved_medians(runs, [
    ("surrender log --items (35,871 rows) + receipt", log, {"SURRENDER_PIN": "204141"}, reset(target_db, template)),
    ("sqlite-utils insert --csv (fresh db)", [tool("sqlite-utils"), "insert", str(fresh), "items", str(stock), "--csv"],
     None, reset(fresh)),
    ("sqlite3 .import --csv (floor)", [tool("sqlite3"), str(fresh), f".import --csv {stock} items"], None, reset(fresh)),
])
subprocess.run(log, capture_output=True)  # leave one logged claim to look at
ok = report(f"Big stock claim, median of {runs}", rows, "surrender log --items (35,871 rows) + receipt",
            "sqlite-utils insert --csv (fresh db)", 0.35, True)
print(f"  floor ratio sqlite3 / sqlite-utils = {rows[2][1] / rows[1][1]:.2f}; files in {work}")
sys.exit(0 if ok else 1)
