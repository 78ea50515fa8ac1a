"""Time the web view's overdue page beside `dossiers report overdue`, on the same database.

    python benchmarks/web.py [--dossiers 100000] [--db URL] [--repeat 5]

Without --db, the SQLite database of benchmarks/run.py (benchmarks/data/bench-N.db, made by
generate.py once) is used. For a manager (one agency, as generate.py gives 250 dossiers per
agency) and for an admin (every agency), it prints the median time of:

- `dossiers report overdue --format csv` for that scope (--agency for the manager), a new
  process each time, as a person runs it;
- the overdue page `/` answered by the app (Flask's test client in this process, the app made
  once as `dossiers serve` makes it; the session signed in first), its first page of rows;
- the CSV download of the same rows for the manager.

Speed is checked here, not in timed tests.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = date(2026, 11, 23)
NOON = datetime(2026, 11, 23, 11, 0)


def timed(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        runs.append(time.perf_counter() - began)
    return statistics.median(runs)


def cli_time(url: str, args: list[str], repeat: int) -> float:
    command = [sys.executable, "-m", "dossiers", "--db", url, "report", "overdue", "--format",
               "csv", "--as-of", AS_OF.isoformat(), "-o", os.devnull, *args]

    def run() -> None:
        subprocess.run(command, check=True, capture_output=True)

    return timed(run, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--db", help="a SQLite or PostgreSQL URL (default: benchmarks/data)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = args.db
    if url is None:
        path = HERE / "data" / f"bench-{args.dossiers}.db"
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--dossiers",
                            str(args.dossiers), "--db", f"sqlite:///{path}"], check=True)
        url = f"sqlite:///{path}"

    from sqlalchemy import func, select

    from dossiers.services.web_access import create_sign_in_link
    from dossiers.settings import Settings
    from dossiers.store.database import ensure_current, open_engine, transaction
    from dossiers.store.models import Agency, Dossier, Staff
    from dossiers.web.app import WebSettings, create_app

    engine = open_engine(url)
    ensure_current(engine)
    with transaction(engine) as session:
        count = session.scalar(select(func.count()).select_from(Dossier))
        manager = session.scalars(select(Staff).where(Staff.role == "manager")
                                  .order_by(Staff.id)).first()
        assert manager is not None, "no manager in this database"
        agency = session.get_one(Agency, manager.agency_id).name
        admin = session.scalars(select(Staff).where(Staff.role == "admin")).first()
        if admin is None:  # generate.py makes none: the first charge of the last agency is one
            admin = session.scalars(select(Staff).where(Staff.role == "charge")
                                    .order_by(Staff.id.desc())).first()
            assert admin is not None
            admin.role = "admin"
        tokens = {who: create_sign_in_link(session, person, NOON)
                  for who, person in (("manager", manager), ("admin", admin))}
    engine.dispose()

    app = create_app(WebSettings(url, "http://127.0.0.1:8000", os.urandom(32), Settings(),
                                 clock=lambda: NOON))
    print(f"{count} dossiers ({url.split('://')[0]}), jour {AS_OF:%d/%m/%Y}, médiane de "
          f"{args.repeat} essais")
    for who, scope_args in (("manager", ["--agency", agency]), ("admin", [])):
        client = app.test_client()
        page = client.get(f"/connexion/{tokens[who]}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        assert client.post(f"/connexion/{tokens[who]}",
                           data={"csrf": csrf.group(1)}).status_code == 303

        def overdue_page(client=client) -> None:  # type: ignore[no-untyped-def]
            assert client.get("/").status_code == 200

        def overdue_csv(client=client) -> None:  # type: ignore[no-untyped-def]
            assert client.get("/retards.csv").status_code == 200

        rows = len(re.findall(r'<a href="/dossiers/', client.get("/").text))
        web = timed(overdue_page, args.repeat)
        cli = cli_time(url, scope_args, args.repeat)
        line = (f"{who:8} page / : {web:.3f} s ({rows} lignes sur la page) · "
                f"report overdue --format csv {' '.join(scope_args)}".rstrip()
                + f" : {cli:.3f} s")
        if who == "manager":
            line += f" · /retards.csv : {timed(overdue_csv, args.repeat):.3f} s"
        print(line)


if __name__ == "__main__":
    main()
