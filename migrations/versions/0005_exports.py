"""exports atomic with their file: staged path, final path, host, settled time and anchor per
batch; export_staging rows for files being staged

Revision ID: 0005_exports
Revises: 0002_audit
Create Date: 2026-11-25
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0005_exports'
down_revision: Union[str, None] = '0002_audit'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('export_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('path', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('staged_path', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('anchor', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    # Batches from before this revision had their file written already: settled.
    op.execute("UPDATE export_batch SET settled_at = created_at")
    op.create_index('ux_export_batch_unsettled_path', 'export_batch', ['host', 'path'], unique=True,
                    sqlite_where=sa.text('settled_at IS NULL'), postgresql_where=sa.text('settled_at IS NULL'))
    op.create_table('export_staging',
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('staged_path', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token')
    )


def downgrade() -> None:
    op.drop_table('export_staging')
    op.drop_index('ux_export_batch_unsettled_path', table_name='export_batch')
    with op.batch_alter_table('export_batch', schema=None) as batch_op:
        batch_op.drop_column('anchor')
        batch_op.drop_column('settled_at')
        batch_op.drop_column('staged_path')
        batch_op.drop_column('path')
        batch_op.drop_column('host')
