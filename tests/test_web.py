"""The managers' web view through Flask's test client, on a real database: sign-in, who sees
what (the same rows as `report overdue` for that scope), 404 outside it, headers, escaping,
downloads, the calendar feed (ETag, 304, revocation), read-only methods, `serve` refusals."""

from __future__ import annotations

import io
import json
import re
import socket
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Dossiers
from tests.test_reports import AS_OF, open_late_network

NOON = datetime(2027, 1, 13, 11, 0)  # 12:00 in Paris on AS_OF


@dataclass
class Clock:
    moment: datetime = NOON

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def late(network: Dossiers) -> Dossiers:
    """test_reports' network, plus an admin in Metz and a worker whose name is markup."""
    open_late_network(network, {"reference": "M-LATE", "start": "2027-01-12",
                                "end": "2027-02-26", "worker": "<script>alert(1)</script>"})
    network.ok("staff", "add", "Anne Admin", "--email", "anne@example.fr", "--role", "admin",
               "--agency", "Metz")
    return network


@dataclass
class Web:
    app: Flask
    clock: Clock
    tool: Dossiers
    outbox: Path

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def link_path(self, email: str) -> str:
        """A fresh sign-in link for `email`, made at the app's time (as `web link` does)."""
        from dossiers.services.web_access import create_sign_in_link, person_by_email
        from dossiers.store.database import open_engine, transaction

        engine = open_engine(self.tool.url)
        try:
            with transaction(engine) as session:
                person = person_by_email(session, email)
                assert person is not None
                return "/connexion/" + create_sign_in_link(session, person, self.clock())
        finally:
            engine.dispose()

    def signed_in(self, email: str) -> FlaskClient:
        client = self.client()
        assert use_link(client, self.link_path(email)).status_code == 303
        return client


def use_link(client: FlaskClient, path: str):  # type: ignore[no-untyped-def]
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"csrf": csrf_of(page.text)})


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


APPS: list[Flask] = []
"""Every app a test made: its engine's connections are given back when the test ends."""


@pytest.fixture(autouse=True)
def _apps_closed() -> Iterator[None]:
    yield
    while APPS:
        APPS.pop().extensions["dossiers"]["engine"].dispose()


def new_app(settings):  # type: ignore[no-untyped-def]
    from dossiers.web.app import create_app

    app = create_app(settings)
    APPS.append(app)
    return app


def make_web(tool: Dossiers, tmp_path: Path, page_size: int = 50,
             base_url: str = "http://127.0.0.1:8000") -> Web:
    from dossiers.settings import load_settings
    from dossiers.web.app import WebSettings

    outbox = tmp_path / "mails"
    settings = load_settings(None, {"DOSSIERS_MAIL_TRANSPORT": "file",
                                    "DOSSIERS_MAIL_OUTBOX_DIR": str(outbox),
                                    "DOSSIERS_MAIL_FROM": "Dossiers <dossiers@example.fr>"})
    clock = Clock()
    app = new_app(WebSettings(tool.url, base_url, b"k" * 32, settings,
                                 clock=clock, page_size=page_size))
    return Web(app, clock, tool, outbox)


@pytest.fixture
def web(late: Dossiers, tmp_path: Path) -> Web:
    return make_web(late, tmp_path)


def references(html: str) -> list[str]:
    return re.findall(r'<a href="/dossiers/([^"]+)">', html)


def test_a_visitor_is_sent_to_the_sign_in_page(web: Web) -> None:
    for path in ("/", "/echeances", "/dossiers/L-DRF", "/retards.csv", "/agenda"):
        answer = web.client().get(path)
        assert answer.status_code == 302 and answer.headers["Location"] == "/connexion"


