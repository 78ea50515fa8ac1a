"""`create_app(settings)`: the managers' read-only web view, a Flask application.

Every page and download reads through `request_transaction` (one transaction per request)
and `current_scope` (who is signed in and what they may see, services/access.py).

On PostgreSQL with a login that is neither the tables' owner nor a superuser (`walled`), the
database walls the agencies too: each request's transaction begins under the network's role
(mapped to every agency: sign-in, link and calendar-token look-ups, reading the signed-in
person), then takes the role of the person's agency (`enter_scope`; an admin: the network's
role), always by `SET LOCAL ROLE` (store.access.act_as), never for the session: a pooled
connection goes back with its login's role. The role serving an agency is the database's
answer (`dossiers_access.web_role`, migration 0014); none: a French error page (fail closed).

Nothing writes but sign-in and sign-out: any other method is refused. Templates are the
reports' Jinja2 environment (rendering.py: autoescaped, strict, the French filters).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from dossiers import messages
from dossiers.deadlines.zones import DEFAULT_ZONE, ZONES
from dossiers.rendering import render
from dossiers.settings import Settings
from dossiers.web.limits import PER_ADDRESS, PER_CLIENT, RateLimiter

SESSION_HOURS = 12
PAGE_SIZE = 50
REFRESH = timedelta(hours=1)
WRITING_ENDPOINTS = frozenset({"sign_in", "sign_in_link", "sign_out"})
OPEN_STATUSES = ("overdue", "akto_late", "due_soon", "open", "waiting_akto", "not_yet_open")
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class WebSettings:
    """What `create_app` needs: the database, the public address, the private key, the
    settings of the mail transport, and the clock (naive UTC; tests pass their own)."""

    db_url: str
    base_url: str
    key: bytes
    settings: Settings = field(default_factory=Settings)
    clock: Callable[[], datetime] = utc_now
    behind_proxy: bool = False
    page_size: int = PAGE_SIZE
    transport: Any = None
    """A mail transport (mail/transports.py); by default the one [mail] transport names."""


def create_app(settings: WebSettings) -> Flask:
    from dossiers.store.database import open_engine

    app = Flask("dossiers.web", static_folder=None)
    engine = open_engine(settings.db_url, create=False)
    try:
        walled = _check_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    secure = urlsplit(settings.base_url).scheme == "https"
    app.config.update(
        SECRET_KEY=settings.key,
        SESSION_COOKIE_NAME="dossiers_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        MAX_CONTENT_LENGTH=16 * 1024,
    )
    app.extensions["dossiers"] = {"engine": engine, "settings": settings,
                                  "limiter": RateLimiter(), "walled": walled}
    if settings.behind_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    _setup_guards(app)
    _setup_routes(app)
    return app


class NoWebRole(Exception):
    """The web view's login has no role it may take for an agency (or for the network)."""

    def __init__(self, agency_id: int | None) -> None:
        super().__init__(agency_id)
        self.agency_id = agency_id


def _check_schema(engine: Any) -> bool:
    """The schema is current (SchemaNotReady, SchemaTooNew otherwise); returns whether the
    login is walled (see the module's text). A walled login reads the schema's version under
    the network's role: it has no privilege of its own."""
    from dossiers.store import access
    from dossiers.store.database import (
        SchemaNotReady, _refuse_unknown, ensure_current, head_revision,
    )

    with engine.connect() as connection:
        walled = access.walled_login(connection)
    if not walled:
        ensure_current(engine)
        return False
    with engine.begin() as connection:
        if not connection.scalar(text(  # the catalogue: readable without any privilege
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace "
                "n ON n.oid = p.pronamespace WHERE n.nspname = :schema AND p.proname = "
                "'web_role')"), {"schema": access.SCHEMA}):
            raise SchemaNotReady  # no walls yet, or an older schema
        role = access.web_role(connection, None)
        if role is None:
            raise NoWebRole(None)
        access.act_as(connection, role)
        current = connection.scalar(text("SELECT version_num FROM public.alembic_version"))
        if current != head_revision():
            _refuse_unknown(current)
            raise SchemaNotReady
    return True


def _web() -> WebSettings:
    return current_app.extensions["dossiers"]["settings"]  # type: ignore[no-any-return]


def now() -> datetime:
    return _web().clock()


