"""The 35,871-row stock claim logged with its receipt, by this install (which also stores the
claim's exhibits) against an install from before custody, taking turns round after round
(target: at most 1.2x). Give the other install's `surrender` script:

Run: python benchmarks/bench_stock_exhibits.py /path/to/before/.venv/bin/surrender [RUNS]

Each install works on a template database it made itself (its own schema), copied fresh for
every run; the CSV is bench_stock_claim.py's wholesaler list.
"""

import csv
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

from common import interleaved_medians, report, run_timed, surrender_exe

if len(sys.argv) < 2:
    sys.exit(__doc__)
before_exe = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
ROWS = 35_871
work = Path(tempfile.mkdtemp(prefix="surrender-bench-"))
stock = work / "stock.csv"


def write_stock_list() -> None:
    """The same 40-product list as bench_stock_claim.py (same seed, same rows)."""
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


def template_for(exe: str, name: str) -> Path:
    template = work / f"{name}-template.db"
    env = {"SURRENDER_DATABASE_URL": f"sqlite:///{template}"}
    for args, extra in ((["db", "upgrade"], {}),
                        (["staff", "add", "1", "--name", "Admin", "--role", "admin", "--pin", "111111"], {}),
                        (["--staff", "1", "staff", "add", "2041", "--name", "PC Desk", "--role", "desk",
                          "--station", "TW", "--pin", "204141"], {"SURRENDER_PIN": "111111"})):
        run_timed([exe, *args], env={**env, **extra})
    return template


def log_command(exe: str, name: str) -> tuple:
    template, target = template_for(exe, name), work / f"{name}.db"

    def setup():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        target.write_bytes(template.read_bytes())

    argv = [exe, "--db", f"sqlite:///{target}", "--staff", "2041", "--receipts-dir", str(work / f"{name}-receipts"),
            "log", "--at", "2024-09-03 10:00", "--name", "Big Blades Wholesale", "--address", "1 Trade Park",
            "--postcode", "PE2 6XX", "--business", "Big Blades Ltd", "--declare", "--items", str(stock),
            "--format", "json"]
    return (f"{name}: log --items (35,871 rows) + receipt", argv, {"SURRENDER_PIN": "204141"}, setup), target


write_stock_list()
after, after_db = log_command(surrender_exe(), "with exhibits")
before, _ = log_command(before_exe, "before custody")
rows = interleaved_medians(runs, [after, before])
con = sqlite3.connect(after_db)
tags, weapons = con.execute("SELECT count(*), sum(quantity) FROM exhibit").fetchone()
con.close()
ok = report(f"Stock claim with and without its exhibits, median of {runs}", rows, rows[0][0], rows[1][0], 1.2, True)
print(f"  exhibits stored by the last run: {tags} tags for {weapons:,} weapons; files in {work}")
sys.exit(0 if ok else 1)
