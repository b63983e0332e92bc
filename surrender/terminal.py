"""Which terminal a PIN was typed at, for slowing wrong PINs down per terminal (rules/lockout).

A terminal is this computer's host name plus, for a login over SSH, the client's address
(`SSH_CONNECTION`, set by sshd): `desk-pc-3 local`, `server ssh 10.0.4.21`. Every window on
one desk computer is one terminal, so opening another window gains a guesser nothing; each
desk that logs in to a shared server over SSH is its own terminal, so one desk's guesser does
not slow the others. Someone with a shell could claim another SSH address; a shell on the
machine can read the database with the tool's own credentials anyway, so the per-terminal wait
guards the desk, and the per-member count (which nothing outside the database changes) still
bounds every member's guesses.
"""

from __future__ import annotations

import os
import socket

MAX_CHARS = 200  # what pin_terminal.terminal holds


def terminal_id() -> str:
    """This process's terminal, as stored in `pin_terminal`."""
    host = socket.gethostname() or "unknown-host"
    client = os.environ.get("SSH_CONNECTION", "").split()
    where = f"ssh {client[0]}" if client else "local"
    return f"{host} {where}"[:MAX_CHARS]
