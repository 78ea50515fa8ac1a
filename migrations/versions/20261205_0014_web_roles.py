"""web roles: the web view's login finds the role that serves an agency

Revision ID: 0014_web_roles
Revises: 0013_timeline_intervals
Create Date: 2026-12-05 22:00:00

PostgreSQL only (nothing happens on SQLite). The mapping's policy shows a role its own line
only, so the web view's login (neither owner nor superuser, NOINHERIT, member of the agency
roles) cannot read which role serves an agency. `dossiers_access.web_role(agency)`, SECURITY
DEFINER, answers that: a role mapped to exactly that agency (NULL: to every agency) among
those the session's login is a member of, never a superuser, a BYPASSRLS role or the tables'
owner; NULL when there is none (the web view then refuses: it fails closed).
"""
from typing import Sequence, Union

from alembic import op

from dossiers.store import access


revision: str = '0014_web_roles'
down_revision: Union[str, Sequence[str], None] = '0013_timeline_intervals'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    access.create_web_role_function(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    access.drop_web_role_function(connection)
