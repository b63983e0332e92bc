"""an audit chain per force: `audit_event.force_code` names the chain an event belongs to and
`audit_head` holds one tip per chain (`force_code` None: the national chain), so one force's
appends lock only its own head. Every existing event was one chain and stays it, as
Cambridgeshire's (the force 0008 gave every existing row); the national chain starts empty.

Revision ID: 0014_force_chains
Revises: 0011_lockout
Create Date: 2026-12-03
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0014_force_chains'
down_revision: Union[str, None] = '0011_lockout'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FORCE = 'CAMBS'
GENESIS = '0' * 64


def _force_code() -> sa.Column:
    return sa.Column('force_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(_force_code())
    op.execute(f"UPDATE audit_event SET force_code = '{FORCE}'")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_audit_event_force_code', 'force', ['force_code'], ['code'])
        batch_op.create_index('ix_audit_event_force_code_id', ['force_code', 'id'], unique=False)

    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(_force_code())
    op.execute(f"UPDATE audit_head SET force_code = '{FORCE}' WHERE id = 1")
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_audit_head_force_code', 'force', ['force_code'], ['code'])
        batch_op.create_unique_constraint('uq_audit_head_force_code', ['force_code'])
    if op.get_bind().dialect.name == 'postgresql':  # the one head's id was written by hand
        op.execute("SELECT setval(pg_get_serial_sequence('audit_head', 'id'), (SELECT max(id) FROM audit_head))")
    # Every other force's chain (a database shared before this revision) starts at its next event.
    op.execute(
        f"INSERT INTO audit_head (last_hash, force_code) SELECT '{GENESIS}', code FROM force WHERE code <> '{FORCE}'"
    )
    op.execute(f"INSERT INTO audit_head (last_hash, force_code) VALUES ('{GENESIS}', NULL)")


def downgrade() -> None:
    op.execute("DELETE FROM audit_head WHERE id <> 1")
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_head_force_code', type_='unique')
        batch_op.drop_constraint('fk_audit_head_force_code', type_='foreignkey')
        batch_op.drop_column('force_code')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_force_code_id')
        batch_op.drop_constraint('fk_audit_event_force_code', type_='foreignkey')
        batch_op.drop_column('force_code')
