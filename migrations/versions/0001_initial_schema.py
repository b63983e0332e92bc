"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25

Also seeds the two designated Cambridgeshire stations and the audit chain's genesis tip.
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('campaign',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('claimant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('business_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('account_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sort_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('account_number', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('station',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('town', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('force', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('reference_counter',
    sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('campaign_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_code'], ['campaign.code'], ),
    sa.ForeignKeyConstraint(['station_code'], ['station.code'], ),
    sa.PrimaryKeyConstraint('station_code', 'campaign_code')
    )
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('pin_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['station_code'], ['station.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_number'), ['number'], unique=True)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hash')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_entity_id'), ['entity_id'], unique=False)

    op.create_table('export_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    sa.Column('claim_count', sa.Integer(), nullable=False),
    sa.Column('total_pence', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('surrender',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('campaign_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('surrendered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('surrendered_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('claimant_id', sa.Integer(), nullable=True),
    sa.Column('declared', sa.Boolean(), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_by', sa.Integer(), nullable=True),
    sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_code'], ['campaign.code'], ),
    sa.ForeignKeyConstraint(['claimant_id'], ['claimant.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['station_code'], ['station.code'], ),
    sa.ForeignKeyConstraint(['voided_by'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('station_code', 'campaign_code', 'number')
    )
    with op.batch_alter_table('surrender', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surrender_campaign_code'), ['campaign_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_surrender_reference'), ['reference'], unique=True)
        batch_op.create_index(batch_op.f('ix_surrender_station_code'), ['station_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_surrender_surrendered_at'), ['surrendered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_surrender_surrendered_on'), ['surrendered_on'], unique=False)

    op.create_table('claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('surrender_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('claimed_pence', sa.Integer(), nullable=False),
    sa.Column('payable_pence', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('flags', sa.Text(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('manager_approved_by', sa.Integer(), nullable=True),
    sa.Column('manager_approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['export_batch.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['manager_approved_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['paid_by'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['surrender_id'], ['surrender.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('surrender_id')
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_status'), ['status'], unique=False)

    op.create_table('item',
    sa.Column('surrender_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('line_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['surrender_id'], ['surrender.id'], ),
    sa.PrimaryKeyConstraint('surrender_id', 'line')
    )
    op.create_table('item_line',
    sa.Column('surrender_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('first_line', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('blade_length_mm', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('features', sa.Text(), nullable=False),
    sa.Column('quantity_each', sa.Integer(), nullable=False),
    sa.Column('claimed_value_pence', sa.Integer(), nullable=True),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('acquired_on', sa.Date(), nullable=True),
    sa.Column('seal', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('unit_claimed_pence', sa.Integer(), nullable=False),
    sa.Column('unit_compensation_pence', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('claimed_pence', sa.Integer(), nullable=False),
    sa.Column('compensation_pence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['surrender_id'], ['surrender.id'], ),
    sa.PrimaryKeyConstraint('surrender_id', 'number')
    )
    with op.batch_alter_table('item_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_line_kind'), ['kind'], unique=False)

    station = sa.table("station", sa.column("code"), sa.column("name"), sa.column("town"), sa.column("force"))
    op.bulk_insert(station, [
        {"code": "TW", "name": "Thorpe Wood Police Station", "town": "Peterborough",
         "force": "Cambridgeshire Constabulary"},
        {"code": "PK", "name": "Parkside Police Station", "town": "Cambridge",
         "force": "Cambridgeshire Constabulary"},
    ])
    audit_head = sa.table("audit_head", sa.column("id"), sa.column("last_hash"))
    op.bulk_insert(audit_head, [{"id": 1, "last_hash": "0" * 64}])


def downgrade() -> None:
    with op.batch_alter_table('item_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_line_kind'))

    op.drop_table('item_line')
    op.drop_table('item')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_status'))
        batch_op.drop_index(batch_op.f('ix_claim_batch_id'))

    op.drop_table('claim')
    with op.batch_alter_table('surrender', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_surrender_surrendered_on'))
        batch_op.drop_index(batch_op.f('ix_surrender_surrendered_at'))
        batch_op.drop_index(batch_op.f('ix_surrender_station_code'))
        batch_op.drop_index(batch_op.f('ix_surrender_reference'))
        batch_op.drop_index(batch_op.f('ix_surrender_campaign_code'))

    op.drop_table('surrender')
    op.drop_table('export_batch')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_entity_id'))

    op.drop_table('audit_event')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_number'))

    op.drop_table('staff')
    op.drop_table('reference_counter')
    op.drop_table('station')
    op.drop_table('claimant')
    op.drop_table('campaign')
    op.drop_table('audit_head')
