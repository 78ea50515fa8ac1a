"""One PostgreSQL for the network (issue 22): each agency's role sees and writes only its
agency's rows, the database refusing the rest. Real roles on the test server: a schema owner
that is not a superuser, two agency roles, a role of every agency, a web login."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from dossiers.store import access
from dossiers.store.database import head_revision, open_engine, upgrade
from tests.conftest import TEST_DB, Dossiers, _admin_url

DAY = "2026-11-23"
LYON, METZ = "Lyon Part-Dieu", "Metz Centre"

postgres_only = pytest.mark.skipif(not TEST_DB, reason="row-level security is PostgreSQL's")


def _as(url: str, role: str) -> str:
    return make_url(url).set(username=role, password="secret-" + role).render_as_string(
        hide_password=False)


@dataclass
class Network:
    owner: Dossiers
    lyon: Dossiers
    metz: Dossiers
    every: Dossiers
    roles: dict[str, str]
    url: str


@pytest.fixture
def network_roles(tmp_path: Path) -> Iterator[Network]:
    """The demo network in a database owned by a role that is not a superuser; roles for
    Lyon, Metz and every agency, granted by that owner with password files."""
    suffix = uuid.uuid4().hex[:10]
    names = {key: f"{key}_{suffix}" for key in ("owner", "lyon", "metz", "every", "web")}
    database = f"dossiers_rls_{suffix}"
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{names["owner"]}" LOGIN CREATEROLE'))
        connection.execute(text(f'CREATE DATABASE "{database}" OWNER "{names["owner"]}"'))
    url = make_url(_admin_url()).set(database=database).render_as_string(hide_password=False)
    try:
        owner = Dossiers(_as(url, names["owner"]))
        owner.ok("init")
        owner.ok("sample", "--as-of", DAY)
        for key, agency in (("lyon", LYON), ("metz", METZ), ("every", None)):
            secret = tmp_path / f"{key}.secret"
            secret.write_text(f"secret-{names[key]}\n", encoding="utf-8")
            where = [agency] if agency else ["--all"]
            owner.ok("agency", "grant", *where, "--role", names[key], "--password-file",
                     str(secret))
        yield Network(owner, Dossiers(_as(url, names["lyon"])), Dossiers(_as(url, names["metz"])),
                      Dossiers(_as(url, names["every"])), names, url)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            for name in names.values():
                connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def _stable(output: str) -> list[str]:
    """Without the calendar's title (it names the agency asked for) and time stamps."""
    return [line for line in output.splitlines()
            if not line.startswith(("X-WR-CALNAME", "DTSTAMP", "NAME:"))]


def _references(output: str) -> set[str]:
    return {row["reference"] for row in json.loads(output)}


