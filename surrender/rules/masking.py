"""Masking of claimant personal and payment data for everyone but finance."""

from __future__ import annotations


def mask_name(name: str | None) -> str | None:
    """`Jane Smith` -> `J*** S****`: enough to match a face at the counter, no more."""
    if not name:
        return name
    return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())


def mask_postcode(postcode: str | None) -> str | None:
    """`CB1 1JG` -> `CB1 ***`: the district only."""
    if not postcode:
        return postcode
    return postcode.split()[0] + " ***" if " " in postcode else postcode[:2] + "***"


def mask_tail(value: str | None, keep: int = 2) -> str | None:
    """`12345678` -> `******78`."""
    if not value:
        return value
    return "*" * max(len(value) - keep, 0) + value[-keep:]


def mask_all(value: str | None) -> str | None:
    return "***" if value else value