def day_in(zone: str) -> date:
    """Today in the zone (R-CAL-4), by the app's clock."""
    return now().replace(tzinfo=UTC).astimezone(ZoneInfo(ZONES[zone].time_zone)).date()


@contextmanager
def request_transaction(write: bool = False) -> Iterator[Session]:
    """The request's one transaction: every database access of the web layer goes through
    here. Walled (PostgreSQL), it begins under the network's role, for the look-ups before
    anyone is known; `enter_scope` then narrows it to the signed-in person's agency."""
    from dossiers.store.database import transaction

    with transaction(current_app.extensions["dossiers"]["engine"], write) as db:
        if current_app.extensions["dossiers"]["walled"]:
            _take_role(db, None)
        yield db


def enter_scope(db: Session, scope: Any) -> None:
    """For the rest of the request's transaction, the database role of this person's agency
    (an admin: the network's). Nothing on SQLite or for an owner's login. Objects the session
    read under the network's role are let go: what follows reads again, under this role."""
    if current_app.extensions["dossiers"]["walled"]:
        _take_role(db, None if scope.role == "admin" else scope.agency_id)
        db.expunge_all()


def _take_role(db: Session, agency_id: int | None) -> None:
    """`SET LOCAL ROLE` to the role the database names for this agency (None: the network);
    none: a French error page, and the transaction rolls back."""
    from dossiers.store import access

    role = access.web_role(db.connection(), agency_id)
    if role is None:
        current_app.logger.warning("vue web : aucun rôle pour %s",
                                   "le réseau" if agency_id is None else f"l'agence {agency_id}")
        abort(page("error.html.j2", 503, title="Accès non configuré",
                   text="La base de données ne donne pas encore à la vue web l'accès à votre "
                        "agence : demandez à l'administrateur de lui attribuer son rôle."
                   if agency_id is not None else
                   "La base de données ne donne pas encore à la vue web de rôle de réseau : "
                   "demandez à l'administrateur de le lui attribuer."))
    access.act_as(db, role)


def current_scope(db: Session) -> Any:
    """The signed-in person's scope, read in the request's transaction; a visitor without a
    valid session goes to the sign-in page."""
    from dossiers.services.access import scope_of

    staff_id, signed_at = session.get("uid"), session.get("at")
    if isinstance(staff_id, int) and isinstance(signed_at, str):
        try:
            began = datetime.fromisoformat(signed_at)
        except ValueError:
            began = None
        if began is not None and began <= now() < began + timedelta(hours=SESSION_HOURS):
            scope = scope_of(db, staff_id)
            if scope is not None:
                enter_scope(db, scope)
                g.me = scope.name
                return scope
    session.clear()
    abort(redirect(url_for("sign_in")))


def page(template: str, status: int = 200, **context: Any) -> Response:
    settings = _web().settings
    html = render(f"web/{template}", settings.mail.templates, url_for=url_for,
                  csrf=_csrf(), signed_in=session.get("uid") is not None,
                  me=g.get("me", ""), STATUS_LABELS=messages.STATUS_LABELS,
                  STEP_SHORT_LABELS=messages.STEP_SHORT_LABELS, **context)
    return Response(html, status, content_type="text/html; charset=utf-8")


def _csrf() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(16)
    return str(session["csrf"])


def _check_csrf() -> None:
    sent = request.form.get("csrf", "")
    if not sent or not hmac.compare_digest(sent, str(session.get("csrf", ""))):
        abort(400)


def _setup_guards(app: Flask) -> None:
    @app.before_request
    def read_only() -> Response | None:
        if request.method not in ("GET", "HEAD") and request.endpoint not in WRITING_ENDPOINTS:
            return page("error.html.j2", 405, title="Méthode refusée",
                        text="Cette vue est en lecture seule.")
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        if request.method not in ("GET", "HEAD") and response.status_code == 405:
            response.headers["Allow"] = "GET, HEAD"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if code in (301, 302, 303):
            return error.get_response()  # type: ignore[return-value]
        titles = {400: "Demande invalide", 404: "Page introuvable", 405: "Méthode refusée",
                  413: "Demande trop longue", 429: "Trop de demandes"}
        texts = {404: "Cette page n'existe pas, ou vous n'y avez pas accès.",
                 405: "Cette vue est en lecture seule.",
                 429: "Trop de demandes de connexion : réessayez dans quelques minutes."}
        return page("error.html.j2", code, title=titles.get(code, "Erreur"),
                    text=texts.get(code, "La demande n'a pas pu aboutir."))


