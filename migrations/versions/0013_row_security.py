"""row-level security on PostgreSQL: every force-owned table shows a database role only the rows
of the force `force_role` maps it to (`surrender db force-role FORCE DBROLE`), even through psql

On PostgreSQL each table carrying `force_code` gets ENABLE and FORCE ROW LEVEL SECURITY and two
policies: `force_rows` (everyone: USING and WITH CHECK `force_code` = the force of the querying
role, read through the SECURITY DEFINER function `surrender_role_force(current_user)`; a role
mapped to no force, or to the national figures, sees and writes nothing) and `owner_rows` (the
role running this migration, which owns the tables and runs `db upgrade` and `db force-role`:
every row, so FORCE does not lock the owner out; a superuser bypasses RLS anyway). The tables
are found by their `force_code` column, so a force-owned table added before this revision is
covered; one added after needs the same two policies (a test checks every such table has them).
Export batch ids come from their sequence from now on (`store.batches.next_batch_id`), so it is
moved past the ids taken as max(id) + 1 until now.
On SQLite only the (unused) `force_role` table is made: one file is one force.

Revision ID: 0013_row_security
Revises: 0014_force_chains
Create Date: 2026-12-03
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0013_row_security'
down_revision: Union[str, None] = '0014_force_chains'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FUNCTION = 'surrender_role_force'
ROLE_FORCE = f'(SELECT {FUNCTION}(current_user))'  # a sub-select: evaluated once per statement


def _owned_tables(conn) -> list[str]:
    return list(conn.execute(sa.text(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'force_code' AND table_name <> 'force_role' ORDER BY table_name")).scalars())


def upgrade() -> None:
    op.create_table('force_role',
    sa.Column('role_name', sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
    sa.Column('force_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.ForeignKeyConstraint(['force_code'], ['force.code'], ),
    sa.PrimaryKeyConstraint('role_name')
    )
    conn = op.get_bind()
    if conn.dialect.name != 'postgresql':
        return
    owner = conn.dialect.identifier_preparer.quote(conn.execute(sa.text('SELECT current_user')).scalar_one())
    op.execute(f"""
        CREATE FUNCTION {FUNCTION}(role_name name) RETURNS varchar
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {conn.execute(sa.text('SELECT current_schema()')).scalar_one()}, pg_temp
        AS $$ SELECT force_code FROM force_role WHERE force_role.role_name = $1::text $$""")
    op.execute('REVOKE ALL ON force_role FROM PUBLIC')
    # Batch ids were max(id) + 1 until now, which row security would make collide between forces:
    # they come from the table's sequence from here on, so it starts past every id taken.
    op.execute("SELECT setval(pg_get_serial_sequence('export_batch', 'id'), COALESCE(MAX(id), 0) + 1, false) "
               "FROM export_batch")
    for table in _owned_tables(conn):
        op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY force_rows ON {table} USING (force_code = {ROLE_FORCE}) '
                   f'WITH CHECK (force_code = {ROLE_FORCE})')
        op.execute(f'CREATE POLICY owner_rows ON {table} TO {owner} USING (true) WITH CHECK (true)')


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == 'postgresql':
        op.execute('DROP VIEW IF EXISTS force_totals')
        for table in _owned_tables(conn):
            op.execute(f'DROP POLICY IF EXISTS owner_rows ON {table}')
            op.execute(f'DROP POLICY IF EXISTS force_rows ON {table}')
            op.execute(f'ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE {table} DISABLE ROW LEVEL SECURITY')
        op.execute(f'DROP FUNCTION IF EXISTS {FUNCTION}(name)')
    op.drop_table('force_role')
