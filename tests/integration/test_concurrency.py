"""Many terminals logging at once: no lost write, no repeated reference, no gap in numbers."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from sqlalchemy import select

from surrender import db
from surrender.models import Surrender
from surrender.services.audit import verify_chain
from tests.conftest import PINS

TERMINALS = 8  # 4 at each station, each a separate process
SURRENDERS_EACH = 6

WORKER = textwrap.dedent("""
    import datetime as dt, sys
    from zoneinfo import ZoneInfo
    from surrender.rules.claimant import make_claimant
    from surrender.rules.items import item_from_spec
    from surrender.services.context import Context
    from surrender.services.surrenders import LogRequest, log_surrender

    url, staff, pin, station, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    now = dt.datetime(2024, 9, 10, 14, 0, tzinfo=ZoneInfo("Europe/London"))
    ctx = Context(url=url, staff=staff, pin=pin, station=station, now=lambda: now)
    knife = item_from_spec("zombie-knife:10in:plain:point:serrated=3in")
    for n in range(count):
        request = LogRequest(items=[knife] * 3, claimant=make_claimant("Jo Bloggs", "1 Road", "CB1 1JG"),
                             declared=True)
        print(log_surrender(ctx, request).reference, flush=True)
""")


def test_parallel_terminals_at_both_stations_lose_nothing_and_number_without_gaps(db_url):
    terminals = [("2001", "TW"), ("3001", "PK")] * (TERMINALS // 2)
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, db_url, staff, PINS[staff], station,
                                   str(SURRENDERS_EACH)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for staff, station in terminals]
    printed: list[str] = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        printed += out.split()

    stored = db.run(db_url, lambda s: s.execute(
        select(Surrender.reference, Surrender.station_code, Surrender.number)).all(), write=False)
    assert len(printed) == TERMINALS * SURRENDERS_EACH == len(stored)
    assert sorted(printed) == sorted(r.reference for r in stored)  # every confirmed reference is stored
    assert len(set(printed)) == len(printed)  # none repeated
    for station in ("TW", "PK"):
        numbers = sorted(r.number for r in stored if r.station_code == station)
        assert numbers == list(range(1, len(numbers) + 1))  # no gaps
    report = db.run(db_url, lambda conn: verify_chain(conn, "CAMBS"), write=False)
    assert report.problem is None and report.events >= len(stored)
