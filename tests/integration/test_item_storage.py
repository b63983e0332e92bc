"""Declared features are stored as the fixed set was: item_line.features is JSON of name ->
value (blade_length and lengths as exact millimetre text), so rows logged before and after
issue 8 read alike."""

from __future__ import annotations

import json

from sqlalchemy import select

from surrender import db
from surrender.models import ItemLine
from surrender.rules.items import item_from_spec
from surrender.services.reading import show_surrender
from surrender.services.surrenders import LogRequest, log_surrender

OLD_ROW = {"blade_length": "254.0", "blunt_spine": False, "holes": 0, "plain_edge": True, "point_style": "other",
           "points": 0, "secondary_edge": False, "serrated_at_handle": False, "serrated_length": "76.2",
           "sharp_point": True, "spikes": False}


def test_a_preset_item_is_stored_in_the_same_json_as_before_and_an_old_row_still_shows(ctx):
    view = log_surrender(ctx, LogRequest(items=[item_from_spec("zombie-knife:10in:plain:point:serrated=3in")],
                                         anonymous=True))

    def stored(session):
        return session.execute(select(ItemLine.features)).scalar_one()
    assert json.loads(db.run(ctx.url, stored, write=False)) == OLD_ROW

    def make_old(session):  # a row as logged before features were declared, key order and all
        session.execute(ItemLine.__table__.update().values(features=json.dumps(OLD_ROW)))
    db.run(ctx.url, make_old)
    assert show_surrender(ctx, view.reference).items[0].eligible
