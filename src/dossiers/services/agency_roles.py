"""Who sees which agency on PostgreSQL: `agency grant|revoke` (a login role mapped to an
agency, or to every agency) and `access check` (the catalogue read back: every table holding
an agency's data under forced row-level security, no command role above the walls, every
agency with a role). The walls themselves are in store/access.py and migration 0012."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from dossiers import messages
from dossiers.errors import InvalidInput
from dossiers.services.network import agency_named
from dossiers.store import access


class NeedsPostgres(InvalidInput):
    """SQLite: one file, one office; there are no roles to wall agencies apart."""

    def __init__(self) -> None:
        super().__init__("base de données", messages.ACCESS_NEEDS_POSTGRES)


def require_postgres(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        raise NeedsPostgres


def _check_role_name(role: str) -> None:
    if not access.ROLE_NAME.match(role):
        raise InvalidInput("--role", f"« {role} » n'est pas un nom de rôle permis (lettres "
                           "minuscules sans accent, chiffres et _, 63 caractères au plus, "
                           "pas de chiffre en tête)")


@dataclass(frozen=True)
class Granted:
    role: str
    agency: str | None
    """None: every agency."""
    created: bool
    password_set: bool


def grant(session: Session, agency_name: str | None, role: str,
          password: str | None) -> Granted:
    """Create the login role (or update it: password, privileges) and map it to the agency,
    or to every agency when `agency_name` is None. The schema owner, a superuser or a
    BYPASSRLS role is refused: the database would not stop it."""
    connection = session.connection()
    require_postgres(connection)
    _check_role_name(role)
    agency = agency_named(session, agency_name) if agency_name is not None else None
    if role == access.schema_owner(connection):
        raise InvalidInput("--role", messages.role_is_owner(role))
    found = connection.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles "
                                    "WHERE rolname = :role"), {"role": role}).first()
    if found is not None and (found.rolsuper or found.rolbypassrls):
        raise InvalidInput("--role", messages.role_above_the_walls(role))
    if found is None:
        access.create_role(connection, role)
    if password is not None:
        access.set_password(connection, role, password)
    access.grant_privileges(connection, role, agency is None)
    access.map_role(connection, role, agency.id if agency is not None else None)
    return Granted(role, agency.name if agency is not None else None, found is None,
                   password is not None)


def revoke(session: Session, agency_name: str | None, role: str) -> str | None:
    """Unmap the role and take back its privileges; the role itself stays (a cluster-wide
    object an administrator drops). Returns the agency's name (None: every agency)."""
    connection = session.connection()
    require_postgres(connection)
    _check_role_name(role)
    agency = agency_named(session, agency_name) if agency_name is not None else None
    mapped, agency_id = access.mapping_of(connection, role)
    wanted = agency.id if agency is not None else None
    if not mapped or agency_id != wanted:
        raise InvalidInput("--role", messages.role_not_mapped(
            role, agency.name if agency is not None else None))
    access.unmap_role(connection, role)
    access.revoke_privileges(connection, role)
    return agency.name if agency is not None else None


def check(session: Session) -> list[str]:
    """Every problem of the catalogue, one French line each (none: the walls hold)."""
    connection = session.connection()
    require_postgres(connection)
    if not access.has_mapping(connection):
        return [messages.ACCESS_NOT_INSTALLED]
    problems = _check_tables(connection)
    owner = access.schema_owner(connection)
    user, superuser = connection.execute(text(
        "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")).one()
    if user != owner and not superuser:
        problems.append(messages.access_check_not_owner(user))
    names = dict(connection.execute(text("SELECT id, name FROM public.agencies")).all())
    mapped = connection.execute(text(
        f"SELECT m.role_name, m.agency_id, r.rolsuper, r.rolbypassrls, r.rolname IS NULL "
        f"FROM {access.MAPPING} m LEFT JOIN pg_roles r ON r.rolname = m.role_name "
        "ORDER BY m.role_name")).all()
    for role, agency_id, is_super, bypass, missing in mapped:
        if role == owner:
            continue  # the schema owner's own line, written by the migration
        agency = names.get(agency_id) if agency_id is not None else None
        if missing:
            problems.append(messages.role_missing(role, agency))
        elif is_super or bypass:
            problems.append(messages.role_bypasses(role, agency, bool(is_super)))
    with_role = {agency_id for _role, agency_id, *_ in mapped if agency_id is not None}
    problems += [messages.agency_without_role(name) for agency_id, name in sorted(
        names.items(), key=lambda item: item[1]) if agency_id not in with_role]
    return problems


def _check_tables(connection: Connection) -> list[str]:
    problems = []
    rows = connection.execute(text(
        "SELECT c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, "
        "  (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid), "
        "  coalesce(array_to_string(c.reloptions, ','), '') "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.relname"
    )).all()
    columns: dict[str, set[str]] = {}
    for table, column in connection.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public'")):
        columns.setdefault(table, set()).add(column)
    references: dict[str, set[str]] = {}
    for table, target in connection.execute(text(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE c.contype = 'f' AND n.nspname = 'public'")):
        references.setdefault(table.removeprefix("public."), set()).add(
            target.removeprefix("public."))
    for table, kind, enabled, forced, policies, options in rows:
        if kind in ("v", "m"):
            if kind == "m" or "security_invoker=true" not in options.replace(" ", ""):
                problems.append(messages.view_not_invoker(table))
            continue
        if table in access.WALLED:
            if not enabled:
                problems.append(messages.table_without_rls(table))
            elif not forced:
                problems.append(messages.table_not_forced(table))
            elif not policies:
                problems.append(messages.table_without_policy(table))
            continue
        if table == "alembic_version":
            continue
        why = sorted(columns.get(table, set()) & set(access.AGENCY_COLUMNS))
        why += sorted(references.get(table, set()) & set(access.PROTECTED))
        if why:
            problems.append(messages.table_unprotected(table, why))
    return problems
