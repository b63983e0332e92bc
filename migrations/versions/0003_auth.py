"""authentication: wrong-PIN counter and lock, stations granted to staff

Revision ID: 0003_auth
Revises: 0001
Create Date: 2026-11-25
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0003_auth'
down_revision: Union[str, None] = '0002_audit'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_pins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('staff_station',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['station_code'], ['station.code'], ),
    sa.PrimaryKeyConstraint('staff_id', 'station_code')
    )


def downgrade() -> None:
    op.drop_table('staff_station')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('locked_at')
        batch_op.drop_column('failed_pins')
