"""The counter's short, forgiving flow: time first, one claimant screen, items, then a review.

Per item only the questions the scheme's definition for that kind still needs are asked (the
answers so far may already settle it), each defaulting to what is usually handed in; or the
whole item is typed on one line in the `--item` words (`10in serrated=3in`, `machete 18in
holes=3 qty=2`), untyped features taking the usual answer. Each verdict shows at once. Before
saving, a review lets any item be changed or removed, the claimant or bank details corrected,
or the surrender abandoned. Ctrl-C anywhere cancels this surrender only (the caller decides
what that means); Ctrl-D ends input.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from surrender.cli.item_words import describe
from surrender.cli.output import console, printable, say, styled
from surrender.errors import Refused
from surrender.rules.campaign import Campaign
from surrender.rules.claimant import (
    ClaimantDetails,
    check_bank_pair,
    check_email,
    check_phone,
    normalise_account_number,
    normalise_postcode,
    normalise_sort_code,
)
from surrender.rules.compensation import ItemAssessment, assess_item
from surrender.rules.evidence import EvidenceFile
from surrender.rules.items import Item, UnknownWord, closest_word, fields_from_words, item_from_fields
from surrender.rules.lengths import parse_length
from surrender.rules.modulus import ModulusTables
from surrender.rules.money import format_gbp
from surrender.services.intake import Intake

if TYPE_CHECKING:
    from rich.text import Text

    from surrender.services.context import Context
    from surrender.services.intake import LogRequest

T = TypeVar("T")


# The one save question, at the desk's review and at `log`'s preview alike: Enter saves (the
# officer has just looked at everything); not saving is the answer typed on purpose.
SAVE_QUESTION = "Save? Enter saves"


class Abandoned(Exception):
    """The officer abandoned this surrender at the review: nothing is saved."""


# --- asking ------------------------------------------------------------------------------


# How each question is put and answered: directly, or inside the desk session's idle lock (a
# long wait between the question and its answer asks the officer's PIN before it is used).
ANSWER_GUARD: ContextVar[Callable[[Callable[[], str]], str] | None] = ContextVar("answer_guard", default=None)


def ask(text: str, default: str = "", shown: str | None = None) -> str:
    """One answer from the keyboard (`input`, so Ctrl-C and Ctrl-D reach the caller as
    KeyboardInterrupt and EOFError); Enter gives the default, shown in brackets."""
    hint = shown if shown is not None else default

    def read() -> str:
        sys.stdout.write(printable(f"{text}{f' [{hint}]' if hint else ''}: "))
        sys.stdout.flush()
        return input()

    guard = ANSWER_GUARD.get()
    answer = (guard(read) if guard is not None else read()).strip()
    return answer or default


def ask_valid(text: str, check: Callable[[str], T], default: str = "", help: str = "", shown: str | None = None) -> T:
    """Re-ask until `check` accepts the answer: a typo costs a retry of this field only.
    `?` shows the help line."""
    while True:
        answer = ask(text, default, shown)
        if answer == "?" and help:
            say((help, "dim"))
            continue
        try:
            return check(answer)
        except Refused as exc:
            say((str(exc), "red"), stderr=True)


def ask_when(
    now: dt.datetime, zone: str = "Europe/London", check: Callable[[dt.datetime], None] | None = None
) -> dt.datetime | None:
    """When the surrender was handed in, typed as people write times (`2/9/2024 14:30`,
    `2 Sep 2024 2:30pm`, `14:30` for today); Enter: now (None). A date alone is followed by a
    question for the time on that date; anything unreadable, or refused by `check` (the
    campaign's window, a time to come), is asked again in place."""
    from zoneinfo import ZoneInfo

    from surrender.rules.window import NeedsTime, parse_local_datetime

    today = now.astimezone(ZoneInfo(zone)).date()
    while True:
        typed = ask("Handed in at (Enter: now; e.g. 2/9/2024 14:30, 2 Sep 2024 2:30pm, 14:30)")
        try:
            try:
                when = parse_local_datetime(typed, zone, today=today) if typed else None
            except NeedsTime:
                clock = ask(f"Time on {typed} (e.g. 14:30 or 2:30pm)")
                when = parse_local_datetime(f"{typed} {clock}", zone, today=today)
            if check is not None:
                check(when or now)
            return when
        except Refused as exc:
            say((str(exc), "red"), stderr=True)


def confirm(text: str, default: bool) -> bool:
    def yes_no(answer: str) -> bool:
        if answer.lower() in ("y", "yes"):
            return True
        if answer.lower() in ("n", "no"):
            return False
        raise Refused("answer y or n")

    return ask_valid(text, yes_no, "y" if default else "n", shown="Y/n" if default else "y/N")


def _required(what: str) -> Callable[[str], str]:
    def check(answer: str) -> str:
        if not answer.strip():
            raise Refused(f"the {what} is needed")
        return " ".join(answer.split())

    return check


def _optional(check: Callable[[str], str]) -> Callable[[str], str | None]:
    return lambda answer: check(answer) if answer.strip() and answer.strip() != "-" else None


# --- claimant ----------------------------------------------------------------------------


@dataclass
class Claim:
    """Who is handing in, and whether they claim; filled in by the claimant screen."""

    anonymous: bool = True
    claiming: bool = False
    declared: bool = False
    details: ClaimantDetails | None = None


def ask_claimant(
    campaign: Campaign,
    claim: Claim,
    *,
    name: str | None = None,
    address: str | None = None,
    postcode: str | None = None,
    business: str | None = None,
    declare: bool = False,
    no_claim: bool = False,
) -> Claim:
    """One screen: name (Enter: anonymous), address, postcode, the claim with its declaration,
    then phone, email, business and bank details behind one question."""
    old = claim.details
    name = name or ask("Claimant name (Enter: anonymous, no claim)", old.name if old else "")
    if not name:
        return Claim()
    address = address or ask_valid("Address", _required("address"), old.address if old else "")
    postcode = postcode or ask_valid("Postcode", normalise_postcode, old.postcode if old else "")
    details = ClaimantDetails(
        name=" ".join(name.split())[:120],
        address=address,
        postcode=postcode,
        phone=old.phone if old else None,
        email=old.email if old else None,
        business_name=business or (old.business_name if old else None),
        account_name=old.account_name if old else None,
        sort_code=old.sort_code if old else None,
        account_number=old.account_number if old else None,
    )
    claiming = claim.claiming if old else not no_claim
    declared = claim.declared or declare
    if not no_claim and not declare:
        out = console()
        out.print(styled(("Declaration: ", "bold"), (campaign.declaration, "italic")))
        claiming = confirm("Claiming compensation, and makes this declaration?", True if not old else claiming)
        declared = claiming
    if confirm("Phone, email, business or bank details?", False):
        details = ask_contact(details)
        if claiming:
            details = ask_bank(details)
    return Claim(anonymous=False, claiming=claiming, declared=declared, details=details)


def ask_contact(details: ClaimantDetails) -> ClaimantDetails:
    dash = "(Enter: none, - to clear)"
    return replace(
        details,
        phone=ask_valid(f"Phone {dash}", _optional(check_phone), details.phone or ""),
        email=ask_valid(f"Email {dash}", _optional(check_email), details.email or ""),
        business_name=ask_valid(f"Business name {dash}", _optional(str.strip), details.business_name or ""),
    )


# The modulus tables the desk checks bank details against (set per surrender by ask_surrender:
# the newest loaded with `db modulus-tables`, or None for the package's own).
BANK_TABLES: ContextVar[ModulusTables | None] = ContextVar("bank_tables", default=None)


def ask_bank(details: ClaimantDetails) -> ClaimantDetails:
    """Sort code, account number and name, each checked as typed: a wrong one re-asks itself.
    A pair failing the banks' modulus check (one of them mistyped) asks for both again; a sort
    code the tables do not know is shown as a warning and kept."""
    sort_default, account_default = details.sort_code or "", details.account_number or ""
    while True:
        sort_code = ask_valid(
            "Sort code (Enter: no bank details, - to clear)", _optional(normalise_sort_code), sort_default
        )
        if sort_code is None:
            return replace(details, sort_code=None, account_number=None, account_name=None)
        account = ask_valid("Account number", normalise_account_number, account_default)
        try:
            warning = check_bank_pair(sort_code, account, BANK_TABLES.get())
        except Refused as exc:
            say((f"{exc}: type them again", "red"), stderr=True)
            sort_default, account_default = sort_code, ""
            continue
        if warning:
            say(("Warning: ", "bold yellow"), (warning, "yellow"), stderr=True)
        break
    holder = ask_valid("Name on the account", _required("name on the account"), details.account_name or details.name)
    return replace(details, sort_code=sort_code, account_number=account, account_name=holder)


# --- items -------------------------------------------------------------------------------


@dataclass
class Entry:
    """An item as entered, with its verdict for the review."""

    item: Item
    line: str = ""  # the words that give it again, offered when it is changed ("": work them out then)


@dataclass
class StockList:
    """The items of a stock list file, taken at the item prompt by typing its path."""

    path: Path
    items: list[Item]


def match_kind(campaign: Campaign, word: str) -> str | None:
    """A kind from its list number, its code, or one word of its code or label (`machete`)."""
    codes = list(campaign.kinds)
    word = word.lower()
    if word.isdigit() and 1 <= int(word) <= len(codes):
        return codes[int(word) - 1]
    if word in campaign.kinds:
        return word
    matches = [c for c in codes if word in c.split("-") or word in campaign.kinds[c].label.lower().split()]
    return matches[0] if len(matches) == 1 else None


def verdict(assessment: ItemAssessment, claiming: bool) -> Text:
    """`eligible, £10.00 (reasons)` for an assessed item."""
    outcome = ("eligible", "green") if assessment.eligible else ("not eligible", "red")
    reasons = [r for r in assessment.reasons if r != "no claim made"]
    money = f", {format_gbp(assessment.compensation_pence)}" if claiming else ""
    return styled(outcome, money + (f" ({'; '.join(reasons)})" if reasons else ""))


def ask_item(
    campaign: Campaign, claiming: bool, number: int, kind: str, default: str = "", stock: bool = False
) -> Entry | StockList | None:
    """One item: a line of words, or a blade length and then only the questions still needed;
    with `stock`, also a stock list file by its path (a StockList). Returns None when Enter is
    pressed on an empty line (no more items)."""
    while True:
        line = ask(f"Item {number} [{kind}] blade, or a whole line (? for help)", default, shown=default or None)
        if not line:
            return None
        if line == "?":
            say((item_words_help(campaign), "dim"))
            continue
        path = stock_path(campaign, line) if stock else None
        if path is not None:
            try:
                return StockList(path, read_stock_list(campaign, path))
            except Refused as exc:
                say((str(exc), "red"), stderr=True)
                continue
        try:
            entry = _item_from_line(campaign, claiming, line, kind)
        except Refused as exc:
            say((str(exc), "red"), stderr=True)
            continue
        console().print(
            styled(
                "  → ",
                describe(campaign, entry.item),
                ": ",
                verdict(assess_item(campaign, entry.item, claiming), claiming),
            )
        )
        return entry


def stock_path(campaign: Campaign, line: str) -> Path | None:
    """The file a line names, if it is a path and not an item line: it ends in .csv or holds a
    slash, quoted or with escaped spaces as a dragged-in file arrives."""
    text = line.strip()
    first = text.split()[0] if text.split() else ""
    if _is_length(first) or match_kind(campaign, first) is not None:
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    text = text.replace("\\ ", " ")
    if text.lower().endswith(".csv") or "/" in text or text.startswith("~"):
        return Path(text).expanduser()
    return None


def read_stock_list(campaign: Campaign, path: Path) -> list[Item]:
    """Every row of a stock list, checked under the campaign; bad lines are refused together,
    the first five told and the whole list written beside the file."""
    from surrender.cli.bad_lines import listed_in
    from surrender.items_csv import ItemsFile

    with listed_in(None):
        return list(ItemsFile(path, campaign.features))


def default_kind(campaign: Campaign) -> str:
    """The kind every new item starts from: the scheme's first (never the last item's, so a
    knife after a machete is not silently a machete)."""
    return next(iter(campaign.kinds))


_UNITS = ("in", "inch", "inches", '"', "cm", "mm")


def item_words_help(campaign: Campaign) -> str:
    """The desk's own item syntax in one line (`?` at the item prompt)."""
    return (
        f"An item line: the blade length (10in, 24cm), then any features: "
        f"{campaign.features.shorthand_help()}; also qty=N value=GBP evidence=receipt seal=TEXT desc=TEXT. "
        f"Another kind first: {', '.join(campaign.kinds)} (e.g. `machete 18in holes=3`). "
        "A stock list: the path of its .csv file."
    )


def _item_from_line(campaign: Campaign, claiming: bool, line: str, kind: str) -> Entry:
    tokens = line.replace(":", " ").split()
    if len(tokens) == 1 and tokens[0].replace(".", "", 1).isdigit():
        raise Refused(
            f"{tokens[0]!r} alone could be a blade length or a choice: type a length with its unit, "
            f"like {tokens[0]}in or {tokens[0]}cm (a kind is chosen by its name: "
            f"{', '.join(campaign.kinds)})"
        )
    chosen = match_kind(campaign, tokens[0])
    if chosen is not None and not _is_length(tokens[0]):
        kind, tokens = chosen, tokens[1:]
    elif not _is_length(tokens[0]):
        raise Refused(_not_a_start(campaign, tokens))
    if not tokens:
        raise Refused("give the blade length too, e.g. 10in")
    features = campaign.features
    try:
        words = fields_from_words(tokens[1:], features, "item")
    except UnknownWord as exc:
        raise Refused(_unknown_word(campaign, line, exc.word)) from None
    fields = {"kind": kind, "blade_length": tokens[0], **words}
    usual = {f.name: f.usual_for(kind) for f in features.declared}
    if len(tokens) > 1:  # a whole line: untyped features take the usual answer
        item = item_from_fields(fields, features, defaults=usual)
    else:
        answers = ask_features(campaign, kind, parse_length(tokens[0]))
        item = item_from_fields(fields, features, defaults=answers)
    return Entry(item, _line_of(campaign, item))


def _not_a_start(campaign: Campaign, tokens: list[str]) -> str:
    """Why a line cannot start with its first word, with the line as probably meant."""
    word, rest = tokens[0], tokens[1:]
    near = closest_word(word, campaign.features, campaign.kinds)
    if near is None:
        return f"`{word}` cannot start a line: the length comes first, e.g. `10in serrated=3in` (? for help)"
    meant = [near, *rest] if match_kind(campaign, near) is not None else ["10in", near, *rest]
    return f"`{word}` is not a length; did you mean `{' '.join(meant)}`? (? for help)"


def _unknown_word(campaign: Campaign, line: str, word: str) -> str:
    """One line in the desk's own words for a word it does not know, with the whole line as
    it was probably meant (`10 in spikes` -> `10in spikes`, `10in spiked` -> `10in spikes`)."""
    tokens = line.replace(":", " ").split()
    fixed: list[str] = []
    for token in tokens:
        if token.lower() in _UNITS and fixed and fixed[-1].replace(".", "", 1).isdigit():
            fixed[-1] += token.lower()  # `10 in` -> `10in`
            continue
        known = _is_length(token) or match_kind(campaign, token) or _is_item_word(campaign, token)
        fixed.append(token if known else closest_word(token, campaign.features) or token)
    what = f"`{word}` alone: units join their number" if word.lower() in _UNITS else f"`{word}`: no such word"
    meant = " ".join(fixed)
    hint = f"; did you mean `{meant}`?" if meant != " ".join(tokens) else ""
    return f"{what}{hint} (? for help)"


def _is_item_word(campaign: Campaign, word: str) -> bool:
    try:
        fields_from_words([word], campaign.features, "item")
        return True
    except Refused:
        return False


def _is_length(word: str) -> bool:
    try:
        parse_length(word)
        return True
    except Refused:
        return False


def ask_features(campaign: Campaign, kind: str, blade_mm: Decimal) -> dict[str, object]:
    """Ask, in declaration order, each feature the kind's definition tests, until the answers
    settle the definition; a feature with `ask_if` only when that holds. Unasked: blank."""
    definition = campaign.kind(kind).definition
    tested = set(definition.features())
    known: dict[str, object] = {"blade_length": blade_mm}
    for feature in campaign.features.declared:
        if feature.name not in tested:
            continue
        if definition.settled(known):
            break
        condition = campaign.ask_if.get(feature.name)
        if condition is not None and not condition.holds(known):
            known[feature.name] = feature.blank
            continue
        usual = feature.usual_for(kind)
        known[feature.name] = ask_valid(
            feature.question + (" (? for help)" if feature.help else ""),
            feature.parse,
            feature.show(usual),
            help=feature.help,
        )
    known.pop("blade_length")
    return known


def _line_of(campaign: Campaign, item: Item) -> str:
    """The item as one line of words, so a change starts from what is there."""
    features = campaign.features
    words = [item.kind, features["blade_length"].show(item.blade_length_mm)]
    for name, value in item.features.items():
        feature = features.get(name)
        if feature is None or value == feature.usual_for(item.kind):
            continue  # a whole line takes the usual answer for what it leaves out
        if feature.type == "yes-no":
            words.append(name if value else f"no-{name}")
        else:
            words.append(f"{name}={feature.show(value)}")
    if item.quantity > 1:
        words.append(f"qty={item.quantity}")
    if item.claimed_value_pence is not None:
        words += [f"value={item.claimed_value_pence / 100:.2f}", f"evidence={item.evidence}"]
    if item.seal:
        words.append(f"seal={item.seal}")
    return " ".join(words)


# --- the whole surrender -----------------------------------------------------------------


@dataclass
class Draft:
    claim: Claim
    entries: list[Entry] = field(default_factory=list)


def ask_surrender(
    ctx: Context,
    when: dt.datetime | None,
    *,
    anonymous: bool,
    no_claim: bool,
    name: str | None,
    address: str | None,
    postcode: str | None,
    declare: bool,
    business: str | None,
    campaign: Campaign | None = None,
) -> LogRequest:
    """Ask everything, review, and return a LogRequest; raises Abandoned if the officer abandons
    it. The time is checked against the window before any question."""
    from surrender.rules.window import check_surrender_time
    from surrender.services.campaigns import campaign_to_ask_about
    from surrender.services.intake import LogRequest

    campaign = campaign or campaign_to_ask_about(ctx)
    check_surrender_time(campaign, when or ctx.now(), ctx.now())
    from surrender.services.modulus import tables_for

    BANK_TABLES.set(tables_for(ctx))
    out = console()
    out.print(
        styled(
            (campaign.name, "bold"),
            f" · standard {format_gbp(campaign.standard_pence)} per item"
            + (
                f", nothing payable under {format_gbp(campaign.minimum_total_pence)}"
                if campaign.minimum_total_pence
                else ""
            ),
        )
    )
    claim = (
        Claim()
        if anonymous
        else ask_claimant(
            campaign,
            Claim(),
            name=name,
            address=address,
            postcode=postcode,
            business=business,
            declare=declare,
            no_claim=no_claim,
        )
    )
    draft = Draft(claim)
    out.print(
        styled(
            ("Items", "bold"),
            f" (kinds: {', '.join(campaign.kinds)}; each item is a "
            f"{default_kind(campaign)} unless its line starts with another kind): a blade length such "
            "as 10in, then questions; or one line like `10in serrated=3in qty=2 seal=A1` or "
            "`machete 18in holes=3`; a stock list: the path of its .csv file; ? for help; Enter: no more items",
        )
    )
    _ask_items(campaign, draft)
    while not review(campaign, draft):
        pass
    claim = draft.claim
    stated = claim.claiming and any(e.item.evidence != "none" for e in draft.entries)
    return LogRequest(
        items=[e.item for e in draft.entries],
        at=when,
        anonymous=claim.anonymous,
        no_claim=not claim.anonymous and not claim.claiming,
        claimant=claim.details,
        declared=claim.declared,
        evidence=ask_evidence() if stated else (),
    )


def ask_evidence() -> tuple[EvidenceFile, ...]:
    """The scans or photos behind the values claimed, one path at a time (Enter: no more); a
    file that is not a PDF, JPEG or PNG, or too large, is refused and asked again."""
    from pathlib import Path

    from surrender.evidence_files import read_evidence
    from surrender.rules.evidence import LABEL

    files: list[EvidenceFile] = []
    say(
        ("Evidence of value", "bold"),
        ": the receipt, invoice or statement as a scanned file (PDF, JPEG or PNG), kept with the claim",
    )
    while True:
        answer = ask(f"Evidence file {len(files) + 1} (path; Enter: {'no more' if files else 'none'})")
        if not answer:
            return tuple(files)
        try:
            file = read_evidence(Path(answer).expanduser())
        except Refused as exc:
            say((str(exc), "red"), stderr=True)
            continue
        if any(f.sha256 == file.sha256 for f in files):
            say((f"{file.name} is already given (same content)", "yellow"), stderr=True)
            continue
        files.append(file)
        say(f"  kept {file.name} ({LABEL[file.media_type]}, {file.size:,} bytes)")


def _ask_items(campaign: Campaign, draft: Draft) -> None:
    kind = default_kind(campaign)  # every item starts from the scheme's default kind
    while True:
        entry = ask_item(campaign, draft.claim.claiming, len(draft.entries) + 1, kind, stock=True)
        if isinstance(entry, StockList):
            first = len(draft.entries) + 1
            draft.entries += [Entry(item) for item in entry.items]
            say(f"  {len(entry.items):,} line(s) from {entry.path}: items {first:,} to {len(draft.entries):,}")
            continue
        if entry is None:
            if draft.entries:
                return
            say(("At least one item is needed.", "yellow"))
            continue
        previous = draft.entries[-1].item.kind if draft.entries else kind
        if entry.item.kind != previous:  # said aloud, so a change of kind is never a surprise
            say(("  kind: ", "bold"), f"{entry.item.kind} (the item before was a {previous})")
        draft.entries.append(entry)


def review(campaign: Campaign, draft: Draft) -> bool:
    """Show everything with the claim total; True to save. Changes loop back here."""
    out = console()
    claim = draft.claim
    out.print(styled("\n", ("Review", "bold")))
    if claim.anonymous:
        out.print("  Anonymous surrender, no claim")
    else:
        person = claim.details
        assert person is not None, "a named surrender has its details (ask_claimant)"
        bank = (
            f"bank {person.sort_code} {person.account_number[-4:].rjust(8, '*')}"
            if person.has_bank_details and person.account_number is not None
            else "no bank details"
        )
        out.print(
            f"  {person.name}, {person.address}, {person.postcode} · "
            + ("claiming (declared)" if claim.claiming else "no claim")
            + f" · {bank}"
        )
    from surrender.cli.stock_summary import from_intake, is_big, print_summary

    intake = Intake(campaign, claim.claiming)  # the lines `log` will store, each assessed once
    big = is_big(len(draft.entries))
    rows = list(intake.rows(e.item for e in draft.entries))
    if big:  # a stock list: counts and the lines that need a look, the whole list behind `t`
        print_summary(out, from_intake(campaign, intake.lines))
    else:
        for number, line in enumerate(rows, 1):
            out.print(styled(f"  {number}. {describe(campaign, line.item)}: ", verdict(line.per_row(), claim.claiming)))
    try:
        intake.check()
        total = intake.claim()
    except Refused as exc:
        say((str(exc), "red"), stderr=True)
        total = None
    if total is not None:
        out.print(
            styled(
                f"  Claimed {format_gbp(total.claimed_pence)}, payable ",
                (format_gbp(total.payable_pence), "bold"),
                f" ({total.status})"
                + (f": {'; '.join(total.reasons)}" if total.reasons else "")
                + (f" · needs a manager: {'; '.join(total.flags)}" if total.flags else ""),
            )
        )
    choices = (
        ("t the full list · " if big else "")
        + "N change item N · dN remove it · a add · c claimant"
        + (" · b bank" if claim.claiming else "")
        + " · x abandon"
    )
    answer = ask(f"{SAVE_QUESTION}; or {choices}", "y", shown="Y").lower()
    if answer in ("y", "yes", "s", "save"):
        return True
    if answer == "t" and big:
        for line in intake.lines:
            like = f" (+{line.rows - 1:,} like it)" if line.rows > 1 else ""
            out.print(
                styled(
                    f"  {line.first_row}{like}. {describe(campaign, line.item)}: ",
                    verdict(line.total(), claim.claiming),
                )
            )
    elif answer in ("x", "abandon", "n", "no"):
        if confirm("Abandon this surrender? Nothing will be saved", False):
            raise Abandoned()
    elif answer == "a":
        _ask_items(campaign, draft)
    elif answer == "c":
        draft.claim = ask_claimant(campaign, draft.claim)
    elif answer == "b" and claim.claiming and claim.details:
        claim.details = ask_bank(claim.details)
    elif answer.isdigit() and 1 <= int(answer) <= len(draft.entries):
        index = int(answer) - 1
        old = draft.entries[index]
        entry = ask_item(
            campaign, claim.claiming, index + 1, old.item.kind, default=old.line or _line_of(campaign, old.item)
        )
        draft.entries[index] = entry if isinstance(entry, Entry) else old
    elif answer[:1] == "d" and answer[1:].isdigit() and 1 <= int(answer[1:]) <= len(draft.entries):
        if len(draft.entries) == 1:
            say(("That is the only item: change it, or x to abandon.", "yellow"))
        else:
            draft.entries.pop(int(answer[1:]) - 1)
    else:
        say((f"Not understood: answer Enter, {choices}", "yellow"))
    return False
