"""`claims status` misses, counted per member and per terminal to bound postcode guessing

Revision ID: 0012_status_limits
Revises: 0009_bookings
Create Date: 2026-12-03
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0012_status_limits'
down_revision: Union[str, None] = '0009_bookings'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('status_miss',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('terminal', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('force_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.ForeignKeyConstraint(['force_code'], ['force.code'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_status_miss_at', 'status_miss', ['at'], unique=False)
    op.create_index('ix_status_miss_staff_id', 'status_miss', ['staff_id'], unique=False)
    op.create_index('ix_status_miss_terminal', 'status_miss', ['terminal'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_status_miss_terminal', table_name='status_miss')
    op.drop_index('ix_status_miss_staff_id', table_name='status_miss')
    op.drop_index('ix_status_miss_at', table_name='status_miss')
    op.drop_table('status_miss')
