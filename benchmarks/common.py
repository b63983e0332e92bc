"""Helpers for the benchmark scripts: time whole commands, report medians and ratios."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent


def surrender_exe() -> str:
    beside = Path(sys.executable).parent / "surrender"
    exe = str(beside) if beside.exists() else shutil.which("surrender")
    if not exe:
        sys.exit("install surrender first: pip install -e .")
    return exe


def tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} is needed for this benchmark: pip install -e '.[bench]' (or apt-get install sqlite3)")
    return found


def run_timed(cmd: list[str], env: dict | None = None, setup=None, cwd: Path | None = None) -> float:
    """Wall time of one run of `cmd`; `setup()` runs first, untimed."""
    if setup:
        setup()
    started = time.perf_counter()
    result = subprocess.run(cmd, env={**os.environ, **(env or {})}, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {result.stderr.strip()}")
    return elapsed


def median_of(runs: int, cmd: list[str], **kw) -> float:
    run_timed(cmd, **kw)  # warm the file cache and bytecode
    return statistics.median(run_timed(cmd, **kw) for _ in range(runs))


def interleaved_medians(runs: int, commands: list[tuple]) -> list[tuple[str, float]]:
    """Median wall time of each command, run in turn round after round, so a change in the
    machine's load during the run weighs on every command alike (one warm-up round first).
    Each command is (name, argv, env) or (name, argv, env, setup): setup runs untimed before each run."""
    times: dict[str, list[float]] = {command[0]: [] for command in commands}
    for round_ in range(runs + 1):
        for name, cmd, env, *setup in commands:
            elapsed = run_timed(cmd, env=env, setup=setup[0] if setup else None)
            if round_:
                times[name].append(elapsed)
    return [(command[0], statistics.median(times[command[0]])) for command in commands]


def report(title: str, rows: list[tuple[str, float]], ratio_of: str, to: str, target: float, within: bool) -> bool:
    """Print each timing and the ratio against the reference measured in the same run."""
    times = dict(rows)
    print(f"\n{title}")
    for name, seconds in rows:
        print(f"  {name:<48} {seconds * 1000:8.1f} ms")
    ratio = times[ratio_of] / times[to]
    ok = ratio <= target if within else ratio >= target
    print(f"  ratio {ratio_of} / {to} = {ratio:.2f} (target <= {target}) {'OK' if ok else 'NOT MET'}")
    return ok


def server_url() -> str:
    """The PostgreSQL server the database benchmarks make their databases on."""
    url = os.environ.get("SURRENDER_BENCH_POSTGRES_URL") or os.environ.get("SURRENDER_TEST_POSTGRES_URL")
    if not url:
        sys.exit("set SURRENDER_BENCH_POSTGRES_URL (or SURRENDER_TEST_POSTGRES_URL) to a PostgreSQL server URL, e.g. "
                 "postgresql+psycopg://root@/postgres?host=/var/run/postgresql")
    return url


@contextmanager
def fresh_database(server: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on `server` (its URL), dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(server)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    plain = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        from surrender import db

        db.dispose(admin.set(database=name).render_as_string(hide_password=False))
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
