"""forces as data: a `force` table, stations with their force, address, hours, contact and
closing date; every force-owned row carries its force; staff numbers unique within a force;
export batches numbered per force. An existing database keeps TW and PK as Cambridgeshire's.

Revision ID: 0008_forces
Revises: 0007_evidence
Create Date: 2026-12-03
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import surrender.coltypes

revision: str = '0008_forces'
down_revision: Union[str, None] = '0007_evidence'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FORCE, FORCE_NAME = 'CAMBS', 'Cambridgeshire Constabulary'
# Force-owned tables whose rows now say whose they are (staff and station handled on their own).
OWNED = ('staff_station', 'reference_counter', 'claimant', 'surrender', 'item_line', 'item', 'export_batch',
         'claim', 'evidence', 'payer_decision', 'claim_dispute', 'location', 'destruction_batch', 'exhibit',
         'custody_event', 'stock_check')
UNSETTLED_INDEX = 'ux_export_batch_unsettled_path'


def _force_code(nullable: bool = True) -> sa.Column:
    return sa.Column('force_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=nullable)


def upgrade() -> None:
    op.create_table('force',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.execute(sa.text("INSERT INTO force (code, name) VALUES (:code, :name)").bindparams(code=FORCE, name=FORCE_NAME))

    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.add_column(_force_code())
        batch_op.add_column(sa.Column('address', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('hours', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', surrender.coltypes.UTCDateTime(timezone=True), nullable=True))
    op.execute(f"UPDATE station SET force_code = '{FORCE}'")
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.alter_column('force_code', existing_type=sqlmodel.sql.sqltypes.AutoString(length=10),
                              nullable=False)
        batch_op.create_index('ix_station_force_code', ['force_code'], unique=False)
        batch_op.create_foreign_key('fk_station_force_code', 'force', ['force_code'], ['code'])
        batch_op.drop_column('force')

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(_force_code())
    op.execute(f"UPDATE staff SET force_code = '{FORCE}'")
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_number')
        batch_op.create_index('ix_staff_number', ['number'], unique=False)
        batch_op.create_unique_constraint('uq_staff_force_number', ['force_code', 'number'])
        batch_op.create_foreign_key('fk_staff_force_code', 'force', ['force_code'], ['code'])

    op.drop_index(UNSETTLED_INDEX, table_name='export_batch')
    for name in OWNED:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(_force_code())
            if name == 'export_batch':
                batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        op.execute(f"UPDATE {name} SET force_code = '{FORCE}'")
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column('force_code', existing_type=sqlmodel.sql.sqltypes.AutoString(length=10),
                                  nullable=False)
            batch_op.create_foreign_key(f'fk_{name}_force_code', 'force', ['force_code'], ['code'])
            if name == 'surrender':
                batch_op.create_index('ix_surrender_force_code', ['force_code'], unique=False)
    # Until now a batch's number was its id: each keeps the number it was shown and typed by.
    op.execute("UPDATE export_batch SET number = id")
    with op.batch_alter_table('export_batch', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_export_batch_force_number', ['force_code', 'number'])
    op.create_index(UNSETTLED_INDEX, 'export_batch', ['host', 'path'], unique=True,
                    sqlite_where=sa.text('settled_at IS NULL'), postgresql_where=sa.text('settled_at IS NULL'))


def downgrade() -> None:
    op.drop_index(UNSETTLED_INDEX, table_name='export_batch')
    for name in reversed(OWNED):
        with op.batch_alter_table(name, schema=None) as batch_op:
            if name == 'surrender':
                batch_op.drop_index('ix_surrender_force_code')
            if name == 'export_batch':
                batch_op.drop_constraint('uq_export_batch_force_number', type_='unique')
                batch_op.drop_column('number')
            batch_op.drop_constraint(f'fk_{name}_force_code', type_='foreignkey')
            batch_op.drop_column('force_code')
    op.create_index(UNSETTLED_INDEX, 'export_batch', ['host', 'path'], unique=True,
                    sqlite_where=sa.text('settled_at IS NULL'), postgresql_where=sa.text('settled_at IS NULL'))
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint('fk_staff_force_code', type_='foreignkey')
        batch_op.drop_constraint('uq_staff_force_number', type_='unique')
        batch_op.drop_index('ix_staff_number')
        batch_op.create_index('ix_staff_number', ['number'], unique=True)
        batch_op.drop_column('force_code')
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.add_column(sa.Column('force', sa.VARCHAR(), nullable=True))
    op.execute("UPDATE station SET force = (SELECT name FROM force WHERE force.code = station.force_code)")
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.alter_column('force', existing_type=sa.VARCHAR(), nullable=False)
        batch_op.drop_constraint('fk_station_force_code', type_='foreignkey')
        batch_op.drop_index('ix_station_force_code')
        for column in ('closed_at', 'contact', 'hours', 'address', 'force_code'):
            batch_op.drop_column(column)
    op.drop_table('force')
