"""bookings for bulk surrenders (issue 17 point 5): who is coming to which station, on which day,
with how many items, and the surrender each was matched to at the counter

Revision ID: 0009_bookings
Revises: 0008_forces
Create Date: 2026-12-03
"""
import hashlib
import re
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0009_bookings'
down_revision: Union[str, None] = '0008_forces'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PRESETS = ('zombie-2024', 'ninja-2025')
BOOKING_LINES = ('# Anyone bringing this many items or more is asked to book a time through 101 first\n'
                 '# (Cambridgeshire: "anyone bringing 5 or more items"); the desk is shown the booking.\n'
                 'booking_threshold = 5\n')


def _campaign_table():
    return sa.table('campaign', sa.column('code', sa.String()), sa.column('source', sa.Text()),
                    sa.column('sha256', sa.String()))


def _presets_ask_for_bookings() -> None:
    """A preset code only ever holds the preset's text (services.campaigns.register): presets
    registered before `booking_threshold` existed get the lines the shipped presets now carry,
    right after `timezone`, as they do."""
    conn = op.get_bind()
    campaign = _campaign_table()
    rows = conn.execute(sa.select(campaign.c.code, campaign.c.source).where(campaign.c.code.in_(PRESETS))).all()
    for code, source in rows:
        if re.search(r'^booking_threshold\s*=', source, re.M):
            continue
        zone = re.search(r'^timezone\s*=.*\n', source, re.M)
        if zone is None:
            continue
        text = source[:zone.end()] + BOOKING_LINES + source[zone.end():]
        conn.execute(sa.update(campaign).where(campaign.c.code == code)
                     .values(source=text, sha256=hashlib.sha256(text.encode()).hexdigest()))


def upgrade() -> None:
    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('business_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('surrender_id', sa.Integer(), nullable=True),
    sa.Column('force_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['force_code'], ['force.code'], ),
    sa.ForeignKeyConstraint(['station_code'], ['station.code'], ),
    sa.ForeignKeyConstraint(['surrender_id'], ['surrender.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_booking_station_code', 'booking', ['station_code'], unique=False)
    op.create_index('ix_booking_booked_on', 'booking', ['booked_on'], unique=False)
    op.create_index('ix_booking_surrender_id', 'booking', ['surrender_id'], unique=False)
    _presets_ask_for_bookings()


def downgrade() -> None:
    conn = op.get_bind()
    campaign = _campaign_table()
    for code, source in conn.execute(sa.select(campaign.c.code, campaign.c.source)
                                     .where(campaign.c.code.in_(PRESETS))).all():
        if BOOKING_LINES in source:
            text = source.replace(BOOKING_LINES, '', 1)
            conn.execute(sa.update(campaign).where(campaign.c.code == code)
                         .values(source=text, sha256=hashlib.sha256(text.encode()).hexdigest()))
    op.drop_index('ix_booking_surrender_id', table_name='booking')
    op.drop_index('ix_booking_booked_on', table_name='booking')
    op.drop_index('ix_booking_station_code', table_name='booking')
    op.drop_table('booking')
