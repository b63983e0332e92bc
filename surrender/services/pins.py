"""PINs are stored only as slow salted hashes: argon2id, its parameters inside the stored string.

Hashes from before argon2 (`scrypt$N$r$p$salt$digest`) still verify and are replaced by an
argon2id hash on the next correct PIN (`needs_rehash`), as are the cheap hashes a test-only
switch of earlier versions could write into a real database (m=8 KiB, t=1). Any other argon2
hash is verified with the parameters written inside it and never rewritten: nothing outside
(environment, option) changes how a PIN is hashed, and nothing replaces a stored hash with a
cheaper one. (Tests hash their PINs cheaply in-process and hand the tool those hashes; see
tests/conftest.py.)
"""

from __future__ import annotations

import hashlib
import hmac
import re

from surrender.errors import Refused

MIN_DIGITS, MAX_DIGITS = 6, 12
# OWASP's first choice for argon2id: 19 MiB, 2 passes, 1 lane (~20-35 ms a check here; a fresh
# process pays the more, first touching the memory).
TIME_COST, MEMORY_KIB, PARALLELISM = 2, 19456, 1


def check_pin_format(pin: str | None) -> str:
    if not re.fullmatch(rf"[0-9]{{{MIN_DIGITS},{MAX_DIGITS}}}", pin or ""):  # ASCII: what every desk keypad types
        raise Refused(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits 0-9")
    assert pin is not None  # the pattern matched it
    return pin


def _hasher():
    from argon2 import PasswordHasher

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


# What the removed SURRENDER_TESTS_ONLY_WEAK_PIN_HASH switch wrote: (time_cost, memory_cost KiB).
OLD_TEST_SWITCH = (1, 8)


def needs_rehash(stored: str) -> bool:
    """True for an old scrypt hash or a hash the old test switch wrote; other argon2 hashes
    stay as they were made (a rehash only ever goes up to the full cost)."""
    if stored.startswith("scrypt$"):
        return True
    from argon2 import extract_parameters
    from argon2.exceptions import InvalidHashError

    try:
        made = extract_parameters(stored)
    except InvalidHashError:
        return False
    return (made.time_cost, made.memory_cost) == OLD_TEST_SWITCH


def _verify_scrypt(pin: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=2**27)
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)
