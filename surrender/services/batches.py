"""Past payment batches: when, who, how much, and what has been paid and is outstanding."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Connection, Row

from surrender.services.auth import perform
from surrender.services.context import Context
from surrender.store.batches import summaries
from surrender.store.staff import scope_of


@dataclass(frozen=True)
class BatchSummary:
    """One export batch and how much of it is paid; the CLI formats it."""

    batch: int
    exported_at: dt.datetime
    staff: str  # number
    staff_name: str
    claims: int
    total_pence: int
    paid_claims: int
    paid_pence: int
    format: str
    sha256: str
    filename: str

    @property
    def outstanding_claims(self) -> int:
        return self.claims - self.paid_claims

    @property
    def outstanding_pence(self) -> int:
        return self.total_pence - self.paid_pence


def list_batches(ctx: Context) -> list[BatchSummary]:
    """Every export batch with what has been paid and what is outstanding, aggregated in SQL."""

    def work(conn: Connection, reader: Row) -> list[BatchSummary]:
        return [
            BatchSummary(
                batch=r.batch_number,
                exported_at=r.created_at,
                staff=r.number,
                staff_name=r.name,
                claims=r.claim_count,
                total_pence=r.total_pence,
                paid_claims=int(r.paid_count),
                paid_pence=int(r.paid_pence),
                format=r.format,
                sha256=r.sha256,
                filename=r.filename,
            )
            for r in conn.execute(summaries(scope_of(conn, reader)))
        ]

    return perform(ctx, "claims.batches", work, write=False)
