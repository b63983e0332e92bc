"""5 forces x 4 terminals logging at once on one PostgreSQL (issue 15 point 7): afterwards no
surrender is lost, no station's numbers have a gap, and every force's audit chain verifies;
prints logs per second with a chain per force against one shared chain, in the same run.

Each terminal is a process of its own (its own connections) logging as its desk officer. The
shared chain is emulated in the benchmark's database only (not an option users have): a trigger
makes every audit append also lock and update one row of `audit_head`, which is what every
append did when there was one chain for everything. The modes alternate, each on a fresh
database built the same way. PIN hashing is made cheap (SURRENDER_TESTS_ONLY_WEAK_PIN_HASH) so
the database, not argon2 on 2 cores, is what is measured.

Needs PostgreSQL: SURRENDER_BENCH_POSTGRES_URL or SURRENDER_TEST_POSTGRES_URL (a server URL
whose user may create databases), e.g. postgresql+psycopg://root@/postgres?host=/var/run/postgresql

Run: python benchmarks/bench_forces_logging.py [ROUNDS] [LOGS_PER_TERMINAL]
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import statistics
import sys
import time
import zlib
from dataclasses import replace

os.environ.setdefault("SURRENDER_TESTS_ONLY_WEAK_PIN_HASH", "1")

from common import fresh_database, server_url

from surrender import db
from surrender.migrate import upgrade
from surrender.rules.claimant import make_claimant
from surrender.rules.items import item_from_spec
from surrender.services.context import Context
from surrender.services.intake import LogRequest

FORCES = {  # force: its two stations (station codes are unique in a database)
    "CAMBS": ("TW", "PK"),
    "BEDS": ("LU", "BD"),
    "HERTS": ("SA", "WG"),
    "ESSEX": ("CH", "CO"),
    "NORF": ("NR", "KL"),
}
TERMINALS = 4  # per force: two at each station
WHEN = dt.datetime(2024, 9, 10, 13, 0, tzinfo=dt.UTC)  # inside zombie-2024's window
KNIFE = "zombie-knife:10in:plain:point:serrated=3in"
ADMIN_PIN, DESK_PIN, NATIONAL_PIN = "111111", "222222", "999999"

SHARED_HEAD = """
CREATE FUNCTION bench_one_shared_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET last_hash = last_hash WHERE force_code IS NULL;  -- one row every append waits for
    RETURN NEW;