def test_the_sign_in_page_mails_a_link_that_signs_in_once(web: Web) -> None:
    client = web.client()
    form = client.get("/connexion")
    answer = client.post("/connexion", data={"csrf": csrf_of(form.text), "email": "SOPHIE@example.fr"})
    assert answer.status_code == 200 and "Vérifiez votre messagerie" in answer.text
    [mail] = web.outbox.glob("*.eml")
    assert stat.S_IMODE(mail.stat().st_mode) == 0o600
    link = re.search(r"http://127\.0\.0\.1:8000(/connexion/\S+)", mail.read_text())
    assert link is not None
    signed = use_link(client, link.group(1))
    assert signed.status_code == 303 and signed.headers["Location"] == "/"
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Sophie Garnier" in client.get("/").text
    again = use_link(web.client(), link.group(1))
    assert again.status_code == 400 and "déjà servi ou a expiré" in again.text


def test_an_unknown_address_gets_the_same_answer_and_no_mail(web: Web) -> None:
    client = web.client()
    form = client.get("/connexion")
    answer = client.post("/connexion", data={"csrf": csrf_of(form.text), "email": "nobody@x.fr"})
    assert answer.status_code == 200 and "Vérifiez votre messagerie" in answer.text
    assert not list(web.outbox.glob("*.eml"))


def test_a_link_expires_after_15_minutes(web: Web) -> None:
    path = web.link_path("lea@example.fr")
    web.clock.moment = NOON + timedelta(minutes=15)
    assert use_link(web.client(), path).status_code == 400
    path = web.link_path("lea@example.fr")
    web.clock.moment += timedelta(minutes=14, seconds=59)
    assert use_link(web.client(), path).status_code == 303


def test_a_session_ends_after_12_hours_and_at_sign_out(web: Web) -> None:
    client = web.signed_in("lea@example.fr")
    web.clock.moment = NOON + timedelta(hours=11, minutes=59)
    assert client.get("/").status_code == 200
    web.clock.moment = NOON + timedelta(hours=12)
    assert client.get("/").status_code == 302
    web.clock.moment = NOON
    client = web.signed_in("lea@example.fr")
    page = client.get("/")
    assert client.post("/deconnexion", data={"csrf": csrf_of(page.text)}).status_code == 303
    assert client.get("/").status_code == 302


def test_a_post_without_its_form_token_is_refused(web: Web) -> None:
    client = web.client()
    client.get("/connexion")
    assert client.post("/connexion", data={"email": "lea@example.fr"}).status_code == 400
    path = web.link_path("lea@example.fr")
    assert client.post(path, data={"csrf": "forged"}).status_code == 400


