"""A force's scheme return (issue 15 point 6): the figures the national scheme asks each force
for, read in one transaction with the audit anchor they stand at. All aggregation is SQL
(`store.reports`), with `report totals`' meaning: void surrenders left out, a rejected or
not-payable claim adds nothing to payable. No personal data, no claim detail."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from surrender.rules.returns import Figures, SchemeReturn, StationFigures, Weapons
from surrender.services.audit import anchor_line
from surrender.services.auth import perform
from surrender.services.campaigns import campaign_for
from surrender.services.context import Context
from surrender.store import reports
from surrender.store.forces import find_force
from surrender.store.reports import Period
from surrender.store.staff import scope_of


def scheme_return(ctx: Context) -> SchemeReturn:
    """The acting admin's or manager's force's return for the context's campaign (its whole
    window), made now."""

    def work(conn: Connection, staff: Row[Any]) -> SchemeReturn:
        campaign = campaign_for(conn, ctx, staff, store=False)
        scope = scope_of(conn, staff)
        period = Period(campaign=campaign.code)
        dialect = conn.dialect.name
        row = conn.execute(reports.return_query(scope, period)).one()
        total = Figures(
            surrenders=int(row.surrenders),
            items=int(row.items),
            with_claim=int(row.claims),
            without_claim=int(row.surrenders) - int(row.claims),
            anonymous=int(row.anonymous),
            claimed=int(row.claimed),
            payable=int(row.payable),
            retail_claims=int(row.retail_claims),
            retail_claimed=int(row.retail_claimed),
            retail_payable=int(row.retail_payable),
        )
        stations = tuple(
            StationFigures(r.station, int(r.surrenders), int(r.items), int(r.claims), int(r.claimed), int(r.payable))
            for r in conn.execute(reports.totals_query(scope, period, ["station"], dialect))
        )
        weapons = tuple(
            Weapons(r.station, r.kind, int(r.items))
            for r in conn.execute(reports.totals_query(scope, period, ["station", "kind"], dialect))
        )
        force = find_force(conn, staff.force_code)
        return SchemeReturn(
            force=staff.force_code,
            force_name=force.name if force is not None else staff.force_code,
            campaign=campaign.code,
            campaign_name=campaign.name,
            period_from=campaign.opens,
            period_to=campaign.closes,
            made_at=ctx.now().replace(microsecond=0),  # the files carry whole seconds
            anchor=anchor_line(conn, staff.force_code),
            total=total,
            stations=stations,
            weapons=weapons,
        )

    return perform(ctx, "report.return", work, write=False)
