"""Which terminal a command comes from, to bound guesses per terminal as well as per member.

Read from what the operating system says about this process: the SSH client's address for a
remote session, else this host, the OS user and the controlling terminal (`/dev/pts/3`); a
script with no terminal counts as `no tty` on its host and user. Anyone who can start new
terminals can change it, so it bounds a careless or scripted guesser and the per-member bound
stays the one that holds."""

from __future__ import annotations

import getpass
import os
import socket

MAX_CHARS = 200


def here() -> str:
    """`ssh 192.0.2.7 (host/user)` or `host/user /dev/pts/3`, at most MAX_CHARS."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    place = f"{socket.gethostname()}/{user}"
    ssh = os.environ.get("SSH_CLIENT", "").split()
    if ssh:
        return f"ssh {ssh[0]} ({place})"[:MAX_CHARS]
    tty = "no tty"
    for fd in (0, 1, 2):
        try:
            tty = os.ttyname(fd)
            break
        except OSError:
            continue
    return f"{place} {tty}"[:MAX_CHARS]