@postgres_only
def test_each_agency_role_sees_exactly_its_rows_through_every_command(
        network_roles: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIERS_MAIL_FROM", "Dossiers <dossiers@interim-exemple.fr>")
    net = network_roles
    owner, lyon = net.owner, net.lyon
    every = _references(owner.ok("list", "--json", "--as-of", DAY, "--all"))
    assert len(every) == 50
    mine = _references(lyon.ok("list", "--json", "--as-of", DAY, "--all"))
    assert mine == {r for r in every if r.startswith("LYO-")}
    assert _references(net.metz.ok("list", "--json", "--as-of", DAY, "--all")) == {
        r for r in every if r.startswith("MET-")}
    assert _references(net.every.ok("list", "--json", "--as-of", DAY, "--all")) == every
    # The same answers as the owner's filtered by agency, command by command.
    for args in (["list", "--json", "--as-of", DAY],
                 ["report", "overdue", "--format", "json", "--as-of", DAY],
                 ["report", "upcoming", "--within", "30", "--format", "json", "--as-of", DAY],
                 ["calendar", "--as-of", DAY]):
        command = args[:2] if args[0] == "report" else args[:1]
        assert _stable(lyon.ok(*args)) == _stable(
            owner.ok(*command, "--agency", LYON, *args[len(command):]))
    assert [row["name"] for row in json.loads(lyon.ok("agency", "list", "--json"))] == [LYON]
    assert {row["agency"] for row in json.loads(lyon.ok("staff", "list", "--json"))} == {LYON}
    shown = lyon.run("show", "MET-CDPI-01")
    assert shown.exit_code == 2 and "MET-CDPI-01" not in shown.stdout
    # remind composes this agency's digests only.
    digests = lyon.ok("remind", "--dry-run", "--as-of", "2026-11-24")
    assert "interim-exemple.fr" in digests
    assert "weber" not in digests and "MET-" not in digests and "PAP-" not in digests
    # purge counts and deletes this agency's dossiers only.
    lyon.ok("record", "LYO-CDPI-01", "close", "--on", "2026-11-20")
    net.metz.ok("record", "MET-CDPI-01", "close", "--on", "2026-11-20")
    assert "2 dossiers" in lyon.ok("purge", "--closed-before", "2026-11-22")
    assert "MET-CDPI-01" in owner.ok("list", "--json", "--all", "--as-of", DAY)
    assert "LYO-CDPI-01" not in owner.ok("list", "--json", "--all", "--as-of", DAY)


@postgres_only
def test_remind_under_an_agency_role_composes_and_sends_that_agency_only(
        network_roles: Network, monkeypatch: pytest.MonkeyPatch, smtp) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DOSSIERS_MAIL_FROM", "Dossiers <dossiers@interim-exemple.fr>")
    lyon_staff = {row["email"] for row in json.loads(
        network_roles.owner.ok("staff", "list", "--agency", LYON, "--json"))}
    network_roles.lyon.ok("remind", "--as-of", "2026-11-24")
    sent = {recipient for received in smtp.outbox for recipient in received.recipients}
    assert sent and sent <= lyon_staff
    engine = open_engine(network_roles.owner.url)
    with engine.connect() as connection:
        assert set(connection.scalars(text("SELECT recipient FROM outbox"))) == sent
    engine.dispose()
    # Metz's run afterwards sends Metz its own digests.
    smtp.outbox.clear()
    network_roles.metz.ok("remind", "--as-of", "2026-11-24")
    metz = {recipient for received in smtp.outbox for recipient in received.recipients}
    assert metz and not metz & lyon_staff


@postgres_only
def test_import_under_an_agency_role_writes_that_agency_only(
        network_roles: Network, tmp_path: Path) -> None:
    header = "type;interimaire;debut;fin;heures_formation;responsable;reference\n"
    good = tmp_path / "lyon.csv"
    good.write_text(header + "cdpi;Ana P.;2027-03-01;2027-04-09;210;"
                    "lea.martin@interim-exemple.fr;LYO-NEW-1\n", encoding="utf-8")
    assert "1 dossier importé" in network_roles.lyon.ok("import", str(good))
    other = tmp_path / "metz.csv"
    other.write_text(header + "cdpi;Ana P.;2027-03-01;2027-04-09;210;"
                     "julien.weber@interim-exemple.fr;LYO-NEW-2\n", encoding="utf-8")
    refused = network_roles.lyon.run("import", str(other))
    assert refused.exit_code == 2
    assert "LYO-NEW-2" not in network_roles.owner.ok("list", "--json", "--as-of", DAY)


@postgres_only
def test_a_write_into_another_agency_is_refused_by_the_database(network_roles: Network) -> None:
    net = network_roles
    before = net.owner.dump()
    # A reference Metz holds: Lyon cannot see it, its checks pass, the database refuses.
    result = net.lyon.run("open", "--kind", "cdpi", "--worker", "Ana P.", "--start",
                          "2027-03-01", "--end", "2027-04-09", "--training-hours", "210",
                          "--owner", "lea.martin@interim-exemple.fr", "--reference",
                          "MET-CDPI-01")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "autre agence" in result.stderr
    assert net.owner.dump() == before
    # An owner of another agency: Lyon's role cannot even find the person.
    moved = net.lyon.run("update", "LYO-CDPI-03", "--owner", "julien.weber@interim-exemple.fr")
    assert moved.exit_code == 2 and moved.stderr.count("\n") == 1
    assert net.owner.dump() == before
    # Straight SQL under Lyon's role: a row of Metz, or a Lyon row moved into Metz.
    engine = open_engine(net.lyon.url)
    try:
        with engine.connect() as connection:
            metz = connection.scalar(text("SELECT count(*) FROM agencies"))
            assert metz == 1
        for statement in (
            "UPDATE dossiers SET agency_id = (SELECT max(agency_id) + 1000 FROM dossiers) "
            "WHERE reference = 'LYO-CDPI-01'",
            "INSERT INTO events (dossier_id, kind, occurred_on, recorded_at) VALUES "
            "((SELECT min(id) FROM dossiers) + 30, 'close', '2026-11-20', now())",
            "TRUNCATE outbox CASCADE",
            "CREATE TABLE mine (id integer)",
            "ALTER TABLE dossiers DISABLE ROW LEVEL SECURITY",
        ):
            with engine.connect() as connection, pytest.raises(ProgrammingError):
                connection.execute(text(statement))
    finally:
        engine.dispose()
    assert net.owner.dump() == before


@postgres_only
def test_a_session_variable_or_a_guessed_id_shows_nothing_more(network_roles: Network) -> None:
    net = network_roles
    engine = open_engine(net.owner.url)
    with engine.connect() as connection:
        metz_ids = list(connection.scalars(text(
            "SELECT d.id FROM dossiers d JOIN agencies a ON a.id = d.agency_id "
            "WHERE a.name = :n"), {"n": METZ}))
        metz_agency = connection.scalar(text("SELECT id FROM agencies WHERE name = :n"),
                                        {"n": METZ})
    engine.dispose()
    assert metz_ids
    for ident in metz_ids[:3]:
        assert net.lyon.run("show", str(ident)).exit_code == 2
    engine = open_engine(net.lyon.url)
    try:
        with engine.connect() as connection:
            for name in ("dossiers.agency_id", "app.agency", "app.current_agency"):
                connection.execute(text("SELECT set_config(:n, :v, false)"),
                                   {"n": name, "v": str(metz_agency)})
            assert connection.scalar(text(
                "SELECT count(*) FROM dossiers WHERE id = ANY(:ids)"), {"ids": metz_ids}) == 0
            assert connection.scalar(text(
                "SELECT count(*) FROM timelines WHERE dossier_id = ANY(:ids)"),
                {"ids": metz_ids}) == 0
            assert connection.scalar(text(
                "SELECT count(*) FROM staff WHERE agency_id = :a"), {"a": metz_agency}) == 0
            # Its own line of the mapping only, and no way to write one.
            assert connection.scalar(text(f"SELECT count(*) FROM {access.MAPPING}")) == 1
        for statement in (f'SET ROLE "{net.roles["metz"]}"',
                          f"INSERT INTO {access.MAPPING} VALUES (current_user, NULL)",
                          f"UPDATE {access.MAPPING} SET agency_id = NULL"):
            with engine.connect() as connection, pytest.raises(ProgrammingError):
                connection.execute(text(statement))
    finally:
        engine.dispose()


@postgres_only
def test_a_revoked_role_and_a_role_without_mapping_see_nothing(network_roles: Network) -> None:
    net = network_roles
    net.owner.ok("agency", "revoke", LYON, "--role", net.roles["lyon"])
    refused = net.lyon.run("list", "--as-of", DAY)
    assert refused.exit_code == 1 and refused.stderr.startswith("Erreur : ")
    # Privileges without a mapping: fail closed.
    admin = create_engine(make_url(_admin_url()).set(
        database=make_url(net.url).database).render_as_string(hide_password=False))
    with admin.begin() as connection:
        connection.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO '
                                f'"{net.roles["lyon"]}"'))
        connection.execute(text(f'GRANT USAGE ON SCHEMA {access.SCHEMA} TO '
                                f'"{net.roles["lyon"]}"'))
        connection.execute(text(f'GRANT SELECT ON {access.MAPPING} TO "{net.roles["lyon"]}"'))
    admin.dispose()
    engine = open_engine(net.lyon.url)
    with engine.connect() as connection:
        for table in access.PROTECTED:
            assert connection.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
    engine.dispose()


