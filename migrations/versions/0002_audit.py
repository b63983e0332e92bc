"""record digests in audit events; per-claimant salt

Revision ID: 0002_audit
Revises: 0001
Create Date: 2026-11-25

Audit events gain `state` (digests of the records they changed, part of the event's hash);
claimants gain `salt` (random, salts their digests; wiped on purge). Claimants already on file
get a salt here.
"""
import secrets
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0002_audit'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event') as batch:
        batch.add_column(sa.Column('state', sa.Text(), nullable=True))
    with op.batch_alter_table('claimant') as batch:
        batch.add_column(sa.Column('salt', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    claimant = sa.table('claimant', sa.column('id'), sa.column('salt'), sa.column('purged_at'))
    conn = op.get_bind()
    for (ident,) in conn.execute(sa.select(claimant.c.id).where(claimant.c.purged_at.is_(None))):
        conn.execute(claimant.update().where(claimant.c.id == ident).values(salt=secrets.token_hex(16)))


def downgrade() -> None:
    with op.batch_alter_table('claimant') as batch:
        batch.drop_column('salt')
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_column('state')
