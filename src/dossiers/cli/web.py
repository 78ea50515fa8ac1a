"""The web view from the command line: `serve` (the managers' read-only pages, served by
waitress) and `web link` (a one-time sign-in link, for the first set-up, support and tests)."""

from __future__ import annotations

import errno
from typing import NoReturn
from urllib.parse import urlsplit

import click

from dossiers.cli.options import App, pass_app, utc_now
from dossiers.french_click import EMAIL, FrenchCommand, FrenchGroup, fail

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
DEFAULT_PORT = 8000


def base_url_option(command):  # type: ignore[no-untyped-def]
    return click.option("--base-url", metavar="URL", default=None,
                        help="Adresse publique de la vue web, pour les liens (par défaut "
                             "[web] base_url, sinon http://127.0.0.1:8000).")(command)


def checked_base_url(app: App, given: str | None, fallback: str) -> str:
    url = (given or app.settings().web.base_url or fallback).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        fail(f"--base-url : adresse invalide « {url[:200]} » (attendu : https://nom-du-serveur "
             "ou http://127.0.0.1:8000)")
    return url


@click.command(cls=FrenchCommand)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Adresse d'écoute ; une adresse non locale demande une --base-url en https "
                   "(derrière un proxy HTTPS).")
@click.option("--port", type=click.IntRange(0, 65_535), default=DEFAULT_PORT, show_default=True,
              help="Port d'écoute.")
@base_url_option
@pass_app
def serve(app: App, host: str, port: int, base_url: str | None) -> None:
    """Sert la vue web en lecture seule des managers et des chargé(e)s : retards, échéances,
    dossiers, téléchargements CSV et PDF, agendas à s'abonner. Connexion par lien à usage
    unique envoyé par le transport des rappels ([mail] transport, « file » en démonstration).

    \b
    Exemples :
      dossiers serve
      dossiers serve --port 8080 --base-url https://dossiers.interim-exemple.fr
    """
    from dossiers.web.app import WebSettings, create_app
    from dossiers.web.secret import key_path, load_or_create_key

    url = checked_base_url(app, base_url, f"http://{host}:{port}")
    if host not in LOCAL_HOSTS and urlsplit(url).scheme != "https":
        fail(f"--host {host} : une adresse non locale demande une adresse publique en https "
             "(--base-url https://…, derrière un proxy HTTPS) ; sinon --host 127.0.0.1")
    from sqlalchemy.exc import OperationalError

    from dossiers.store.access import walled_login

    try:
        with app.engine().connect() as connection:
            walled = walled_login(connection)  # a web login under the walls (README)
    except OperationalError as error:
        fail(f"base de données inaccessible ({error.orig})", 1)
    if not walled:
        with app.transaction(write=False):
            pass  # the schema is current and the stored timelines healed before the first page
    try:
        _check_port(host, port)  # before anything is opened that would need closing
    except OSError as error:
        _listen_failed(host, port, error)
    settings = app.settings()
    try:
        key = load_or_create_key(key_path(settings.web.key_file))
    except OSError as error:
        fail(f"clé de signature illisible ou impossible à créer ({error.strerror})", 1)
    from dossiers.store.database import SchemaNotReady
    from dossiers.web.app import NoWebRole

    try:
        web = create_app(WebSettings(app.database_url(), url, key, settings,
                                     behind_proxy=urlsplit(url).scheme == "https"))
    except SchemaNotReady:
        fail("base de données non initialisée ou d'une version antérieure : lancez « dossiers "
             "init » avec le rôle propriétaire")
    except NoWebRole:
        fail("le rôle de connexion de la vue web n'est membre d'aucun rôle de toutes les "
             "agences (dossiers agency grant --all --role … puis GRANT … TO ce rôle) ; voir "
             "« Un réseau sur un seul PostgreSQL » dans le README")
    from waitress import create_server

    try:
        try:
            server = create_server(web, host=host, port=port, threads=8, ident="dossiers")
        except OSError as error:
            _listen_failed(host, port, error)
        click.echo(f"Vue web sur {url} (écoute {host}:{server.effective_port}) ; Ctrl+C pour "
                   "arrêter.")
        try:
            server.run()  # waitress ends its loop itself on Ctrl+C
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
        click.echo("Arrêté.")
    finally:
        web.extensions["dossiers"]["engine"].dispose()


def _listen_failed(host: str, port: int, error: OSError) -> NoReturn:
    if error.errno == errno.EADDRINUSE:
        fail(f"--port {port} : le port est déjà utilisé sur {host} ; choisissez-en un autre")
    fail(f"--host {host} --port {port} : écoute impossible ({error.strerror})")


def _check_port(host: str, port: int) -> None:
    """Binds and lets go, as waitress will bind (SO_REUSEADDR): a port in use fails here,
    before waitress has opened anything that would need closing."""
    import socket

    for family, kind, proto, _name, address in socket.getaddrinfo(host, port,
                                                                  type=socket.SOCK_STREAM):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
        return


@click.group(cls=FrenchGroup)
def web() -> None:
    """La vue web : liens de connexion.

    Exemple : dossiers web link lea.martin@interim-exemple.fr
    """


@web.command("link", cls=FrenchCommand)
@click.argument("email", type=EMAIL)
@base_url_option
@pass_app
def web_link(app: App, email: str, base_url: str | None) -> None:
    """Affiche un lien de connexion à usage unique pour cette personne, valable 15 minutes
    (première connexion, assistance, tests).

    Exemple : dossiers web link lea.martin@interim-exemple.fr --base-url https://dossiers.exemple.fr
    """
    from dossiers.services.network import staff_by_email
    from dossiers.services.web_access import create_sign_in_link

    url = checked_base_url(app, base_url, f"http://127.0.0.1:{DEFAULT_PORT}")
    with app.transaction() as session:
        person = staff_by_email(session, email, "EMAIL")
        token = create_sign_in_link(session, person, utc_now())
    click.echo(f"{url}/connexion/{token}")


COMMANDS = (serve, web)
