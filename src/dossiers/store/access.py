"""PostgreSQL row-level security per agency: the walls the database keeps between agencies.

Each table that holds an agency's data has one policy, `agency_rows`, ENABLEd and FORCEd (the
table owner is bound too), for reading and writing alike. It finds the agency of a row in one of
a few ways (`RULES`) and lets the row through when the mapping `dossiers_access.agency_roles`
maps `current_user` to that agency, or to every agency (an admin mapping: agency_id NULL).
A role with no mapping sees nothing and writes nothing (fail closed); a session variable
changes nothing, since the policies read `current_user` only.

`PROTECTED` is the one list of those tables: a migration that adds a table holding an agency's
data adds its line here and calls `protect(connection, [table])` in its upgrade; `dossiers
access check` (services/agency_roles.py) names any table that points at agency data (an `agency_id` or
`dossier_id` column, a foreign key to a protected table) and is not protected.

SQLite has no roles: everything here is for PostgreSQL, and migration 0012 does nothing there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, text

SCHEMA = "dossiers_access"
MAPPING = f"{SCHEMA}.agency_roles"
POLICY = "agency_rows"

_ADMIN = (f"EXISTS (SELECT 1 FROM {MAPPING} m WHERE m.role_name = current_user "
          "AND m.agency_id IS NULL)")
_AGENCIES = f"(SELECT m.agency_id FROM {MAPPING} m WHERE m.role_name = current_user)"

RULES = {
    "agency": f"agency_id IN {_AGENCIES}",
    "itself": f"id IN {_AGENCIES}",
    # The dossiers this role sees, by the dossiers' own policy.
    "dossier": "dossier_id IN (SELECT d.id FROM public.dossiers d)",
    # A digest belongs to the agency of the person it goes to.
    "recipient": "recipient IN (SELECT s.email FROM public.staff s)",
    # A sign-in link or a calendar subscription belongs to the agency of its person.
    "person": "staff_id IN (SELECT s.id FROM public.staff s)",
}
"""How a row finds its agency."""

PROTECTED: dict[str, str] = {
    "agencies": "itself",
    "staff": "agency",
    "dossiers": "agency",
    "events": "dossier",
    "missions": "dossier",
    "incidents": "dossier",
    "documents": "dossier",
    "changes": "dossier",
    "snoozes": "dossier",
    "timelines": "dossier",
    "outbox": "recipient",
    "outbox_items": "dossier",
    "sign_in_links": "person",
    "calendar_subscriptions": "person",
}
"""Every table holding an agency's data, and how its rows find their agency: one line each."""

RETIRED: dict[str, str] = {
    "steps": "dossier",
    "timeline_alerts": "dossier",
}
"""Tables of an older schema that held an agency's data (a stored schedule's steps and alerts,
packed into `timelines` by migration 0015): walled off like the others while they exist."""

WALLED: dict[str, str] = {**PROTECTED, **RETIRED}

SHARED = ("reminder_runs",)
"""Tables without an agency's data that the commands of every role write."""

AGENCY_COLUMNS = ("agency_id", "dossier_id")
"""A column of one of these names says a table holds an agency's data."""

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def policy_condition(table: str) -> str:
    return f"({_ADMIN}) OR ({RULES[WALLED[table]]})"


def protect(connection: Connection, tables: Iterable[str]) -> None:
    """Enable and force row-level security on these tables, with their one policy (again if
    it exists: the policy is replaced)."""
    for table in tables:
        condition = policy_condition(table)
        for statement in (f"ALTER TABLE public.{table} ENABLE ROW LEVEL SECURITY",
                          f"ALTER TABLE public.{table} FORCE ROW LEVEL SECURITY",
                          f"DROP POLICY IF EXISTS {POLICY} ON public.{table}",
                          f"CREATE POLICY {POLICY} ON public.{table} USING ({condition}) "
                          f"WITH CHECK ({condition})"):
            connection.exec_driver_sql(statement)


def unprotect(connection: Connection, tables: Iterable[str]) -> None:
    for table in tables:
        connection.exec_driver_sql(f"DROP POLICY IF EXISTS {POLICY} ON public.{table}")
        connection.exec_driver_sql(f"ALTER TABLE public.{table} NO FORCE ROW LEVEL SECURITY")
        connection.exec_driver_sql(f"ALTER TABLE public.{table} DISABLE ROW LEVEL SECURITY")


