"""agency row security: each agency's roles see and write that agency's rows only

Revision ID: 0012_agency_row_security
Revises: 0011_web_access
Create Date: 2026-12-05 21:00:00

PostgreSQL only (SQLite has no roles: nothing happens there). A schema of its own,
`dossiers_access`, holds the mapping role → agency (`agency_roles`; agency NULL: every agency),
with the role running this migration, the schema owner, mapped to every agency. Then every
table holding an agency's data (the list is `dossiers.store.access.WALLED`, as it stands
when this migration runs: PROTECTED, and the RETIRED tables a later migration drops) gets row-level security, enabled and forced, and its one policy
reading the agency from the mapping of `current_user`: a role without a mapping sees nothing.
"""
from typing import Sequence, Union

from alembic import op
from sqlalchemy import inspect

from dossiers.store import access


revision: str = '0012_agency_row_security'
down_revision: Union[str, Sequence[str], None] = '0011_web_access'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _present(connection) -> list[str]:  # type: ignore[no-untyped-def]
    names = set(inspect(connection).get_table_names(schema="public"))
    return [table for table in access.WALLED if table in names]


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    access.create_mapping(connection)
    access.protect(connection, _present(connection))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    access.unprotect(connection, _present(connection))
    access.drop_mapping(connection)
