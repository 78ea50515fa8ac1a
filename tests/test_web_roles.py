"""The web view under PostgreSQL's walls (issue 22 point 4): one login, neither owner nor
superuser, NOINHERIT, member of the agency roles; each request's transaction takes the role of
the signed-in person's agency by `SET LOCAL ROLE` (the network's role for the sign-in and
token look-ups), and a pooled connection goes back with the login's role.

Real roles on the test server, as in test_row_security: they run under `make test-postgres`
and skip on SQLite, which has no roles."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import StaticPool

from tests.conftest import TEST_DB, _admin_url
from tests.test_row_security import DAY, LYON, Network, _as, network_roles  # noqa: F401
from tests.test_web import Clock, csrf_of, references, use_link

pytestmark = pytest.mark.skipif(
    not TEST_DB, reason="roles and row-level security are PostgreSQL's: make test-postgres")

MORNING = datetime(2026, 11, 23, 11, 0)  # DAY, noon in Paris
SOPHIE = "sophie.garnier@interim-exemple.fr"  # manager, Lyon
LEA = "lea.martin@interim-exemple.fr"  # charge, Lyon
PAUL = "paul.lemaire@interim-exemple.fr"  # manager, Nantes: no role for Nantes here


@dataclass
class WebNet:
    net: Network
    app: Flask
    login: str
    outbox: Path
    taken: list[str]
    """Every role a request took (store.access.act_as), in order."""

    def sign_in(self, email: str) -> FlaskClient:
        """Through the sign-in page and the mailed link, as a person would."""
        client = self.app.test_client()
        form = client.get("/connexion")
        client.post("/connexion", data={"csrf": csrf_of(form.text), "email": email})
        mails = sorted(self.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        link = re.search(r"http://127\.0\.0\.1:8000(/connexion/\S+)", mails[-1].read_text())
        assert link is not None
        assert use_link(client, link.group(1)).status_code == 303
        return client

    def login_role(self) -> Any:
        engine = self.app.extensions["dossiers"]["engine"]
        with engine.connect() as connection:
            return connection.execute(text("SELECT current_user, session_user")).one()


def _web_app(url: str, outbox: Path) -> Flask:
    from dossiers.settings import load_settings
    from dossiers.web.app import WebSettings, create_app

    settings = load_settings(None, {"DOSSIERS_MAIL_TRANSPORT": "file",
                                    "DOSSIERS_MAIL_OUTBOX_DIR": str(outbox),
                                    "DOSSIERS_MAIL_FROM": "Dossiers <dossiers@example.fr>"})
    return create_app(WebSettings(url, "http://127.0.0.1:8000", b"k" * 32, settings,
                                  clock=Clock(MORNING)))


@pytest.fixture
def webnet(network_roles: Network, tmp_path: Path,  # noqa: F811
           monkeypatch: pytest.MonkeyPatch) -> Iterator[WebNet]:
    from dossiers.store import access

    net = network_roles
    login = net.roles["web"]
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{login}" LOGIN NOINHERIT NOSUPERUSER '
                                f"NOBYPASSRLS PASSWORD 'secret-{login}'"))
        connection.execute(text(f'GRANT "{net.roles["lyon"]}", "{net.roles["metz"]}", '
                                f'"{net.roles["every"]}" TO "{login}"'))
    admin.dispose()
    net.owner.ok("staff", "add", "Anne Admin", "--email", "anne@interim-exemple.fr", "--role",
                 "admin", "--agency", "Metz Centre")
    taken: list[str] = []
    real = access.act_as

    def spy(session_or_connection: Any, role: str) -> None:
        taken.append(role)
        real(session_or_connection, role)

    monkeypatch.setattr(access, "act_as", spy)
    url = _as(net.url, login)
    app = _web_app(url, tmp_path / "mails")
    # A pool of one connection: every request reuses it.
    app.extensions["dossiers"]["engine"].dispose()
    app.extensions["dossiers"]["engine"] = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"), poolclass=StaticPool)
    try:
        yield WebNet(net, app, login, tmp_path / "mails", taken)
    finally:
        app.extensions["dossiers"]["engine"].dispose()


def _owner_overdue(net: Network) -> set[str]:
    return {row["reference"] for row in json.loads(net.owner.ok(
        "report", "overdue", "--agency", LYON, "--format", "json", "--as-of", DAY))}


def test_the_login_is_neither_owner_nor_superuser_and_sees_nothing_itself(
        webnet: WebNet) -> None:
    assert webnet.app.extensions["dossiers"]["walled"]
    engine = webnet.app.extensions["dossiers"]["engine"]
    with engine.connect() as connection:
        row = connection.execute(text(
            "SELECT rolsuper, rolbypassrls, rolinherit FROM pg_roles "
            "WHERE rolname = current_user")).one()
        assert tuple(row) == (False, False, False)
        owner = connection.scalar(text(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'dossiers'"))
        assert owner == webnet.net.roles["owner"] != webnet.login
    with engine.connect() as connection, pytest.raises(ProgrammingError):
        connection.execute(text("SELECT count(*) FROM public.dossiers"))


def test_a_lyon_manager_sees_exactly_lyons_overdue_rows_pages_and_downloads(
        webnet: WebNet) -> None:
    expected = _owner_overdue(webnet.net)
    assert expected and all(reference.startswith("LYO-") for reference in expected)
    client = webnet.sign_in(SOPHIE)
    webnet.taken.clear()
    assert set(references(client.get("/").text)) == expected
    assert webnet.taken == [webnet.net.roles["every"], webnet.net.roles["lyon"]]
    table = csv.reader(io.StringIO(client.get("/retards.csv").text), delimiter=";")
    header = next(table)
    column = next(i for i, name in enumerate(header) if "éférence" in name)
    assert {line[column] for line in table if line} == expected
    assert client.get("/dossiers/LYO-CDPI-01").status_code == 200
    assert client.get("/dossiers/MET-CDPI-01").status_code == 404
    assert webnet.login_role() == (webnet.login, webnet.login)


def test_the_database_walls_metz_off_even_when_the_apps_scope_lets_everything_through(
        webnet: WebNet, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from dossiers.services.access import Scope

    monkeypatch.setattr(Scope, "restrict", lambda self, query: query)
    monkeypatch.setattr(Scope, "sees", lambda self, dossier: True)
    # The owner's login (no walls but the app's): the permissive scope shows Metz...
    owner_app = _web_app(webnet.net.owner.url, tmp_path / "owner-mails")
    try:
        assert not owner_app.extensions["dossiers"]["walled"]
        owner_client = WebNet(webnet.net, owner_app, "", tmp_path / "owner-mails",
                              []).sign_in(SOPHIE)
        assert owner_client.get("/dossiers/MET-CDPI-01").status_code == 200
        assert any(r.startswith("MET-") for r in references(owner_client.get("/").text))
    finally:
        owner_app.extensions["dossiers"]["engine"].dispose()
    # ...the web login under Lyon's role gets nothing of Metz, by the database alone.
    client = webnet.sign_in(SOPHIE)
    assert client.get("/dossiers/MET-CDPI-01").status_code == 404
    shown = set(references(client.get("/").text))
    assert shown and all(reference.startswith("LYO-") for reference in shown)
    assert "MET-" not in client.get("/retards.csv").text
    assert webnet.login_role() == (webnet.login, webnet.login)


def test_an_admin_reads_under_the_networks_role(webnet: WebNet) -> None:
    client = webnet.sign_in("anne@interim-exemple.fr")
    webnet.taken.clear()
    shown = set(references(client.get("/").text))
    assert {reference[:4] for reference in shown} >= {"LYO-", "MET-"}
    assert webnet.taken == [webnet.net.roles["every"]] * 2


def test_an_agency_without_a_role_gets_a_french_error_never_other_rows(
        webnet: WebNet) -> None:
    client = webnet.sign_in(PAUL)  # the sign-in itself is the network's look-up
    answer = client.get("/")
    assert answer.status_code == 503
    assert "Accès non configuré" in answer.text and "votre agence" in answer.text
    assert "LYO-" not in answer.text and "NAN-" not in answer.text
    assert client.get("/dossiers/LYO-CDPI-01").status_code == 503
    assert webnet.login_role() == (webnet.login, webnet.login)


def test_the_calendar_feed_runs_under_its_owners_agency_role(webnet: WebNet) -> None:
    out = webnet.net.owner.ok("calendar", "subscribe", "--owner", LEA, "--base-url",
                              "https://dossiers.example.fr")
    path = out.splitlines()[1].removeprefix("https://dossiers.example.fr")
    assert path.startswith("/calendrier/")
    webnet.taken.clear()
    feed = webnet.app.test_client().get(path)  # no session: the token alone
    assert feed.status_code == 200
    assert webnet.taken == [webnet.net.roles["every"], webnet.net.roles["lyon"]]
    owned = {row["reference"] for row in json.loads(webnet.net.owner.ok(
        "list", "--json", "--as-of", DAY, "--owner", LEA))}
    assert owned
    for reference in owned:
        assert reference in feed.text
    assert "MET-" not in feed.text
    assert webnet.login_role() == (webnet.login, webnet.login)


def test_without_a_network_role_the_app_does_not_start(webnet: WebNet,
                                                       tmp_path: Path) -> None:
    from dossiers.web.app import NoWebRole

    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'REVOKE "{webnet.net.roles["every"]}" FROM "{webnet.login}"'))
    admin.dispose()
    with pytest.raises(NoWebRole):
        _web_app(_as(webnet.net.url, webnet.login), tmp_path / "mails")


def test_serve_without_a_network_role_stops_in_one_line(webnet: WebNet) -> None:
    from tests.conftest import Dossiers

    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'REVOKE "{webnet.net.roles["every"]}" FROM "{webnet.login}"'))
    admin.dispose()
    result = Dossiers(_as(webnet.net.url, webnet.login)).run("serve", "--port", "0")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "toutes les agences" in result.stderr


def test_web_role_names_only_roles_the_login_is_a_member_of(webnet: WebNet) -> None:
    from dossiers.store import access

    net = webnet.net
    owner = create_engine(make_url(net.owner.url).set(drivername="postgresql+psycopg"))
    with owner.connect() as connection:
        ids = dict(connection.execute(text("SELECT name, id FROM agencies")).all())
    owner.dispose()
    engine = webnet.app.extensions["dossiers"]["engine"]
    with engine.connect() as connection:
        assert access.web_role(connection, ids[LYON]) == net.roles["lyon"]
        assert access.web_role(connection, None) == net.roles["every"]
        assert access.web_role(connection, ids["Nantes Ouest"]) is None
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'REVOKE "{net.roles["lyon"]}" FROM "{webnet.login}"'))
    admin.dispose()
    with engine.connect() as connection:
        # Lyon's line is still in the mapping: the login may no longer take it.
        assert access.web_role(connection, ids[LYON]) is None
    client = webnet.sign_in(SOPHIE)
    assert client.get("/").status_code == 503
