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
        return parse_campaign(with_price_list(text, path))
    except Refused as exc:
        raise Refused(f"{path}: {exc}") from None


def resolve(code_or_path: str | None) -> Campaign:
    """A preset by code, or a TOML file by path (anything ending .toml or containing a slash)."""
    name = code_or_path or DEFAULT_CAMPAIGN
    if name.endswith(".toml") or "/" in name:
        return load_file(name)
    return load_preset(name)


def with_price_list(text: str, path: Path) -> str:
    """The campaign text with the price list it names (`price_list = "prices.csv"`, relative to
    the campaign file) read, checked and appended as `[price_list_text]`: the text registered is
    then the whole of the rules, and parsing it stays pure."""
    import hashlib
    import json
    import tomllib

    from surrender.rules.bounds import check_toml_shape
    from surrender.rules.campaign import PRICE_LIST_TEXT
    from surrender.rules.patterns import parse_price_list
    from surrender.userfiles import read_text_file

    check_toml_shape(text)  # before tomllib: nesting 10,000 deep would exhaust its stack
    try:
        data = tomllib.loads(text)
    except ValueError:  # TOMLDecodeError, or a number too long to read
        return text  # parse_campaign says what is wrong with it
    name = data.get("price_list")
    if not isinstance(name, str) or not name.strip() or PRICE_LIST_TEXT in data:
        return text  # no list, or one parse_campaign refuses
    csv_path = path.parent / name
    prices = read_text_file(csv_path, "price list")
    parse_price_list(prices, f"price list {csv_path}")
    digest = hashlib.sha256(prices.encode()).hexdigest()
    return (
        text.rstrip("\n")
        + "\n\n# Added by surrender when this file was read: the price list it names, as it was then.\n"
        + f'[{PRICE_LIST_TEXT}]\nfile = {json.dumps(name, ensure_ascii=False)}\nsha256 = "{digest}"\n'
        + f"csv = {json.dumps(prices, ensure_ascii=False)}\n"
    )