def _filters(db: Session, scope: Any) -> dict[str, Any]:
    """The page's filters from the query string, each checked against what the scope may
    choose (an unknown value is ignored)."""
    from dossiers.services.overview import choices, owner_email

    found = choices(db, scope)
    agency = request.args.get("agence", "")
    agency = agency if agency in found.agencies else ""
    owner_text = request.args.get("responsable", "")
    owner_id = int(owner_text) if owner_text.isdigit() and len(owner_text) < 10 else None
    email = owner_email(db, scope, owner_id) if owner_id is not None else None
    kind = request.args.get("type", "")
    kind = kind if kind in messages.KIND_LABELS else ""
    status = request.args.get("statut", "")
    status = status if status in OPEN_STATUSES else ""
    search = request.args.get("q", "").strip()[:120]
    days_text = request.args.get("jours", "14")
    within = int(days_text) if days_text.isdigit() and 1 <= int(days_text) <= 366 else 14
    page_text = request.args.get("page", "1")
    number = int(page_text) if page_text.isdigit() and 0 < int(page_text) < 100_000 else 1
    return {"choices": found, "agence": agency, "responsable": owner_id if email else None,
            "email": email, "type": kind, "statut": status, "q": search, "jours": within,
            "page": number}


def _rows(db: Session, scope: Any, kind: str, chosen: dict[str, Any]) -> Iterator[Any]:
    from dossiers.deadlines.facts import Kind
    from dossiers.services.dossiers import ListFilter
    from dossiers.services.overview import scoped_rows

    where = ListFilter(kind=Kind(chosen["type"]) if chosen["type"] else None,
                       agency_name=chosen["agence"] or None, owner_email=chosen["email"],
                       search=chosen["q"] or None)
    return scoped_rows(db, scope, day_in, day_in(DEFAULT_ZONE), kind, where,
                       chosen["jours"] if kind == "upcoming" else None,
                       frozenset({chosen["statut"]}) if chosen["statut"] else frozenset())


def _query(chosen: dict[str, Any], kind: str, **changes: Any) -> dict[str, Any]:
    """The query string of the same filters, with `changes`, for links (pages, downloads)."""
    args = {"agence": chosen["agence"], "responsable": chosen["responsable"] or "",
            "type": chosen["type"], "statut": chosen["statut"], "q": chosen["q"]}
    if kind == "upcoming":
        args["jours"] = chosen["jours"]
    args.update(changes)
    return {key: value for key, value in args.items() if value not in ("", None)}


def _scope_text(scope: Any, chosen: dict[str, Any]) -> str:
    if chosen["agence"]:
        where = f"agence {chosen['agence']}"
    elif scope.role == "admin":
        where = "toutes les agences"
    elif scope.role == "manager":
        where = "votre agence"
    else:
        where = "vos dossiers"
    parts = [where]
    if chosen["email"]:
        parts.append(f"responsable {chosen['email']}")
    if chosen["type"]:
        parts.append(messages.KIND_LABELS[chosen["type"]])
    return " · ".join(parts)


