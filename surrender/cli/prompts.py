"""Guided prompts for the counter: claimant, declaration, each item's features, then a preview.

Only the features the campaign's legal definitions test are asked about, so an officer is
never asked something irrelevant to the scheme.
"""

from __future__ import annotations

import datetime as dt

import typer

from surrender.campaigns import resolve
from surrender.cli.output import console, say, styled
from surrender.cli.render import render_claim_notes
from surrender.errors import Refused
from surrender.rules.campaign import Campaign
from surrender.rules.compensation import Assessor, assess_item
from surrender.rules.items import EVIDENCE, Item, item_from_fields
from surrender.rules.money import format_gbp

_QUESTIONS = {
    "plain_edge": "Plain cutting edge (sword: primary straight edge)?",
    "sharp_point": "Sharp pointed end?",
    "serrated_length": "Length of serrated edge (0 if none)",
    "serrated_at_handle": "Is the serrated edge next to the handle?",
    "holes": "Number of holes in the blade",
    "spikes": "Spikes?",
    "points": "Number of sharp points in the blade",
    "secondary_edge": "Secondary straight cutting edge?",
    "blunt_spine": "Blunt spine?",
    "point_style": "Point style (tanto, reverse-tanto, other)",
}

_YES_NO = {"plain_edge", "sharp_point", "serrated_at_handle", "spikes", "secondary_edge", "blunt_spine"}


def features_tested(campaign: Campaign, kind: str) -> list[str]:
    definition = campaign.kind(kind).definition
    seen: list[str] = []
    for test in (*definition.all, *definition.any):
        for term in test.terms:
            if term.feature not in seen and term.feature != "blade_length":
                seen.append(term.feature)
    return seen


def _ask(text: str, default=None, **kw):
    return typer.prompt(text, default=default, **kw)


def _until_valid(build):
    """Re-ask until the answer parses: a typo at the counter costs a retry, not the whole form."""
    while True:
        try:
            return build()
        except Refused as exc:
            say((str(exc), "red"), stderr=True)


def ask_item(campaign: Campaign, claiming: bool, number: int) -> Item:
    out = console()
    out.print(styled("\n", (f"Item {number}", "bold")))
    kinds = list(campaign.kinds)
    for i, code in enumerate(kinds, 1):
        out.print(f"  {i}. {campaign.kinds[code].label} ({code})")

    def kind() -> str:
        answer = _ask("Kind (number or code)", default="1").strip()
        if answer.isdigit() and 1 <= int(answer) <= len(kinds):
            return kinds[int(answer) - 1]
        campaign.kind(answer)
        return answer

    code = _until_valid(kind)
    fields: dict[str, str] = {"kind": code}

    def build(extra: dict[str, str]) -> Item:
        return item_from_fields({**fields, **extra})

    def field(column: str, question: str, default: str | None = None, yes_no: bool = False) -> str:
        """Ask for one column until the item with it parses."""
        while True:
            if yes_no:
                value = "yes" if typer.confirm(question, default=False) else "no"
            else:
                value = _ask(question, default=default, show_default=bool(default))
            try:
                build({column: value})
            except Refused as exc:
                say((str(exc), "red"), stderr=True)
                continue
            fields[column] = value
            return value

    field("blade_length", "Blade length (e.g. 9.5in, 24cm; a bare number is inches)")
    for feature in features_tested(campaign, code):
        if feature == "serrated_at_handle" and fields.get("serrated_length", "0") in ("0", ""):
            continue
        default = "other" if feature == "point_style" else "0"
        field(feature, _QUESTIONS[feature], default, yes_no=feature in _YES_NO)
    field("quantity", "How many identical items", "1")
    field("description", "Description (optional)", "")
    field("seal", "Seal number of the bag (optional)", "")
    if claiming:
        value = field("claimed_value", f"Value claimed each (blank = standard {format_gbp(campaign.standard_pence)})", "")
        if value:
            field("evidence", f"Evidence of value ({', '.join(EVIDENCE)})", "none")
        field("acquired_on", "Date acquired, if it may be after the cut-off (YYYY-MM-DD, optional)", "")
    item = build({})
    assessment = assess_item(campaign, item, claiming)
    verdict = ("eligible", "green") if assessment.eligible else ("not eligible", "red")
    out.print(styled("  → ", verdict, f", {format_gbp(assessment.compensation_pence)}"
                     + (f" — {'; '.join(assessment.reasons)}" if assessment.reasons else "")))
    return item


def ask_surrender(ctx, when: dt.datetime | None, *, anonymous: bool, no_claim: bool, name, address, postcode,
                  declare: bool, business):
    """Ask everything, show the assessment, and return a LogRequest, or None if not saved."""
    from surrender.rules.claimant import make_claimant
    from surrender.services.surrenders import LogRequest

    from surrender.rules.window import check_surrender_time

    campaign = resolve(ctx.campaign)
    if when is not None:  # refuse a time outside the window now, not after every item is typed
        check_surrender_time(campaign, when, ctx.now())
    out = console()
    out.print(styled((campaign.name, "bold"), f" — standard {format_gbp(campaign.standard_pence)} per item"
                     + (f", nothing payable under {format_gbp(campaign.minimum_total_pence)}"
                        if campaign.minimum_total_pence else "")))
    if not (anonymous or name):
        anonymous = typer.confirm("Anonymous surrender (no name, no claim)?", default=False)
    claimant = None
    if not anonymous:
        def details():
            return make_claimant(
                name or _ask("Claimant name"), address or _ask("Address"), postcode or _ask("Postcode"),
                phone=_ask("Phone (optional)", default="", show_default=False) or None,
                email=_ask("Email (optional)", default="", show_default=False) or None,
                business_name=business or _ask("Business name (optional)", default="", show_default=False) or None,
            )
        claimant = _until_valid(details)
        if not no_claim:
            no_claim = not typer.confirm("Claiming compensation?", default=True)
        if not no_claim and not declare:
            out.print(styled("\n", (campaign.declaration, "italic")))
            declare = typer.confirm("Does the claimant make this declaration?", default=False)
            if not declare:
                say(("No declaration, so no claim: the items are taken in without one.", "yellow"))
                no_claim = True
        if not no_claim and typer.confirm("Take bank details for payment now?", default=False):
            bank = _until_valid(lambda: make_claimant(
                claimant.name, claimant.address, claimant.postcode, phone=claimant.phone, email=claimant.email,
                business_name=claimant.business_name, sort_code=_ask("Sort code"),
                account_number=_ask("Account number"),
                account_name=_ask("Name on the account", default=claimant.name)))
            claimant = bank
    claiming = not (anonymous or no_claim)
    items: list[Item] = []
    while True:
        items.append(ask_item(campaign, claiming, len(items) + 1))
        if not typer.confirm("Another item?", default=False):
            break
    assessor = Assessor(campaign, claiming)
    for item in items:
        assessor.add(item)
    claim = assessor.claim()
    out.print()
    if claim is None:
        out.print(f"{len(items)} line(s), no compensation claim.")
    else:
        out.print(styled(f"Claim total: claimed {format_gbp(claim.claimed_pence)}, payable ",
                         (format_gbp(claim.payable_pence), "bold"), f" ({claim.status})"))
        render_claim_notes(out, claim.reasons, claim.flags)
    if not typer.confirm("Save this surrender and print the receipt?", default=True):
        return None
    return LogRequest(items=items, at=when, anonymous=anonymous, no_claim=no_claim and not anonymous,
                      claimant=claimant, declared=declare)
