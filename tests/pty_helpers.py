"""Driving the installed `surrender` console script through a pseudo-terminal, as a person at
the counter would, counting every answer typed.

One place for the terminal details, so a step every session needs (say, a PIN prompt at the
first database action) is added here once. `Counter` counts answers for the flow goals;
`spawn_surrender`/`finish`/`interrupt_when_reading` serve tests that drive pexpect directly.
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pexpect

from tests.cli.test_installed_e2e import installed_surrender  # noqa: F401  (re-exported)

TIMEOUT = 60  # generous: cold starts on a busy two-core machine



def _as_from_a_shell() -> None:
    """Ctrl-C as a login shell delivers it: pytest-xdist workers ignore SIGINT, and an ignored
    signal stays ignored across exec, so the child would never see the officer's Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Counter:
    """A `surrender` process on a terminal; `answer` waits for a prompt and types one answer."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, rows: int = 50, columns: int = 200):
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SURRENDER_")}
        self.child = pexpect.spawn(installed_surrender(), args, env={**clean, **env, "COLUMNS": str(columns)},
                                   cwd=str(cwd), encoding="utf-8", timeout=TIMEOUT, dimensions=(rows, columns),
                                   preexec_fn=_as_from_a_shell)
        self.answers = 0
        self.pins = 0
        self.log: list[str] = []

    def expect(self, pattern: str) -> str:
        """Wait for text (a regular expression) and return everything shown up to it."""
        self.child.expect(pattern)
        seen = self.child.before + self.child.after
        self.log.append(seen)
        return seen

    def answer(self, prompt: str, text: str) -> str:
        """Wait for `prompt`, then type `text` and Enter: one answer. Returns the screen since."""
        seen = self.expect(prompt)
        self.child.sendline(text)
        self.answers += 1
        return seen

    def sign_in(self, pin: str) -> None:
        """Type the acting officer's PIN at its hidden prompt. Authentication, not an answer
        about the surrender, so it is counted apart (`pins`)."""
        self.expect(r"PIN for staff \S+")
        self.child.sendline(pin)
        self.pins += 1

    def reply(self, text: str) -> None:
        """Type `text` and Enter at a prompt already waited for: one answer."""
        self.child.sendline(text)
        self.answers += 1

    def interrupt(self) -> None:
        """Ctrl-C, as an officer cancelling the surrender in hand (not counted as an answer)."""
        self.child.sendintr()

    def end_input(self) -> None:
        """Ctrl-D: the end of the session."""
        self.child.sendeof()

    def finish(self) -> tuple[int, str]:
        """Wait for the process to end; its exit status and the rest of its output."""
        self.child.expect(pexpect.EOF)
        rest = self.child.before
        self.log.append(rest)
        self.child.close()
        return self.child.exitstatus, rest

    @property
    def screen(self) -> str:
        return "".join(self.log)


def plain(text: str) -> str:
    """Terminal output without colour codes or carriage returns."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r", "")


def spawn_surrender(*args: str, env: dict[str, str], cwd: Path | None = None, pin: str | None = None):
    """`surrender ARGS` on a pseudo-terminal (stdin and stdout are ttys), 200 columns wide;
    with `pin`, typed at the hidden PIN prompt as the officer would."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SURRENDER_")}
    # A dumb terminal gets no colour codes; COLUMNS keeps Rich's tables on one line each.
    env = {**base, "TERM": "dumb", "COLUMNS": "200", "LINES": "50", **env}
    child = pexpect.spawn(installed_surrender(), list(args), env=env, cwd=cwd, encoding="utf-8", timeout=TIMEOUT,
                         dimensions=(50, 200), preexec_fn=_as_from_a_shell)
    if pin is not None:
        child.expect(r"PIN for staff \S+")
        child.sendline(pin)
    return child


def finish(child) -> tuple[str, int]:
    """Everything the child still prints, and its exit status."""
    rest = child.read()
    child.close()
    return rest, child.exitstatus


def interrupt_when_reading(child) -> None:
    """Ctrl-C once the child is blocked reading the terminal.

    A SIGINT that lands between Python printing a prompt and entering `select()` for the answer
    is only noticed at the next keystroke (a race no person's finger can hit, but a test can);
    so wait, by polling the kernel's view of the process, until it sleeps on the terminal."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if _waiting_for_input(child.pid):
            child.sendintr()
            return
        time.sleep(0.01)
    raise AssertionError("the child never waited for input")


def _waiting_for_input(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        channel = Path(f"/proc/{pid}/wchan").read_text().strip()
    except OSError:  # no /proc (not Linux): fall back to sending at once
        return True
    if state != "S":
        return False
    return channel in ("", "0") or any(word in channel for word in ("select", "poll", "tty_read", "wait_woken"))
