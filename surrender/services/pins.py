"""PINs are stored only as slow salted scrypt hashes."""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from surrender.errors import Refused

N, R, P = 2**14, 8, 1


def check_pin_format(pin: str) -> str:
    if not re.fullmatch(r"\d{4,12}", pin or ""):
        raise Refused("a PIN is 4 to 12 digits")
    return pin


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=N, r=R, p=P)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)
