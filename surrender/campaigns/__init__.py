"""Campaign presets shipped in the package, and loading a user's own TOML file."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from surrender.errors import NotFound, Refused
from surrender.rules.campaign import Campaign, parse_campaign

DEFAULT_CAMPAIGN = "zombie-2024"


def preset_codes() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files(__name__).iterdir() if p.name.endswith(".toml"))


@cache
def load_preset(code: str) -> Campaign:
    if code not in preset_codes():
        raise NotFound(f"no campaign {code!r}; presets: {', '.join(preset_codes())}, or give a .toml file")
    return parse_campaign(resources.files(__name__).joinpath(f"{code}.toml").read_text("utf-8"))


def load_file(path: str | Path) -> Campaign:
    path = Path(path)
    from surrender.userfiles import read_text_file

    text = read_text_file(path, "campaign file")
    try:
        return parse_campaign(text)
    except Refused as exc:
        raise Refused(f"{path}: {exc}") from None


def resolve(code_or_path: str | None) -> Campaign:
    """A preset by code, or a TOML file by path (anything ending .toml or containing a slash)."""
    name = code_or_path or DEFAULT_CAMPAIGN
    if name.endswith(".toml") or "/" in name:
        return load_file(name)
    return load_preset(name)
