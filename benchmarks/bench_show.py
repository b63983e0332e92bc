"""`surrender show REF` cold, against `python -c "import sqlmodel"` (target: at most 1.25x).

A desk officer (SURRENDER_PIN set) shows one surrender in a SQLite database made in setup.
Every database command checks the acting member's PIN with argon2id, a deliberate cost of
~20-35 ms (more in a fresh process, which first touches its 19 MiB); for information the same
command is also timed against a copy of the database whose PINs were hashed with the
test-only cheap parameters, which shows what the rest of the start-up costs. Only the first
ratio is the target.

The three commands take turns, round after round, so a busy machine weighs on each alike.

Run: python benchmarks/bench_show.py [RUNS]
"""

import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import interleaved_medians, report, run_timed, surrender_exe

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
work = Path(tempfile.mkdtemp(prefix="surrender-bench-show-"))


def desk_db(name: str, extra_env: dict) -> tuple[dict, str]:
    """A database with an admin, a desk officer at TW and one surrender; the env to act as the officer."""
    exe, path = surrender_exe(), work / name
    env = {"SURRENDER_DATABASE_URL": f"sqlite:///{path}", "SURRENDER_RECEIPTS_DIR": str(work / "receipts"),
           **extra_env}
    for args, pin in ((["db", "upgrade"], None),
                      (["staff", "add", "1", "--name", "Admin", "--role", "admin", "--pin", "111111"], None),
                      (["--staff", "1", "staff", "add", "2041", "--name", "PC Desk", "--role", "desk",
                        "--station", "TW", "--pin", "204141"], "111111")):
        run_timed([exe, *args], env={**env, **({"SURRENDER_PIN": pin} if pin else {})})
    desk = {**env, "SURRENDER_STAFF": "2041", "SURRENDER_PIN": "204141"}
    out = subprocess.run([exe, "log", "--at", "2024-09-03 10:00", "--name", "Jane Smith", "--address", "1 High St",
                          "--postcode", "CB1 1JG", "--declare", "--item", "zombie-knife:10in:plain:point:serrated=3in",
                          "--format", "json"], env={**os.environ, **desk}, capture_output=True, text=True, check=True)
    return desk, json.loads(out.stdout)["reference"]


def with_cheap_hash(name: str) -> tuple[dict, str]:
    """desk_db, then the officer's hash replaced by a cheap argon2id one made here (as the tests
    seed theirs: the tool itself has no switch for it; argon2 verifies at the hash's own cost)."""
    import sqlite3

    from argon2 import PasswordHasher

    desk, reference = desk_db(name, {})
    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash("204141")
    with sqlite3.connect(work / name) as conn:
        conn.execute("UPDATE staff SET pin_hash = ? WHERE number = '2041'", (cheap,))
    conn.close()
    return desk, reference


def argon2_check_ms() -> float:
    """One PIN check with the real parameters, in this process (median of 5)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from surrender.services.pins import hash_pin, verify_pin

    stored = hash_pin("204141")
    times = []
    for _ in range(5):
        started = time.perf_counter()
        verify_pin("204141", stored)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


# Bytecode for the package, as a wheel install has: with PYTHONDONTWRITEBYTECODE set an
# editable install would otherwise compile every module from source on every run.
compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "surrender"), quiet=1)
desk, ref = desk_db("desk.db", {})
desk_weak, ref_weak = with_cheap_hash("desk-weak.db")
show = [surrender_exe(), "show", ref]
sqlmodel = [sys.executable, "-c", "import sqlmodel"]
rows = interleaved_medians(runs, [
    ("surrender show REF", show, desk),
    ('python -c "import sqlmodel"', sqlmodel, None),
    ("surrender show REF (cheap test PIN hash, info)", [surrender_exe(), "show", ref_weak], desk_weak),
])
ok = report(f"show start-up, median of {runs}", rows, "surrender show REF", 'python -c "import sqlmodel"', 1.25,
            True)
times = dict(rows)
print(f"  for information: with the cheap test PIN hash the ratio is "
      f"{times[rows[2][0]] / times[rows[1][0]]:.2f}; one argon2id PIN check here: {argon2_check_ms():.1f} ms")
sys.exit(0 if ok else 1)