def create_mapping(connection: Connection) -> None:
    """The mapping role → agency, in a schema of its own. Its owner (the schema owner, who runs
    `agency grant`) reads and writes it; any other role reads its own line only, which the
    policies need."""
    for statement in (
        f"CREATE SCHEMA {SCHEMA}",
        f"CREATE TABLE {MAPPING} (role_name text PRIMARY KEY, agency_id integer "
        "REFERENCES public.agencies (id) ON DELETE CASCADE)",
        f"CREATE INDEX ix_agency_roles_agency_id ON {MAPPING} (agency_id)",
        f"ALTER TABLE {MAPPING} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY own_line ON {MAPPING} USING (role_name = current_user)",
        # The schema owner runs migrations and `init`: it sees every agency.
        f"INSERT INTO {MAPPING} (role_name, agency_id) VALUES (current_user, NULL)",
    ):
        connection.exec_driver_sql(statement)


def drop_mapping(connection: Connection) -> None:
    connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def has_mapping(connection: Connection) -> bool:
    return bool(connection.scalar(text("SELECT to_regclass(:name) IS NOT NULL"),
                                  {"name": MAPPING}))


def act_as(session_or_connection: Any, role: str) -> None:
    """Run the rest of the current transaction as an agency's role: `SET LOCAL ROLE`, which
    lasts until the transaction ends (committed or rolled back), never for the whole session:
    the connection goes back to the pool with its own login's role. For the web view: one
    login, member of the agency roles, neither owner nor superuser; one transaction per
    request.

    The session (or connection) must be in a transaction; `role` must be a role name
    (ROLE_NAME), which PostgreSQL checks the login may take."""
    if not ROLE_NAME.match(role):
        raise ValueError(f"not a role name: {role!r}")
    from sqlalchemy.orm import Session

    connection = (session_or_connection.connection()
                  if isinstance(session_or_connection, Session) else session_or_connection)
    if connection.dialect.name != "postgresql":
        raise ValueError("SET LOCAL ROLE needs PostgreSQL")
    if not connection.in_transaction():
        raise ValueError("SET LOCAL ROLE outside a transaction would not last")
    connection.exec_driver_sql(f'SET LOCAL ROLE "{role}"')


WEB_ROLE = f"{SCHEMA}.web_role"
"""The role that serves an agency, for the web view's login (migration 0014)."""


def create_web_role_function(connection: Connection) -> None:
    """`web_role(agency)`: a role mapped to exactly this agency (NULL: to every agency) that
    the session's login (`session_user`, whatever role it has taken) is a member of, the
    first by name; never a superuser, a BYPASSRLS role or the owner of the tables (nor the
    function's owner); NULL when there is none. SECURITY DEFINER: the mapping's policy shows a
    role its own line only. The schema is opened to every role for this function alone (the
    mapping table itself needs its own grant, which only the agency roles get)."""
    for statement in (
        f"CREATE FUNCTION {WEB_ROLE}(agency integer) RETURNS text "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$ "
        f"SELECT m.role_name FROM {MAPPING} m "
        "JOIN pg_catalog.pg_roles r ON r.rolname = m.role_name "
        "WHERE m.agency_id IS NOT DISTINCT FROM $1 "
        "AND m.role_name <> current_user AND NOT r.rolsuper AND NOT r.rolbypassrls "
        "AND r.oid <> (SELECT c.relowner FROM pg_catalog.pg_class c "
        "  WHERE c.oid = 'public.dossiers'::regclass) "
        "AND pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER') "
        "ORDER BY m.role_name LIMIT 1 $$",
        f"REVOKE ALL ON FUNCTION {WEB_ROLE}(integer) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {WEB_ROLE}(integer) TO PUBLIC",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO PUBLIC",
    ):
        connection.exec_driver_sql(statement)


def drop_web_role_function(connection: Connection) -> None:
    connection.exec_driver_sql(f"REVOKE USAGE ON SCHEMA {SCHEMA} FROM PUBLIC")
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {WEB_ROLE}(integer)")


def web_role(connection: Connection, agency_id: int | None) -> str | None:
    """The role this login takes for an agency (None: every agency), or None."""
    return connection.scalar(text(f"SELECT {WEB_ROLE}(:agency)"), {"agency": agency_id})