@postgres_only
def test_a_pooled_connection_never_keeps_the_agency_role(network_roles: Network) -> None:
    """The web view's login takes an agency's role for one transaction (act_as): the
    connection goes back to the pool of one with its own role, after a commit or a
    rollback."""
    net = network_roles
    web = net.roles["web"]
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{web}" LOGIN NOINHERIT'))
        connection.execute(text(f'GRANT "{net.roles["lyon"]}", "{net.roles["metz"]}" TO "{web}"'))
    admin.dispose()
    url = make_url(_as(net.url, web))
    engine = create_engine(url.set(drivername="postgresql+psycopg"), pool_size=1,
                           max_overflow=0)
    try:
        backends = set()
        for role, prefix, ending in ((net.roles["lyon"], "LYO-", "commit"),
                                     (net.roles["metz"], "MET-", "rollback"),
                                     (net.roles["lyon"], "LYO-", "error")):
            try:
                with engine.connect() as connection, connection.begin() as transaction:
                    access.act_as(connection, role)
                    backends.add(connection.scalar(text("SELECT pg_backend_pid()")))
                    assert connection.scalar(text("SELECT current_user")) == role
                    references = set(connection.scalars(text("SELECT reference FROM dossiers")))
                    assert references and all(r.startswith(prefix) for r in references)
                    if ending == "rollback":
                        transaction.rollback()
                    elif ending == "error":
                        raise RuntimeError("the request failed")
            except RuntimeError:
                pass
            with engine.connect() as connection:
                assert connection.scalar(text("SELECT current_user")) == web
                assert connection.scalar(text("SELECT session_user")) == web
                with pytest.raises(ProgrammingError):  # the login alone reads nothing
                    connection.execute(text("SELECT count(*) FROM dossiers"))
        assert len(backends) == 1  # one pooled connection throughout
        with engine.connect() as connection:
            with pytest.raises(ValueError):
                access.act_as(connection, 'lyon"; RESET ROLE; --')
            connection.rollback()
        from dossiers.store.database import transaction as session_transaction

        with session_transaction(engine, write=False) as session:
            access.act_as(session, net.roles["metz"])
            assert session.scalar(text("SELECT current_user")) == net.roles["metz"]
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT current_user")) == web
    finally:
        engine.dispose()


