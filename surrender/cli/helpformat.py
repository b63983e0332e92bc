"""Help text wrapped at spaces only: Click's wrapper cuts a long token or a hyphenated word
(`zombie-knife:9.5in:pl` / `ain`, `at-` / `handle`) at the line's end, and a reader copying
an option's example then copies it broken. A token longer than the column overflows instead.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence


def wrap_words(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters where possible, broken only between words;
    paragraphs (blank-line separated) stay apart."""
    lines: list[str] = []
    for index, paragraph in enumerate(text.split("\n\n")):
        if index:
            lines.append("")
        lines += textwrap.wrap(paragraph.strip(), width, break_long_words=False, break_on_hyphens=False) or [""]
    return lines


def install() -> None:
    """Make every command's help use the word-wrapping formatter (one class attribute on the
    Context class Typer's commands use; this process is the `surrender` CLI alone)."""
    from typer.core import TyperCommand

    context = TyperCommand.context_class
    base = context.formatter_class
    if getattr(base, "wraps_at_words", False):
        return

    class WordWrapFormatter(base):  # type: ignore[misc, valid-type]
        wraps_at_words = True

        def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
            rows = list(rows)
            first_col = min(max((len(first) for first, _ in rows), default=0), col_max) + col_spacing
            for first, second in rows:
                self.write(f"{'':>{self.current_indent}}{first}")
                if not second:
                    self.write("\n")
                    continue
                if len(first) <= first_col - col_spacing:
                    self.write(" " * (first_col - len(first)))
                else:
                    self.write("\n" + " " * (first_col + self.current_indent))
                lines = wrap_words(second, max(self.width - first_col - 2, 10))
                self.write(f"{lines[0]}\n")
                for line in lines[1:]:
                    self.write(f"{'':>{first_col + self.current_indent}}{line}\n" if line else "\n")

    context.formatter_class = WordWrapFormatter


# Said wherever staff type free text: a name typed into a note outlives the claimant's record
# until purge finds it, and is shown to readers the masking never reaches.
NOT_PERSONAL = "Say what happened, not who: no names, addresses, phone numbers or bank details."
