"""SIGKILL at random points of `log` and `claims paid`: nothing confirmed is lost, nothing is
half-written, numbers stay gapless, and the audit trail still matches the records.

Each trial forks a child from this already-imported test process (so a trial costs a fork, not
a Python start-up), lets it run a real service call, and kills it after a random delay drawn
over the call's measured duration. A child reports "confirmed" on a pipe only after the
service call returned, i.e. after the commit a user would have been shown.
SURRENDER_CRASH_TRIALS raises the count for a long run (the CI default is bounded).
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select

from surrender import db
from surrender.models import Claim, Item, ItemLine, Surrender
from surrender.rules.claimant import make_claimant
from surrender.services.audit_log import verify
from surrender.services.claims import approve_claim
from surrender.services.export import export_claims
from surrender.services.payments import mark_paid
from surrender.services.surrenders import LogRequest, log_surrender
from tests.conftest import as_staff

TRIALS = int(os.environ.get("SURRENDER_CRASH_TRIALS", "0")) or None
ROWS_PER_LOG = 400


def forked(url: str, action: Callable[[], str], kill_after: float | None) -> str | None:
    """Run `action` in a child process; SIGKILL it after `kill_after` seconds (None: let it
    finish). Returns what the child confirmed, or None if it died first."""
    db.dispose(url)  # no pooled connection may cross the fork
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one real service call, then report it
        os.close(read_end)
        code = 1
        try:
            db.get_engine.cache_clear()
            os.write(write_end, (action() + "\n").encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    if kill_after is not None:
        deadline = time.monotonic() + kill_after
        while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG) == (0, 0):
            time.sleep(0.001)  # scheduling the kill, not timing anything we assert on
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    with os.fdopen(read_end, "rb") as pipe:
        said = pipe.read().decode().strip()
    return said or None


def measured(url: str, action: Callable[[], str]) -> float:
    start = time.monotonic()
    assert forked(url, action, None) is not None
    return time.monotonic() - start


def audit_problem(ctx) -> str | None:
    """`surrender audit verify`: the chain, and every record against what its events say."""
    return verify(as_staff(ctx, "5001")).problem


def claimant():
    return make_claimant("Jo Bloggs", "1 Road", "CB1 1JG", sort_code="12-34-56", account_number="12345678")


def test_killing_log_at_random_points_loses_nothing_confirmed(ctx, backend):
    from surrender.rules.items import item_from_spec

    trials = TRIALS or (60 if backend == "sqlite" else 20)
    rows = [item_from_spec("zombie-knife:10in:plain:point:serrated=3in")] * (ROWS_PER_LOG - 1) \
        + [item_from_spec("zombie-machete:45cm:plain:point:holes=3")]

    def log_one() -> str:
        request = LogRequest(items=rows, claimant=claimant(), declared=True)
        return log_surrender(ctx, request).reference

    duration = measured(ctx.url, log_one)
    confirmed = []
    rng = random.Random(7)
    for _ in range(trials):
        said = forked(ctx.url, log_one, rng.uniform(0, duration * 1.3))
        if said:
            confirmed.append(said)

    def stored(session):
        surrenders = session.execute(select(Surrender.reference, Surrender.number, Surrender.item_count,
                                            Surrender.id)).all()
        items = dict(session.execute(select(Item.surrender_id, func.count()).group_by(Item.surrender_id)).all())
        quantities = dict(session.execute(select(ItemLine.surrender_id, func.sum(ItemLine.quantity))
                                          .group_by(ItemLine.surrender_id)).all())
        claims = set(session.execute(select(Claim.surrender_id)).scalars())
        return surrenders, items, quantities, claims

    surrenders, items, quantities, claims = db.run(ctx.url, stored, write=False)
    references = {s.reference for s in surrenders}
    assert set(confirmed) <= references, "a reference shown to the officer is missing"
    assert sorted(s.number for s in surrenders) == list(range(1, len(surrenders) + 1)), "a gap in numbers"
    for s in surrenders:  # every stored surrender is whole: all its rows, totals and its claim
        assert items[s.id] == ROWS_PER_LOG and quantities[s.id] == s.item_count == ROWS_PER_LOG
        assert s.id in claims
    assert audit_problem(ctx) is None
    assert 0 < len(confirmed) < trials, "the kills should land both before and after commits"
    print(f"log: {trials} SIGKILLs aimed, {trials - len(confirmed)} landed before the commit, "
          f"{len(surrenders)} surrenders whole, none lost")


def test_killing_claims_paid_at_random_points_pays_each_file_all_or_nothing(ctx, backend, tmp_path):
    from surrender.rules.items import item_from_spec

    trials = TRIALS or (40 if backend == "sqlite" else 15)
    per_file = 3
    finance = as_staff(ctx, "4001")
    knives = [item_from_spec("zombie-knife:10in:plain:point:serrated=3in:qty=3")]
    references = []
    for _ in range(per_file * (trials + 1)):
        reference = log_surrender(ctx, LogRequest(items=knives, claimant=claimant(), declared=True)).reference
        approve_claim(finance, reference)
        references.append(reference)
    export_claims(finance, tmp_path / "batch.csv")
    files: list[tuple[Path, list[str]]] = []
    for n in range(trials + 1):
        chunk = references[n * per_file:(n + 1) * per_file]
        path = tmp_path / f"remit-{n}.csv"
        path.write_text("reference,amount\n" + "".join(f"{r},30.00\n" for r in chunk))
        files.append((path, chunk))

    def pay(path: Path) -> Callable[[], str]:
        return lambda: str(mark_paid(finance, path).count)

    duration = measured(ctx.url, pay(files[0][0]))
    rng = random.Random(11)
    confirmed = {0}
    for n in range(1, trials + 1):
        if forked(ctx.url, pay(files[n][0]), rng.uniform(0, duration * 1.3)):
            confirmed.add(n)

    status = dict(db.run(ctx.url, lambda s: s.execute(
        select(Surrender.reference, Claim.status).join(Claim, Claim.surrender_id == Surrender.id)).all(),
        write=False))
    for n, (_, chunk) in enumerate(files):
        paid = {status[r] == "paid" for r in chunk}
        assert len(paid) == 1, f"remittance {n} was half applied"
        if n in confirmed:
            assert paid == {True}, f"remittance {n} was confirmed but is not paid"
    assert audit_problem(ctx) is None
    print(f"claims paid: {trials} SIGKILLs aimed, {trials + 1 - len(confirmed)} landed before the commit, "
          "every remittance all or nothing")