@postgres_only
def test_access_check_names_every_hole_and_exits_1(network_roles: Network) -> None:
    net = network_roles
    unmapped = net.owner.run("access", "check")
    assert unmapped.exit_code == 1
    assert unmapped.stdout.splitlines() == [
        "- agence « Nantes Ouest » : aucun rôle (dossiers agency grant « Nantes Ouest » "
        "--role NOM)",
        "- agence « Pointe-à-Pitre » : aucun rôle (dossiers agency grant « Pointe-à-Pitre » "
        "--role NOM)"]
    for agency, key in (("Nantes Ouest", "nantes"), ("Pointe-à-Pitre", "pap")):
        net.roles[key] = f"{key}_{net.roles['web'].removeprefix('web_')}"
        net.owner.ok("agency", "grant", agency, "--role", net.roles[key])
    assert net.owner.ok("access", "check").startswith("Sécurité par agence : aucun problème")
    admin = create_engine(make_url(_admin_url()).set(
        database=make_url(net.url).database).render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        # A later migration's table holding an agency's data, forgotten in PROTECTED.
        connection.execute(text("CREATE TABLE web_tokens (id serial PRIMARY KEY, "
                                "staff_id integer REFERENCES staff (id))"))
        connection.execute(text("ALTER TABLE web_tokens OWNER TO "
                                f'"{net.roles["owner"]}"'))
        connection.execute(text("ALTER TABLE events NO FORCE ROW LEVEL SECURITY"))
        connection.execute(text(f'ALTER ROLE "{net.roles["metz"]}" BYPASSRLS'))
        connection.execute(text("INSERT INTO agencies (name, zone, prism_member) "
                                "VALUES ('Brest', 'metropole', false)"))
    admin.dispose()
    result = net.owner.run("access", "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any("« web_tokens »" in line and "staff" in line for line in lines), lines
    assert any("« events »" in line and "non forcée" in line for line in lines), lines
    assert any(net.roles["metz"] in line and "BYPASSRLS" in line for line in lines), lines
    assert any("« Brest »" in line for line in lines), lines
    assert len(lines) == 4, lines
    # Under an agency's role the check says it cannot see the whole mapping.
    assert net.lyon.run("access", "check").exit_code == 1


@postgres_only
def test_grant_refuses_the_owner_and_a_superuser(network_roles: Network) -> None:
    for role in (network_roles.roles["owner"], "postgres"):
        result = network_roles.owner.run("agency", "grant", LYON, "--role", role)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
    result = network_roles.owner.run("agency", "grant", LYON, "--role", "Lyon-1")
    assert result.exit_code == 2 and "--role" in result.stderr


@postgres_only
def test_the_catalogue_check_passes_after_every_migration(database_url: str) -> None:
    """From the migration that raises the walls to the newest, each step keeps every table
    holding an agency's data protected."""
    from alembic.script import ScriptDirectory
    from sqlalchemy.orm import Session

    from dossiers.services.agency_roles import check
    from dossiers.store.database import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    first = revisions.index("0012_agency_row_security")
    engine = open_engine(database_url)
    try:
        upgrade(engine, revisions[first - 1])
        for revision in revisions[first:]:
            upgrade(engine, revision)
            with engine.connect() as connection, Session(connection) as session:
                assert check(session) == [], revision
        assert revisions[-1] == head_revision()
    finally:
        engine.dispose()


@pytest.mark.skipif(bool(TEST_DB), reason="SQLite's refusal")
@pytest.mark.parametrize("args", [["agency", "grant", "Lyon", "--role", "lyon"],
                                  ["agency", "revoke", "Lyon", "--role", "lyon"],
                                  ["access", "check"]])
def test_sqlite_refuses_the_agency_roles_in_one_line(network: Dossiers, args: list[str]) -> None:
    before = network.dump()
    result = network.run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and "PostgreSQL" in result.stderr
    assert network.dump() == before


def test_the_migration_does_nothing_on_sqlite(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'one-office.db'}")
    upgrade(engine)
    with engine.connect() as connection:
        assert not connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE '%agency_roles%'").scalar()
    engine.dispose()