def walled_login(connection: Connection) -> bool:
    """Whether this PostgreSQL login must take an agency's role for each transaction: it is
    neither the tables' owner, nor a superuser, nor BYPASSRLS (read from the catalogue, which
    every role may read). On SQLite: False."""
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.scalar(text(
        "SELECT NOT (r.rolsuper OR r.rolbypassrls) AND r.rolname IS DISTINCT FROM ("
        "  SELECT tableowner FROM pg_catalog.pg_tables WHERE schemaname = 'public' "
        "  AND tablename = 'dossiers') "
        "FROM pg_catalog.pg_roles r WHERE r.rolname = session_user")))


def _execute(connection: Connection, statement: Any) -> None:
    """A psycopg `sql.Composed` statement (identifiers and literals quoted by the driver),
    on the connection's own transaction."""
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    with dbapi.cursor() as cursor:
        cursor.execute(statement)


def create_role(connection: Connection, role: str) -> None:
    from psycopg import sql

    _execute(connection, sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
                                 "NOCREATEROLE NOREPLICATION").format(sql.Identifier(role)))


def set_password(connection: Connection, role: str, password: str) -> None:
    from psycopg import sql

    _execute(connection, sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
        sql.Identifier(role), sql.Literal(password)))


def tables(connection: Connection) -> set[str]:
    return set(connection.scalars(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')")))


def grant_privileges(connection: Connection, role: str, every_agency: bool) -> None:
    """What the commands need and no more: read and write the rows the policies let through
    (no TRUNCATE, no DDL, no REFERENCES, no TRIGGER); an agency's role reads and edits its own
    agency, only a role of every agency adds one."""
    from psycopg import sql

    who = sql.Identifier(role)
    present = tables(connection)
    writable = [t for t in (*WALLED, *SHARED) if t in present and t != "agencies"]
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA public, {} TO {}").format(sql.Identifier(SCHEMA), who),
        sql.SQL("GRANT SELECT ON public.alembic_version, {} TO {}").format(
            sql.SQL(MAPPING), who),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(
            sql.SQL(", ").join(sql.Identifier("public", t) for t in writable), who),
        sql.SQL("GRANT SELECT, UPDATE ON public.agencies TO {}").format(who),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
    ]
    if every_agency:
        statements.append(sql.SQL("GRANT INSERT ON public.agencies TO {}").format(who))
    else:
        statements.append(sql.SQL("REVOKE INSERT, DELETE ON public.agencies FROM {}").format(who))
    for statement in statements:
        _execute(connection, statement)


def revoke_privileges(connection: Connection, role: str) -> None:
    from psycopg import sql

    who = sql.Identifier(role)
    for statement in (
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(who),
        sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(who),
        sql.SQL("REVOKE ALL ON {} FROM {}").format(sql.SQL(MAPPING), who),
        sql.SQL("REVOKE USAGE ON SCHEMA public, {} FROM {}").format(sql.Identifier(SCHEMA), who),
    ):
        _execute(connection, statement)


def map_role(connection: Connection, role: str, agency_id: int | None) -> None:
    connection.execute(text(
        f"INSERT INTO {MAPPING} (role_name, agency_id) VALUES (:role, :agency) "
        "ON CONFLICT (role_name) DO UPDATE SET agency_id = EXCLUDED.agency_id"),
        {"role": role, "agency": agency_id})


def unmap_role(connection: Connection, role: str) -> None:
    connection.execute(text(f"DELETE FROM {MAPPING} WHERE role_name = :role"), {"role": role})


def mapping_of(connection: Connection, role: str) -> tuple[bool, int | None]:
    """(mapped, agency id) of a role, as this connection may see it."""
    row = connection.execute(text(f"SELECT agency_id FROM {MAPPING} WHERE role_name = :role"),
                             {"role": role}).first()
    return (row is not None, row[0] if row is not None else None)


def schema_owner(connection: Connection) -> str | None:
    return connection.scalar(text(
        "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename = 'dossiers'"))


def scoped(connection: Connection) -> bool:
    """Whether this connection's role sees only some agencies (a mapping to one agency, or
    none): a unique value it cannot see may belong to another agency."""
    if connection.dialect.name != "postgresql" or not has_mapping(connection):
        return False
    if connection.scalar(text("SELECT rolsuper OR rolbypassrls FROM pg_roles "
                              "WHERE rolname = current_user")):
        return False
    return not connection.scalar(text(f"SELECT {_ADMIN}"))
