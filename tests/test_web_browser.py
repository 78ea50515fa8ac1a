"""The web view in a real browser: pytest-playwright driving Debian's chromium (its path given
by `browser_type_launch_args`: nothing is downloaded), the app served by waitress from a
thread on 127.0.0.1, port 0.

Screenshots and the printed PDF are kept in test-artefacts/web/ (ignored by git; or
$DOSSIERS_TEST_ARTEFACTS). Without chromium these tests are skipped, saying so; under CI
(CI=true) a missing chromium fails them instead.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Dossiers
from tests.test_web import Web, _apps_closed, late, make_web  # noqa: F401  (fixtures)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTEFACTS = Path(os.environ.get("DOSSIERS_TEST_ARTEFACTS")
                 or Path(__file__).resolve().parents[1] / "test-artefacts" / "web")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]

if CHROMIUM is None:
    if os.environ.get("CI") == "true":
        pytest.fail("chromium absent sous CI : .ci/run doit l'installer (apt-get install -y "
                    "chromium)", pytrace=False)
    pytestmark = pytest.mark.skip(reason="chromium absent : tests du navigateur non lancés "
                                         "(apt-get install chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": FLAGS}


@pytest.fixture
def served(late: Dossiers, tmp_path: Path) -> Iterator[tuple[Web, str]]:  # noqa: F811
    """The app on a real WSGI server: waitress in a thread, on a port the system chose."""
    from waitress import create_server

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    web = make_web(late, tmp_path, base_url=base)
    server = create_server(web.app, sockets=[listener], threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield web, base
    finally:
        server.task_dispatcher.shutdown()
        server.close()
        thread.join(timeout=5)


def shot(page: Any, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes().startswith(b"\x89PNG")
    return path


def sign_in(page: Any, web: Web, base: str, email: str) -> None:
    page.goto(base + web.link_path(email))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(base + "/")


def test_sign_in_through_the_mailed_link_then_the_overdue_page_at_1280_and_375(
        served: tuple[Web, str], page: Any) -> None:
    web, base = served
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/")
    assert page.url == base + "/connexion"
    page.get_by_label("Adresse électronique").fill("sophie@example.fr")
    page.get_by_role("button", name="Recevoir un lien").click()
    page.get_by_text("Vérifiez votre messagerie").wait_for()
    [mail] = web.outbox.glob("*.eml")
    link = re.search(re.escape(base) + r"/connexion/\S+", mail.read_text())
    assert link is not None
    page.goto(link.group(0))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(base + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Étapes en retard au 13/01/2027"
    rows = page.locator("table.rows tbody tr")
    assert rows.count() == 3
    assert "Sophie Garnier" in page.locator("header").inner_text()
    shot(page, "retards-1280")

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(base + "/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"défilement horizontal de {overflow} px à 375 px"
    assert page.locator("table.rows tbody tr").first.is_visible()
    shot(page, "retards-375")


def test_filters_then_the_dossier_page(served: tuple[Web, str], page: Any) -> None:
    web, base = served
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, web, base, "anne@example.fr")
    page.get_by_label("Type").select_option("car")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r".*type=car.*"))
    assert page.locator("table.rows tbody tr").count() == 1
    page.get_by_label("Recherche").fill("chloe")
    page.get_by_label("Type").select_option("")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r".*q=chloe.*"))
    assert page.locator("table.rows tbody tr").count() == 1
    page.get_by_role("link", name="L-DRF").click()
    page.wait_for_url(base + "/dossiers/L-DRF")
    assert page.get_by_role("heading", level=1).inner_text() == "Dossier L-DRF"
    assert "Chloé Müller" in page.locator("main").inner_text()
    shot(page, "dossier-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, "dossier-375")


def test_a_dossier_is_reached_with_the_keyboard_alone(served: tuple[Web, str], page: Any) -> None:
    web, base = served
    sign_in(page, web, base, "lea@example.fr")
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if focused.startswith("/dossiers/"):
            break
    else:
        pytest.fail("aucun lien de dossier atteint au clavier en 60 tabulations")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url(base + focused)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Dossier ")


def test_the_page_prints_to_an_a4_pdf_with_every_column(served: tuple[Web, str],
                                                        page: Any) -> None:
    from pypdf import PdfReader

    web, base = served
    sign_in(page, web, base, "anne@example.fr")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTEFACTS / "retards-a4.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(target), format="A4", print_background=True,
             prefer_css_page_size=True)
    reader = PdfReader(target)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for header in ("Agence", "Responsable", "Référence", "Intérimaire", "Type", "Étape",
                   "Échéance", "Retard", "À faire", "Enjeu"):
        assert header in text, header
    for value in ("L-CONTRACT", "02/01/2027", "11 j", "S-CAR", "M-LATE"):
        assert value in text, value
    for screen_only in ("Se déconnecter", "Filtrer", "Télécharger"):
        assert screen_only not in text, screen_only
