"""An item in the desk's own words, one line: how the prompts, the review and a stock list's
summary all describe it, so an officer reads one item the same way wherever it shows."""

from __future__ import annotations

from surrender.rules.campaign import Campaign
from surrender.rules.items import Item
from surrender.rules.money import format_gbp


def describe(campaign: Campaign, item: Item) -> str:
    """`Zombie-style knife 10in: plain edge, sharp point, serrated 3in` (blank features left out)."""
    features = campaign.features
    parts = []
    for name, value in item.features.items():
        feature = features.get(name)
        if feature is None or value == feature.blank:
            continue
        label = name.replace("_", " ")
        parts.append(label if value is True else f"{label} {feature.show(value)}")
    if item.quantity > 1:
        parts.append(f"x{item.quantity}")
    if item.claimed_value_pence is not None:
        parts.append(f"value {format_gbp(item.claimed_value_pence)} ({item.evidence})")
    if item.seal:
        parts.append(f"seal {item.seal}")
    blade = features["blade_length"].show(item.blade_length_mm)
    label = campaign.kinds[item.kind].label if item.kind in campaign.kinds else item.kind
    return f"{label} {blade}" + (f": {', '.join(parts)}" if parts else "")
