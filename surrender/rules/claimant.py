"""Claimant details as typed at the desk: checked and normalised before anything is saved."""

from __future__ import annotations

import re
from dataclasses import dataclass

from surrender.errors import Refused
from surrender.rules.bounds import ADDRESS_CHARS, EMAIL_CHARS, NAME_CHARS, within
from surrender.rules.modulus import ModulusTables, Verdict
from surrender.rules.modulus import check as modulus_check

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ClaimantDetails:
    name: str
    address: str
    postcode: str
    phone: str | None = None
    email: str | None = None
    business_name: str | None = None
    account_name: str | None = None
    sort_code: str | None = None
    account_number: str | None = None

    @property
    def has_bank_details(self) -> bool:
        return bool(self.sort_code and self.account_number)


def normalise_postcode(text: str) -> str:
    match = _POSTCODE.match(re.sub(r"\s+", " ", text.strip().upper()))
    if not match:
        raise Refused(f"postcode {text!r} is not a UK postcode like CB1 1JG")
    return f"{match.group(1)} {match.group(2)}"


def normalise_sort_code(text: str) -> str:
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"[0-9]{6}", digits):  # ASCII digits only: what a bank file can carry
        raise Refused(f"sort code {text!r} must be 6 digits like 12-34-56")
    return f"{digits[:2]}-{digits[2:4]}-{digits[4:]}"


def normalise_account_number(text: str) -> str:
    digits = re.sub(r"\s", "", text)
    if not re.fullmatch(r"[0-9]{8}", digits):
        raise Refused(f"account number {text!r} must be 8 digits")
    return digits


def check_email(text: str) -> str:
    within(text.strip(), "email", EMAIL_CHARS)
    if not _EMAIL.match(text.strip()):
        raise Refused(f"email {text!r} does not look like an email address")
    return text.strip().lower()


def check_phone(text: str) -> str:
    if not re.fullmatch(r"[+0-9 ()-]{7,20}", text.strip()):
        raise Refused(f"phone {text!r} does not look like a phone number")
    return text.strip()


def normalise_address(text: str) -> str:
    address = within(" ".join(text.split()), "address", ADDRESS_CHARS)
    if not address:
        raise Refused("the address is empty")
    return address


def normalise_account_name(text: str) -> str:
    name = within(" ".join(text.split()), "account name", NAME_CHARS)
    if not name:
        raise Refused("the account name is empty")
    return name


def normalise_name(text: str, what: str = "name") -> str:
    """A person's or business's name: spaces tidied, at most NAME_CHARS, never cut."""
    return within(" ".join(text.split()), what, NAME_CHARS)


def check_bank_pair(
    sort_code: str | None, account_number: str | None, modulus: ModulusTables | None = None
) -> str | None:
    """The modulus check of a normalised pair, as banks run it: a failing pair (one of them
    mistyped) is refused; a sort code the tables do not know comes back as a warning to show
    (the account number cannot be checked); None when the pair passes or is incomplete."""
    if not (sort_code and account_number):
        return None
    result = modulus_check(sort_code, account_number, modulus)
    if result.verdict == Verdict.INVALID:
        raise Refused(
            f"sort code {sort_code} and account number {account_number} fail the banks' modulus check: "
            "one of them is mistyped; check both with the claimant"
        )
    if result.verdict == Verdict.UNKNOWN:
        return (
            f"sort code {sort_code} is not in the modulus tables, so account number {account_number} "
            "could not be checked: confirm both with the claimant"
        )
    return None


def make_claimant(
    name: str | None,
    address: str | None,
    postcode: str | None,
    *,
    phone: str | None = None,
    email: str | None = None,
    business_name: str | None = None,
    account_name: str | None = None,
    sort_code: str | None = None,
    account_number: str | None = None,
    modulus: ModulusTables | None = None,
) -> ClaimantDetails:
    """Refuse missing essentials and malformed contact or bank details, naming the option; a
    sort code and account number that fail the modulus check (against `modulus`, default the
    package's tables) are refused too. An unknown sort code passes: `check_bank_pair` gives the
    warning to show."""
    missing = [
        opt for opt, v in (("--name", name), ("--address", address), ("--postcode", postcode)) if not (v or "").strip()
    ]
    if missing or name is None or address is None or postcode is None:
        raise Refused(f"a named surrender needs {', '.join(missing)}; or use --anonymous")
    email = check_email(email) if email else None
    phone = check_phone(phone) if phone else None
    if bool(sort_code) != bool(account_number):
        raise Refused("bank details need both --sort-code and --account-number")
    sort_code = normalise_sort_code(sort_code) if sort_code else None
    account_number = normalise_account_number(account_number) if account_number else None
    check_bank_pair(sort_code, account_number, modulus)
    return ClaimantDetails(
        name=normalise_name(name),
        address=normalise_address(address),
        postcode=normalise_postcode(postcode),
        phone=phone,
        email=email,
        business_name=normalise_name(business_name, "business name") if business_name else None,
        account_name=(
            normalise_account_name(account_name)
            if account_name and account_name.strip()
            else normalise_name(name)
            if sort_code
            else None
        ),
        sort_code=sort_code,
        account_number=account_number,
    )


def payment_gaps(
    sort_code: str | None, account_number: str | None, account_name: str | None, modulus: ModulusTables | None = None
) -> list[str]:
    """What stops a payment to these bank details, in words for finance ([] when complete).

    Details arrive from the desk or `claims set-payment`, already normalised; anything else
    (empty, malformed, a purged record, a pair failing the modulus check against `modulus`,
    default the package's tables) is a gap, so nothing unpayable reaches the bank file. An
    unknown sort code is no gap.
    """
    gaps = []
    sort_code, account_number = (sort_code or "").strip(), (account_number or "").strip()
    if not sort_code:
        gaps.append("no sort code")
    elif not re.fullmatch(r"[0-9]{2}-[0-9]{2}-[0-9]{2}", sort_code):
        gaps.append("sort code is not 6 digits")
    if not account_number:
        gaps.append("no account number")
    elif not re.fullmatch(r"[0-9]{8}", account_number):
        gaps.append("account number is not 8 digits")
    if not (account_name or "").strip():
        gaps.append("no account name")
    if (
        not gaps
        and sort_code
        and account_number
        and modulus_check(sort_code.strip(), account_number.strip(), modulus).verdict == Verdict.INVALID
    ):
        gaps.append("sort code and account number fail the modulus check")
    return gaps
