"""PINs are stored only as slow salted hashes: argon2id, its parameters inside the stored string.

Hashes from before argon2 (`scrypt$N$r$p$salt$digest`) still verify and are replaced by an
argon2id hash on the next correct PIN (`needs_rehash`).

Test-only: SURRENDER_TESTS_ONLY_WEAK_PIN_HASH=1 makes *new* hashes cheap (the suite hashes
hundreds of PINs). It is read here and nowhere else, changes only the cost of hashing, and a
weak hash is upgraded on its next successful check when the setting is absent.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from surrender.errors import Refused

MIN_DIGITS, MAX_DIGITS = 6, 12
# OWASP's first choice for argon2id: 19 MiB, 2 passes, 1 lane (~20-35 ms a check here; a fresh
# process pays the more, first touching the memory).
TIME_COST, MEMORY_KIB, PARALLELISM = 2, 19456, 1
WEAK_FOR_TESTS = "SURRENDER_TESTS_ONLY_WEAK_PIN_HASH"


def check_pin_format(pin: str | None) -> str:
    if not re.fullmatch(rf"[0-9]{{{MIN_DIGITS},{MAX_DIGITS}}}", pin or ""):  # ASCII: what every desk keypad types
        raise Refused(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits 0-9")
    assert pin is not None  # the pattern matched it
    return pin


def _hasher():
    from argon2 import PasswordHasher

    if os.environ.get(WEAK_FOR_TESTS) == "1":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM)


def hash_pin(pin: str) -> str:
    return _hasher().hash(pin)


def verify_pin(pin: str, stored: str | None) -> bool:
    if not stored:
        return False
    if stored.startswith("scrypt$"):
        return _verify_scrypt(pin, stored)
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored, pin)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True for an old scrypt hash or an argon2 hash made with other (say weaker) parameters."""
    return stored.startswith("scrypt$") or _hasher().check_needs_rehash(stored)


def _verify_scrypt(pin: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=2**27)
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)