def test_sign_in_requests_are_rate_limited_per_address_and_per_client(web: Web) -> None:
    client = web.client()
    token = csrf_of(client.get("/connexion").text)
    codes = [client.post("/connexion", data={"csrf": token, "email": "lea@example.fr"}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    codes = [client.post("/connexion", data={"csrf": token, "email": f"x{i}@example.fr"}).status_code
             for i in range(7)]
    assert codes == [200] * 6 + [429]  # 10 per client in 15 minutes
    web.clock.moment = NOON + timedelta(minutes=16)
    assert client.post("/connexion", data={"csrf": token, "email": "lea@example.fr"}
                       ).status_code == 200


def _cli_rows(tool: Dossiers, *scope: str) -> list[tuple[str, str]]:
    rows = json.loads(tool.ok("report", "overdue", "--format", "json", "--as-of", AS_OF, *scope))
    return [(row["reference"], row["step"]) for row in rows]


def _web_rows(client: FlaskClient, path: str = "/") -> list[tuple[str, str]]:
    html = client.get(path).text
    return list(zip(references(html), re.findall(r'<td data-label="Étape">([^<]+)</td>', html),
                    strict=True))


@pytest.mark.parametrize(("email", "scope"), [
    ("lea@example.fr", ("--owner", "lea@example.fr")),
    ("julien@example.fr", ("--owner", "julien@example.fr")),
    ("sophie@example.fr", ("--agency", "Lyon")),
    ("anne@example.fr", ()),
])
def test_each_role_sees_exactly_the_rows_of_report_overdue_for_its_scope(
        web: Web, email: str, scope: tuple[str, ...]) -> None:
    from dossiers.messages import STEP_SHORT_LABELS

    expected = [(reference, STEP_SHORT_LABELS[step])
                for reference, step in _cli_rows(web.tool, *scope)]
    assert expected  # every scope has late steps
    assert _web_rows(web.signed_in(email)) == expected


def test_the_csv_download_is_the_report_of_the_scope(web: Web) -> None:
    client = web.signed_in("sophie@example.fr")
    answer = client.get("/retards.csv")
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.data == web.tool.run("report", "overdue", "--format", "csv", "--as-of", AS_OF,
                                       "--agency", "Lyon").stdout_bytes


def test_a_dossier_outside_the_scope_is_not_found(web: Web) -> None:
    lea = web.signed_in("lea@example.fr")
    assert lea.get("/dossiers/L-DRF").status_code == 200
    for reference in ("S-CAR", "M-DRF", "NOT-A-DOSSIER"):
        answer = lea.get(f"/dossiers/{reference}")
        assert answer.status_code == 404 and "Page introuvable" in answer.text
    sophie = web.signed_in("sophie@example.fr")
    assert sophie.get("/dossiers/L-DRF").status_code == 200
    assert sophie.get("/dossiers/M-DRF").status_code == 404
    assert web.signed_in("anne@example.fr").get("/dossiers/M-DRF").status_code == 200


def test_the_dossier_page_shows_steps_alerts_explanations_and_history(web: Web) -> None:
    page = web.signed_in("lea@example.fr").get("/dossiers/L-CONTRACT").text
    for expected in ("Dossier L-CONTRACT", "Étapes au 13/01/2027", "en retard de 11", "R-CONTRACT",
                     "Explications", "Historique", "02/01/2027"):
        assert expected in page, expected


def test_filters_and_accent_free_search(web: Web) -> None:
    anne = web.signed_in("anne@example.fr")
    assert set(references(anne.get("/?type=car").text)) == {"S-CAR"}
    assert set(references(anne.get("/?agence=Metz").text)) == {"M-LATE"}
    assert set(references(anne.get("/?q=CHLOE").text)) == {"L-DRF"}
    assert set(references(anne.get("/?q=l-contr").text)) == {"L-CONTRACT"}
    sophie_id = re.search(r'<option value="(\d+)">Sophie Garnier', anne.get("/").text)
    assert sophie_id is not None
    assert set(references(anne.get(f"/?responsable={sophie_id.group(1)}").text)) == {"S-CAR"}
    # A manager cannot widen the scope by a filter: another agency is ignored.
    sophie = web.signed_in("sophie@example.fr")
    assert "M-LATE" not in sophie.get("/?agence=Metz").text
    upcoming = anne.get("/echeances?jours=7&statut=due_soon").text
    assert "Échéances des 7 prochains jours au 13/01/2027" in upcoming


def test_pages_are_cut_into_pages(late: Dossiers, tmp_path: Path) -> None:
    web = make_web(late, tmp_path, page_size=2)
    anne = web.signed_in("anne@example.fr")
    first = anne.get("/").text
    assert len(references(first)) == 2 and "Page suivante" in first
    second = anne.get("/?page=2").text
    assert "Page précédente" in second
    rows = _cli_rows(late)
    shown = references(first) + references(second) + references(anne.get("/?page=3").text)
    assert shown == [reference for reference, _ in rows]


def test_every_value_is_escaped(web: Web) -> None:
    anne = web.signed_in("anne@example.fr")
    for path in ("/", "/dossiers/M-LATE"):
        page = anne.get(path).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script" not in page


def test_security_headers(web: Web) -> None:
    for answer in (web.client().get("/connexion"), web.signed_in("lea@example.fr").get("/")):
        csp = answer.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert "script-src" not in csp and "unsafe-inline" not in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert "<script" not in answer.text and "style=" not in answer.text


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_nothing_but_get_is_allowed_outside_sign_in_and_out(web: Web, method: str) -> None:
    client = web.signed_in("anne@example.fr")
    for path in ("/", "/dossiers/L-DRF", "/retards.csv", "/agenda"):
        assert client.open(path, method=method).status_code == 405


def _subscribe(tool: Dossiers, *extra: str) -> str:
    out = tool.ok("calendar", "subscribe", "--owner", "lea@example.fr", "--base-url",
                  "https://dossiers.example.fr", *extra)
    lines = out.splitlines()
    assert lines[2] == "webcal://" + lines[1].split("://", 1)[1]
    return lines[1].removeprefix("https://dossiers.example.fr")


def test_the_calendar_feed_is_conditional_and_follows_the_dossiers(web: Web) -> None:
    path = _subscribe(web.tool)
    assert re.fullmatch(r"/calendrier/[A-Za-z0-9_-]{22}\.ics", path)
    client = web.client()  # no session: the token is the key
    first = client.get(path)
    assert first.status_code == 200 and first.mimetype == "text/calendar"
    body = first.data.decode()
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body and "X-PUBLISHED-TTL:PT1H" in body
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(path).data == first.data  # same data, same bytes (DTSTAMP stable)
    uids = set(re.findall(r"UID:(\S+)", body))
    cli = web.tool.ok("calendar", "--owner", "lea@example.fr", "--as-of", AS_OF)
    assert uids == set(re.findall(r"UID:(\S+)", cli))
    assert "L-DRF/drf@dossiers.invalid" in uids
    assert "L-CONTRACT/contract@dossiers.invalid" in uids
    web.tool.ok("record", "L-CONTRACT", "contract-submitted", "--on", "2027-01-12")
    after = client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert "L-CONTRACT/contract@" not in after.data.decode()  # done: gone at the next refresh


def test_a_new_subscription_replaces_the_old_and_revoke_ends_it(web: Web) -> None:
    old = _subscribe(web.tool)
    new = _subscribe(web.tool)
    client = web.client()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert "supprimé" in web.tool.ok("calendar", "subscribe", "--owner", "lea@example.fr",
                                      "--revoke")
    assert client.get(new).status_code == 404


def test_the_agenda_page_shows_the_subscription_as_webcal_and_https(
        late: Dossiers, tmp_path: Path) -> None:
    from dossiers.web.secret import key_path, load_key

    path = _subscribe(late)
    key = load_key(key_path(None))  # made by `calendar subscribe`, 0600
    assert key is not None and stat.S_IMODE(key_path(None).stat().st_mode) == 0o600
    web = make_web(late, tmp_path)
    web.app.extensions["dossiers"]["settings"] = _with_key(web, key)
    page = web.signed_in("lea@example.fr").get("/agenda").text
    assert f"webcal://127.0.0.1:8000{path}" in page and f"http://127.0.0.1:8000{path}" in page
    assert "pas encore d'adresse" in web.signed_in("sophie@example.fr").get("/agenda").text


def _with_key(web: Web, key: bytes):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(web.app.extensions["dossiers"]["settings"], key=key)


def test_web_link_prints_a_link_that_signs_in(late: Dossiers, tmp_path: Path) -> None:
    from dossiers.web.app import utc_now

    out = late.ok("web", "link", "julien@example.fr")
    assert out.startswith("http://127.0.0.1:8000/connexion/")
    web = make_web(late, tmp_path)
    web.clock.moment = utc_now()
    assert use_link(web.client(), out.strip().removeprefix("http://127.0.0.1:8000")
                    ).status_code == 303
    assert late.run("web", "link", "nobody@example.fr").exit_code == 2


def test_serve_refuses_a_port_in_use_and_a_public_host_without_https(late: Dossiers) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = late.run("serve", "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr == (f"Erreur : --port {port} : le port est déjà utilisé sur 127.0.0.1 ; "
                             "choisissez-en un autre\n")
    result = late.run("serve", "--host", "0.0.0.0")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert "https" in result.stderr
    result = late.run("serve", "--host", "0.0.0.0", "--base-url", "http://dossiers.example.fr")
    assert result.exit_code == 2


def test_the_signing_key_is_made_once_and_private(tmp_path: Path) -> None:
    from dossiers.web.secret import load_or_create_key

    path = tmp_path / "data" / "web-secret.key"
    key = load_or_create_key(path)
    assert len(key) == 32 and load_or_create_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_tokens_are_stored_hashed(web: Web) -> None:
    path = web.link_path("lea@example.fr")
    calendar = _subscribe(web.tool)
    dump = json.dumps(web.tool.dump(), default=str)
    for token in (path.rsplit("/", 1)[1], calendar.rsplit("/", 1)[1].removesuffix(".ics")):
        assert token not in dump


def test_an_https_base_url_makes_the_cookie_secure(late: Dossiers, tmp_path: Path) -> None:
    from dossiers.settings import Settings
    from dossiers.web.app import WebSettings

    clock = Clock()
    app = new_app(WebSettings(late.url, "https://dossiers.example.fr", b"k" * 32, Settings(),
                                 clock=clock))
    web = Web(app, clock, late, tmp_path)
    client = app.test_client()
    answer = use_link(client, web.link_path("lea@example.fr"))
    assert "Secure" in answer.headers["Set-Cookie"]
    assert "Expires=" in answer.headers["Set-Cookie"]  # 12 hours, checked by the app's clock too
    assert "Martin" not in answer.headers["Set-Cookie"]  # no personal data in the cookie


def test_the_scope_is_the_only_filter_of_who_sees_what() -> None:
    """Every page and download goes through `current_scope` and `request_transaction`; the
    store is used for opening the engine and the one transaction, and for the database's
    walls (store.access: the role a request takes), never for a query of its own."""
    source = (Path(__file__).parents[1] / "src" / "dossiers" / "web" / "app.py").read_text()
    rest = source
    for allowed in ("from dossiers.store.database import open_engine",
                    "from dossiers.store.database import transaction",
                    "from dossiers.store.database import (",
                    "from dossiers.store import access"):
        rest = rest.replace(allowed, "")
    assert "from dossiers.store" not in rest
    assert source.count("transaction(current_app") == 1
    assert source.count("access.act_as(") == 2  # the request's role, and the start-up check


def test_the_pdf_download_is_the_report_as_a4(web: Web) -> None:
    from tests.test_help import weasyprint_missing

    if reason := weasyprint_missing():
        pytest.skip(reason)
    from pypdf import PdfReader

    answer = web.signed_in("sophie@example.fr").get("/retards.pdf?type=car")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = " ".join(reader.pages[0].extract_text().split())
    assert "S-CAR" in text and "L-DRF" not in text and "votre agence · CAR" in text


def test_head_is_answered_like_get(web: Web) -> None:
    client = web.signed_in("lea@example.fr")
    assert client.head("/").status_code == 200


def test_serve_answers_on_the_port_it_prints_and_stops_on_ctrl_c(late: Dossiers) -> None:
    import signal
    import subprocess
    import sys
    import urllib.request

    process = subprocess.Popen([sys.executable, "-m", "dossiers", "--db", late.url, "serve",
                                "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"écoute 127\.0\.0\.1:(\d+)", line)
        assert found is not None, line + (process.stderr.read() if process.stderr else "")
        with urllib.request.urlopen(f"http://127.0.0.1:{found.group(1)}/connexion",
                                    timeout=30) as answer:
            assert answer.status == 200
            assert answer.headers["Referrer-Policy"] == "no-referrer"
            assert "Connexion" in answer.read().decode()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out.strip().endswith("Arrêté.") and err == ""


def test_eligibility_and_seniority_stay_out_of_the_web_pages(web: Web) -> None:
    """R-CDPI-ELIG: sensitive, shown only by `show` and `explain` in a terminal."""
    web.tool.ok("update", "L-DRF", "--eligibility", "anciennete-150h", "--seniority-hours", "160")
    assert "150 h dans la branche" in web.tool.ok("show", "L-DRF", "--as-of", AS_OF)
    lea = web.signed_in("lea@example.fr")
    for path in ("/", "/dossiers/L-DRF", "/echeances?jours=60"):
        page = lea.get(path).text
        assert "150 h dans la branche" not in page and "anciennete" not in page
        assert "Ancienneté" not in page and "160 h" not in page