def _setup_routes(app: Flask) -> None:
    @app.get("/")
    def overdue() -> Response:
        return _report_page("overdue")

    @app.get("/echeances")
    def upcoming() -> Response:
        return _report_page("upcoming")

    def _report_page(kind: str) -> Response:
        from dossiers.reports import formats
        from dossiers.reports.rows import Report
        from dossiers.services.overview import page_of

        with request_transaction() as db:
            scope = current_scope(db)
            chosen = _filters(db, scope)
            size = _web().page_size
            rows, more = page_of(_rows(db, scope, kind, chosen), chosen["page"], size)
            heading = Report(kind, day_in(DEFAULT_ZONE), chosen["jours"] if kind == "upcoming"
                             else None, tuple(rows))
            endpoint = "overdue" if kind == "overdue" else "upcoming"
            return page(
                "rows.html.j2", scope=scope, kind=kind, report=heading, rows=rows,
                chosen=chosen, first=(chosen["page"] - 1) * size,
                previous=url_for(endpoint, **_query(chosen, kind, page=chosen["page"] - 1))
                if chosen["page"] > 1 else None,
                next=url_for(endpoint, **_query(chosen, kind, page=chosen["page"] + 1))
                if more else None,
                csv_url=url_for(f"{endpoint}_csv", **_query(chosen, kind)),
                pdf_url=url_for(f"{endpoint}_pdf", **_query(chosen, kind)),
                scope_text=_scope_text(scope, chosen), OPEN_STATUSES=OPEN_STATUSES,
                delay=lambda row: formats.delay_text(heading, row))

    @app.get("/retards.csv")
    def overdue_csv() -> Response:
        return _download("overdue", "csv")

    @app.get("/echeances.csv")
    def upcoming_csv() -> Response:
        return _download("upcoming", "csv")

    @app.get("/retards.pdf")
    def overdue_pdf() -> Response:
        return _download("overdue", "pdf")

    @app.get("/echeances.pdf")
    def upcoming_pdf() -> Response:
        return _download("upcoming", "pdf")

    def _download(kind: str, form: str) -> Response:
        from dossiers.reports import formats
        from dossiers.reports.rows import Report

        day = day_in(DEFAULT_ZONE)
        with request_transaction() as db:
            scope = current_scope(db)
            chosen = _filters(db, scope)
            within = chosen["jours"] if kind == "upcoming" else None
            report = Report(kind, day, within, tuple(_rows(db, scope, kind, chosen)))
        name = f"{'retards' if kind == 'overdue' else 'echeances'}-{day.isoformat()}.{form}"
        disposition = f'attachment; filename="{name}"'
        if form == "csv":
            return Response(formats.as_csv(report), content_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": disposition})
        html = formats.as_html(report, _scope_text(scope, chosen),
                               _web().settings.mail.templates, for_pdf=True)
        try:
            pdf = formats.as_pdf(html)
        except formats.PdfUnavailable as error:
            return page("error.html.j2", 503, title="PDF indisponible", text=str(error))
        return Response(pdf, content_type="application/pdf",
                        headers={"Content-Disposition": disposition})

    @app.get("/dossiers/<reference>")
    def dossier(reference: str) -> Response:
        from dossiers.deadlines.engine import compute_timeline
        from dossiers.deadlines.explain import explain
        from dossiers.services.dossiers import facts_on
        from dossiers.services.overview import dossier_in_scope
        from dossiers.views import status_cell

        with request_transaction() as db:
            scope = current_scope(db)
            found = dossier_in_scope(db, scope, reference)
            if found is None:
                abort(404)
            day = day_in(found.agency.zone)
            facts = facts_on(found, day)
            timeline = compute_timeline(facts, day)
            # Eligibility, seniority and incidents' reasons stay in `show` and `explain`.
            lines = [(subject, text) for subject, text in
                     explain(facts, timeline, _web().settings.funding.cdpi_hourly_rate)
                     if not subject.startswith(("Ancienneté", "Éligibilité"))]
            time_zone = ZONES[found.agency.zone].time_zone
            history = [(messages.local_time(c.at, time_zone), messages.change_subject(c.what),
                        messages.change_value(c.what, c.before),
                        messages.change_value(c.what, c.after)) for c in found.changes]
            return page("dossier.html.j2", scope=scope, dossier=found, day=day,
                        timeline=timeline, status_cell=status_cell, explanations=lines,
                        history=history, state=messages.STATE_LABELS[
                            "open" if facts.closed_on is None else found.state],
                        missions=list(found.missions))

    @app.get("/agenda")
    def agenda() -> Response:
        from dossiers.services.web_access import calendar_token_of

        with request_transaction() as db:
            scope = current_scope(db)
            token = calendar_token_of(db, scope.staff_id, _web().key)
        https = webcal = None
        if token is not None:
            https = _web().base_url.rstrip("/") + url_for("calendar", token=token)
            webcal = "webcal://" + https.split("://", 1)[1]
        return page("agenda.html.j2", scope=scope, https=https, webcal=webcal)

    @app.get("/calendrier/<token>.ics")
    def calendar(token: str) -> Response:
        from dossiers.calendar_feed import calendar_feed
        from dossiers.services.access import owner_scope, scope_of
        from dossiers.services.dossiers import ListFilter, list_dossiers
        from dossiers.services.overview import day_start_utc, last_modified
        from dossiers.services.web_access import calendar_subscriber

        if len(token) > 64:
            abort(404)
        day = day_in(DEFAULT_ZONE)
        with request_transaction() as db:
            subscription = calendar_subscriber(db, token)
            scope = scope_of(db, subscription.staff_id) if subscription else None
            if subscription is None or scope is None:
                abort(404)
            own = owner_scope(scope)
            enter_scope(db, own)  # their own dossiers, under their agency's role
            changed = last_modified(db, own, subscription.created_at,
                                    day_start_utc(day, ZONES[DEFAULT_ZONE].time_zone))
            feed = calendar_feed(list_dossiers(db, day_in, ListFilter(scope=own)), day, changed,
                                 f"Échéances AKTO · {scope.name}", refresh=REFRESH)
        response = Response(feed, content_type="text/calendar; charset=utf-8")
        response.set_etag(_digest(feed))
        response.last_modified = changed.replace(tzinfo=UTC)
        response.cache_control.private = True
        response.cache_control.max_age = int(REFRESH.total_seconds())
        return response.make_conditional(request)  # type: ignore[no-any-return]

    @app.route("/connexion", methods=["GET", "POST"])
    def sign_in() -> Response:
        if request.method == "GET":
            return page("sign_in.html.j2")
        _check_csrf()
        web = _web()
        limiter: RateLimiter = current_app.extensions["dossiers"]["limiter"]
        email = request.form.get("email", "").strip()[:254]
        client = request.remote_addr or "?"
        if not (limiter.allow("client", client, PER_CLIENT, now())
                and limiter.allow("address", email, PER_ADDRESS, now())):
            abort(429)
        if email:
            _send_link(email, web)
        return page("sign_in_sent.html.j2")

    @app.route("/connexion/<token>", methods=["GET", "POST"])
    def sign_in_link(token: str) -> Response:
        """GET shows a button (a mail scanner following the link does not use it up); its
        POST signs in."""
        from dossiers.services.access import scope_of
        from dossiers.services.web_access import redeem_sign_in_link

        if len(token) > 64:
            abort(404)
        if request.method == "GET":
            return page("sign_in_confirm.html.j2", token=token)
        _check_csrf()
        with request_transaction(write=True) as db:
            staff_id = redeem_sign_in_link(db, token, now())
            scope = scope_of(db, staff_id) if staff_id is not None else None
        if scope is None:
            return page("error.html.j2", 400, title="Lien invalide",
                        text="Ce lien de connexion a déjà servi ou a expiré : demandez-en un "
                             "nouveau.", retry=True)
        session.clear()
        session.permanent = True
        session["uid"], session["at"] = scope.staff_id, now().isoformat()
        return redirect(url_for("overdue"), 303)  # type: ignore[return-value]

    @app.post("/deconnexion")
    def sign_out() -> Response:
        _check_csrf()
        session.clear()
        return redirect(url_for("sign_in"), 303)  # type: ignore[return-value]

    @app.get("/style.css")
    def stylesheet() -> Response:
        css = _asset("web.css")
        response = Response(css, content_type="text/css; charset=utf-8")
        response.set_etag(_digest(css))
        return response.make_conditional(request)  # type: ignore[no-any-return]


def _send_link(email: str, web: WebSettings) -> None:
    """A link for a known person, through the reminders' transport; nothing for an unknown
    address, and the same answer either way (the page does not tell who is on the staff)."""
    from dossiers.mail.compose import sender_address, sign_in_message
    from dossiers.services.web_access import create_sign_in_link, person_by_email

    with request_transaction(write=True) as db:
        person = person_by_email(db, email)
        if person is None:
            return
        token = create_sign_in_link(db, person, now())
        name, address = person.name, person.email
    link = web.base_url.rstrip("/") + url_for("sign_in_link", token=token)
    content = sign_in_message(sender_address(web.settings.mail.from_), name, address, link,
                              now(), web.settings.mail.templates)
    transport = web.transport or mail_transport(web.settings)
    try:
        transport.send(content, address)
    except Exception:  # noqa: BLE001 - the page says the same; the log names no one
        current_app.logger.warning("lien de connexion non envoyé (transport %s)",
                                   getattr(transport, "name", "?"))


def mail_transport(settings: Settings) -> Any:
    from dossiers.mail.transports import ConsoleTransport, FileTransport, SmtpTransport

    if settings.mail.transport == "file":
        return FileTransport(Path(settings.mail.outbox_dir))
    if settings.mail.transport == "console":
        import sys

        return ConsoleTransport(sys.stderr)
    return SmtpTransport(settings.smtp)


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()[:32]


def _asset(name: str) -> bytes:
    from importlib.resources import files

    return (files("dossiers") / "templates" / "web" / name).read_bytes()
