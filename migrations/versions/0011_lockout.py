"""wrong PINs slow down per member and per terminal: when a member's last wrong PIN was typed,
and a count per terminal

Revision ID: 0011_lockout
Revises: 0012_status_limits
Create Date: 2026-12-03
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0011_lockout'
down_revision: Union[str, None] = '0012_status_limits'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('pin_terminal',
    sa.Column('terminal', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('failed_pins', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('terminal')
    )
    op.add_column('staff', sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+): recreating `staff` would trip the
    # foreign keys that point at it.
    with op.batch_alter_table('staff', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('last_failed_at')
    op.drop_table('pin_terminal')