END $$;
CREATE TRIGGER bench_one_shared_head BEFORE INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION bench_one_shared_head();
"""


def as_member(url: str, number: str, force: str | None, pin: str, station: str | None = None) -> Context:
    return Context(url=url, staff=number, force=force, pin=pin, station=station, now=lambda: WHEN)


def set_up(url: str, shared: bool) -> None:
    """Five forces, each with two stations, an admin and four desk officers; a national member."""
    from sqlalchemy import text

    from surrender.services.forces import add_force, add_station
    from surrender.services.staff import add_staff

    upgrade(url)
    first = as_member(url, "1", "CAMBS", ADMIN_PIN)
    add_staff(first, "1", "Admin", "admin", None, ADMIN_PIN, force="CAMBS")
    add_staff(first, "9", "National", "national", None, NATIONAL_PIN)
    for force, stations in FORCES.items():
        if force != "CAMBS":
            add_force(first, force, f"{force} Police")
            add_staff(first, "1", "Admin", "admin", None, ADMIN_PIN, force=force)
        admin = as_member(url, "1", force, ADMIN_PIN)
        for code in stations:
            if force != "CAMBS":  # TW and PK come with the schema
                add_station(admin, code, f"{code} Police Station", code)
        for terminal in range(TERMINALS):
            add_staff(admin, f"20{terminal}", f"PC {terminal}", "desk", stations[terminal % 2], DESK_PIN)
    if shared:
        db.run(url, lambda conn: conn.execute(text(SHARED_HEAD)))
    db.dispose(url)


def terminal(url: str, force: str, number: str, station: str, logs: int, ready, out) -> None:
    """One desk terminal: `logs` surrenders logged one after another, as its officer."""
    from surrender.services.surrenders import log_surrender

    ctx = as_member(url, number, force, DESK_PIN, station)
    references = []
    ready.wait()  # every terminal started and the clock with them
    for index in range(logs):
        person = make_claimant(f"Claimant {force} {number} {index}", f"{index} High Street", "CB1 1JG",
                               sort_code="12-34-56", account_number=f"{zlib.crc32(f'{force}{number}{index}'.encode()) % 10**8:08d}",
                               account_name="Claimant")
        request = LogRequest(items=[item_from_spec(f"{KNIFE}:qty=2")], claimant=person, declared=True)
        references.append(log_surrender(replace(ctx), request).reference)
    out.put((force, references, time.perf_counter()))


def run(url: str, logs: int) -> tuple[float, dict[str, list[str]]]:
    """All terminals at once; the logs per second from the start signal to the last commit."""
    context = mp.get_context("fork")
    count = len(FORCES) * TERMINALS
    ready, out = context.Barrier(count + 1), context.Queue()
    workers = [
        context.Process(target=terminal, args=(url, force, f"20{t}", stations[t % 2], logs, ready, out))
        for force, stations in FORCES.items()
        for t in range(TERMINALS)
    ]
    for worker in workers:
        worker.start()
    ready.wait()
    began = time.perf_counter()
    results = [out.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode:
            sys.exit(f"a terminal failed (exit {worker.exitcode})")
    ended = max(finished for _, _, finished in results)
    logged: dict[str, list[str]] = {}
    for force, references, _ in results:
        logged.setdefault(force, []).extend(references)
    return len(workers) * logs / (ended - began), logged


def check(url: str, logged: dict[str, list[str]]) -> None:
    """No loss, no gap in any station's numbers, every chain intact (checked as each force)."""
    from sqlalchemy import text

    from surrender.services.audit_log import verify, verify_chains

    stored = db.run(url, lambda c: c.execute(text("SELECT reference, station_code, number FROM surrender")).all(),
                    write=False)
    present = {r.reference for r in stored}
    lost = [ref for refs in logged.values() for ref in refs if ref not in present]
    if lost:
        sys.exit(f"LOST {len(lost)} logged surrenders, e.g. {lost[:3]}")
    by_station: dict[str, list[int]] = {}
    for row in stored:
        by_station.setdefault(row.station_code, []).append(row.number)
    for station, numbers in by_station.items():
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            sys.exit(f"GAP in station {station}'s numbers")
    for force in FORCES:
        report = verify(as_member(url, "1", force, ADMIN_PIN))
        if report.problem:
            sys.exit(f"{force}'s chain does not verify: {report.problem}")
    problems = [r for r in verify_chains(as_member(url, "9", None, NATIONAL_PIN)) if r.problem]
    if problems:
        sys.exit(f"national check: {problems[0].problem}")


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    logs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    server = server_url()
    rates: dict[str, list[float]] = {"chain per force": [], "one shared chain": []}
    for round_ in range(rounds):
        for mode in ("chain per force", "one shared chain") if round_ % 2 == 0 else ("one shared chain", "chain per force"):
            with fresh_database(server, "bench_forces") as url:
                set_up(url, shared=mode == "one shared chain")
                rate, logged = run(url, logs)
                check(url, logged)
                db.dispose(url)
            rates[mode].append(rate)
            print(f"  round {round_ + 1} {mode:<17} {rate:7.1f} logs/s "
                  f"({len(FORCES)} forces x {TERMINALS} terminals x {logs} logs; no loss, no gap, chains intact)")
    own, shared = (statistics.median(rates[m]) for m in ("chain per force", "one shared chain"))
    print(f"\n{len(FORCES)} forces x {TERMINALS} terminals logging at once on one PostgreSQL, median of {rounds}")
    print(f"  chain per force   {own:7.1f} logs/s")
    print(f"  one shared chain  {shared:7.1f} logs/s")
    print(f"  ratio per-force / shared = {own / shared:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
