"""custody: locations (a counter for every station), exhibits (one per tag a receipt prints),
custody events, stock checks and destruction batches

Revision ID: 0006_custody
Revises: 0005_exports
Create Date: 2026-12-03

Surrenders already on file get their exhibits here, by the same rule the receipt prints tags
by (`rules.custody.tags_for`, via `store.custody.create_exhibits`): at their station's counter
since they were surrendered. Where the audit trail already vouches for records, one event
`custody.backfilled` vouches for those exhibits (else `audit baseline` will, with the rest).
"""
import datetime as dt
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import context, op


revision: str = '0006_custody'
down_revision: Union[str, None] = '0005_exports'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('max_days', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['station_code'], ['station.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_location_code', 'location', ['code'], unique=True)
    op.create_index('ix_location_station_code', 'location', ['station_code'], unique=False)
    op.create_table('destruction_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('contractor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sealed_by', sa.Integer(), nullable=True),
    sa.Column('witness_1', sa.Integer(), nullable=True),
    sa.Column('witness_2', sa.Integer(), nullable=True),
    sa.Column('certificate', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['sealed_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['station_code'], ['station.code'], ),
    sa.ForeignKeyConstraint(['witness_1'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['witness_2'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_destruction_batch_station_code', 'destruction_batch', ['station_code'], unique=False)
    op.create_table('exhibit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tag', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('surrender_id', sa.Integer(), nullable=False),
    sa.Column('line_number', sa.Integer(), nullable=False),
    sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('campaign_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('seal', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['destruction_batch.id'], ),
    sa.ForeignKeyConstraint(['campaign_code'], ['campaign.code'], ),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], ),
    sa.ForeignKeyConstraint(['station_code'], ['station.code'], ),
    sa.ForeignKeyConstraint(['surrender_id'], ['surrender.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_exhibit_tag', 'exhibit', ['tag'], unique=True)
    op.create_index('ix_exhibit_surrender_id', 'exhibit', ['surrender_id'], unique=False)
    op.create_index('ix_exhibit_batch_id', 'exhibit', ['batch_id'], unique=False)
    op.create_index('ix_exhibit_tally', 'exhibit', ['station_code', 'campaign_code', 'state', 'quantity'], unique=False)
    op.create_index('ix_exhibit_state_place', 'exhibit', ['state', 'location_id', 'since'], unique=False)
    op.create_table('stock_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('found', sa.Integer(), nullable=False),
    sa.Column('missing', sa.Integer(), nullable=False),
    sa.Column('elsewhere', sa.Integer(), nullable=False),
    sa.Column('unknown', sa.Integer(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_stock_check_location_id', 'stock_check', ['location_id'], unique=False)
    op.create_table('custody_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exhibit_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('from_location_id', sa.Integer(), nullable=True),
    sa.Column('to_location_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['destruction_batch.id'], ),
    sa.ForeignKeyConstraint(['check_id'], ['stock_check.id'], ),
    sa.ForeignKeyConstraint(['exhibit_id'], ['exhibit.id'], ),
    sa.ForeignKeyConstraint(['from_location_id'], ['location.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['to_location_id'], ['location.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_custody_event_exhibit_id', 'custody_event', ['exhibit_id'], unique=False)
    # The tool's own code makes the counters and exhibits, so it runs once the schema is the one
    # that code is written for: at the end of the upgrade, in its transaction (migrations/env.py).
    context.config.attributes.setdefault('after_upgrade', []).append(_counters_and_exhibits)


def _counters_and_exhibits(conn) -> None:
    """A counter for every station; exhibits for the surrenders already logged."""
    from surrender import tables
    from surrender.store.custody import counter_of, create_exhibits

    now = dt.datetime.now(dt.timezone.utc)
    stations = conn.execute(sa.select(tables.station.c.code, tables.station.c.force_code)
                            .order_by(tables.station.c.code)).all()
    for code, force in stations:
        counter_of(conn, code, force, now)
    surrenders = conn.execute(sa.select(tables.surrender.c.id).order_by(tables.surrender.c.id)).scalars().all()
    made = sum(create_exhibits(conn, ident, now) for ident in surrenders)
    vouched = conn.execute(sa.select(tables.audit_event.c.id).where(tables.audit_event.c.state.is_not(None))
                           .limit(1)).first()
    if surrenders and vouched:
        from surrender.services import audit

        audit.record(conn, now, None, "custody.backfilled", "custody", "0006_custody",
                     {"surrenders": len(surrenders), "exhibits": made},
                     touches=[f"surrender:{ident}" for ident in surrenders])


def downgrade() -> None:
    op.drop_index('ix_custody_event_exhibit_id', table_name='custody_event')
    op.drop_table('custody_event')
    op.drop_index('ix_stock_check_location_id', table_name='stock_check')
    op.drop_table('stock_check')
    for name in ('ix_exhibit_state_place', 'ix_exhibit_tally', 'ix_exhibit_batch_id', 'ix_exhibit_surrender_id',
                 'ix_exhibit_tag'):
        op.drop_index(name, table_name='exhibit')
    op.drop_table('exhibit')
    op.drop_index('ix_destruction_batch_station_code', table_name='destruction_batch')
    op.drop_table('destruction_batch')
    op.drop_index('ix_location_station_code', table_name='location')
    op.drop_index('ix_location_code', table_name='location')
    op.drop_table('location')
