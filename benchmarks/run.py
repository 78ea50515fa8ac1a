"""Time the daily commands, the import and the start-up, against the floor of each.

    python benchmarks/run.py [--dossiers 100000] [--db URL] [--repeat 3]
                             [--import-rows 5000] [--skip-daily] [--skip-import] [--skip-startup]
                             [--role NAME [--role-agency AGENCY]]

Daily commands, on today. Without --db, a SQLite database of N synthetic dossiers as of today
is generated once in benchmarks/data/ (see generate.py) and reused that day; with --db
postgresql://…/base, an empty PostgreSQL database is filled the same way (once: it is reused
when it already holds dossiers).
For each of `dossiers remind --dry-run`, `dossiers report overdue --format csv` and `dossiers
list --overdue --json`, it prints the median wall time over the repeats, its ratio to the raw
scan (the database's own driver reading the same tables: the floor for any tool that looks at
every dossier) and the peak memory of the process.

Under an agency's role (PostgreSQL, --role NAME): the --db URL's user (the schema owner, or a
superuser) grants NAME with `dossiers agency grant` (every agency by default, so that the role
sees the same 100 000 dossiers, each row let through by the row-level security policies; one
agency with --role-agency), then each daily command is timed under the owner and under the
role (the same URL with NAME as its user: the server must let NAME in, e.g. a loopback `trust`
line or $PGPASSWORD), and the ratio role / owner is printed.

Import. A CSV of --import-rows dossiers is written in the import format; `dossiers import`
into a fresh database of the same kind is timed against a standard-library parse of the same
file and a plain driver insert of its rows (the floor of any import).

Start-up. `dossiers show` and `dossiers list` on the 50-dossier demo network, against a bare
SQLAlchemy program that reads one table; `plan` and `--help` on their own.

Speed is checked here, not in timed tests.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent


def last_working_day(today: date) -> date:
    """Today, or the last jour ouvré of the métropole before it: `remind` has nothing to send
    on a day off."""
    from dossiers.deadlines.business_days import is_business_day
    from dossiers.deadlines.zones import DEFAULT_ZONE

    while not is_business_day(today, DEFAULT_ZONE):
        today -= timedelta(days=1)
    return today


# The daily commands are timed on the day they would run: the synthetic network is generated
# as of the last working day (its facts dated up to it) and healed by today's clock (`init`,
# as the CLI writes its stored timelines), and the commands look at that day. A fixed past
# day would time, as the clock moves on, a growing share of dossiers seen on a day their
# stored schedule does not hold on (`--as-of` in the past: recomputed from the facts, by
# design).
AS_OF = last_working_day(date.today()).isoformat()
TABLES = ("agencies", "staff", "dossiers", "events", "missions", "incidents", "documents")
COMMANDS = {
    "remind --dry-run": ["remind", "--dry-run", "--as-of", AS_OF],
    # -o: an ordinary file (`report` refuses to replace a device such as /dev/null).
    "report overdue --format csv": ["report", "overdue", "--format", "csv", "--as-of", AS_OF,
                                    "-o", str(Path(tempfile.gettempdir())
                                              / f"dossiers-bench-{os.getpid()}.csv")],
    "list --overdue --json": ["list", "--overdue", "--json", "--as-of", AS_OF],
}
RAW_SCAN_SQLITE = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
for table in sys.argv[2:]:
    for row in connection.execute(f"SELECT * FROM {table}"):
        pass
"""
RAW_SCAN_POSTGRESQL = """
import psycopg, sys
with psycopg.connect(sys.argv[1]) as connection:
    for table in sys.argv[2:]:
        with connection.cursor(name="scan") as cursor:
            cursor.itersize = 5000
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor:
                pass
"""
# The floor of an import: the standard library parses the file, the driver inserts its rows.
RAW_IMPORT_SQLITE = """
import csv, sqlite3, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as handle:
    rows = list(csv.reader(handle, delimiter=";"))[1:]
connection = sqlite3.connect(sys.argv[2])
connection.execute("CREATE TABLE raw (%s)" % ", ".join(f"c{i}" for i in range(len(rows[0]))))
connection.executemany("INSERT INTO raw VALUES (%s)" % ", ".join("?" * len(rows[0])), rows)
connection.commit()
"""
RAW_IMPORT_POSTGRESQL = """
import csv, psycopg, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as handle:
    rows = list(csv.reader(handle, delimiter=";"))[1:]
with psycopg.connect(sys.argv[2]) as connection:
    connection.execute("CREATE TABLE raw (%s)" % ", ".join(f"c{i} text" for i in range(len(rows[0]))))
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO raw VALUES (%s)" % ", ".join(["%s"] * len(rows[0])), rows)
"""
# A bare SQLAlchemy program reading one table: the floor of a command's start-up.
BARE_SQLALCHEMY = """
import sys
from sqlalchemy import create_engine, text
with create_engine(sys.argv[1]).connect() as connection:
    rows = connection.execute(text("SELECT * FROM dossiers")).all()
"""
# Runs a command and prints its peak memory (KiB) on the last line of stderr.
MEASURE = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""
DOSSIERS = [sys.executable, "-m", "dossiers"]


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], env=env,
                          capture_output=True, text=True)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} a échoué :\n{done.stderr}")
    return took, int(done.stderr.strip().splitlines()[-1])


def median_of(repeat: int, command: list[str], env: dict[str, str],
              before: Callable[[], None] | None = None) -> tuple[float, int]:
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        runs.append(measure(command, env))
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def line(name: str, took: float, floor: float | None, memory: int) -> str:
    ratio = f"{took / floor:>8.1f}" if floor else f"{'':>8}"
    return f"{name:<32} {took:>8.2f}s {ratio} {memory / 1024:>7.0f} Mo"


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql")


def driver_url(url: str) -> str:
    """The URL psycopg itself takes (no SQLAlchemy driver suffix)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def fresh_database(kind_of: str, folder: Path) -> tuple[str, Callable[[], None]]:
    """A new, empty database of the same kind as `kind_of`, and how to drop it."""
    if not is_postgresql(kind_of):
        path = folder / f"{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: None
    import psycopg

    name = f"dossiers_bench_{uuid.uuid4().hex[:10]}"
    admin = driver_url(kind_of)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    base, _, _ = admin.rpartition("/")
    return f"{base}/{name}", drop


def holds_dossiers(url: str) -> bool:
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        if "dossiers" not in inspect(engine).get_table_names():
            return False
        with engine.connect() as connection:
            return bool(connection.execute(text("SELECT count(*) FROM dossiers")).scalar())
    finally:
        engine.dispose()


def daily(args: argparse.Namespace) -> None:
    if args.db:
        url = args.db
    else:
        path = HERE / "data" / f"bench-{args.dossiers}-{AS_OF}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    if not holds_dossiers(url):
        print(f"Génération de {args.dossiers} dossiers dans {url}…", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--dossiers",
                        str(args.dossiers), "--db", url, "--as-of", AS_OF], check=True)
    env = {**os.environ, "DOSSIERS_DB": url, "DOSSIERS_MAIL_FROM": "bench@bench.example"}
    # A database generated by an older version: the schema and the stored timelines brought
    # up to date before timing (what `dossiers init` does after an upgrade).
    subprocess.run(DOSSIERS + ["init"], env=env, check=True, capture_output=True)
    if is_postgresql(url):
        scan = [sys.executable, "-c", RAW_SCAN_POSTGRESQL, driver_url(url), *TABLES]
        backend = "PostgreSQL"
    else:
        scan = [sys.executable, "-c", RAW_SCAN_SQLITE, url.removeprefix("sqlite:///"), *TABLES]
        backend = "SQLite"
    scan_time, scan_memory = median_of(args.repeat, scan, env)
    print(f"{backend}, {args.dossiers} dossiers, médiane de {args.repeat} passages")
    print(f"{'commande':<32} {'temps':>9} {'× plancher':>8} {'mémoire':>10}")
    print(line(f"parcours brut ({'psycopg' if is_postgresql(url) else 'sqlite3'})",
               scan_time, scan_time, scan_memory))
    for name, command in COMMANDS.items():
        took, memory = median_of(args.repeat, DOSSIERS + command, env)
        print(line(name, took, scan_time, memory))
    Path(COMMANDS["report overdue --format csv"][-1]).unlink(missing_ok=True)
    if args.role:
        under_role(args, url, env)


def under_role(args: argparse.Namespace, url: str, env: dict[str, str]) -> None:
    """The daily commands under the owner and under an agency's role, alternately."""
    if not is_postgresql(url):
        raise SystemExit("--role : les rôles par agence demandent PostgreSQL (--db postgresql://…)")
    from sqlalchemy.engine import make_url

    where = [args.role_agency] if args.role_agency else ["--all"]
    subprocess.run(DOSSIERS + ["agency", "grant", *where, "--role", args.role], env=env,
                   check=True, capture_output=True)
    role_url = make_url(url).set(username=args.role, password=None).render_as_string(
        hide_password=False)
    role_env = {**env, "DOSSIERS_DB": role_url}
    seen = "toutes les agences" if not args.role_agency else f"l'agence {args.role_agency}"
    print(f"\nsous le rôle « {args.role} » ({seen}) face au propriétaire, médiane de "
          f"{args.repeat} passages alternés")
    print(f"{'commande':<32} {'propriétaire':>12} {'rôle':>9} {'rôle/propr.':>11}")
    for name, command in COMMANDS.items():
        owner_runs, role_runs = [], []
        for _ in range(args.repeat):
            owner_runs.append(measure(DOSSIERS + command, env)[0])
            role_runs.append(measure(DOSSIERS + command, role_env)[0])
        owner_time, role_time = statistics.median(owner_runs), statistics.median(role_runs)
        print(f"{name:<32} {owner_time:>11.2f}s {role_time:>8.2f}s "
              f"{role_time / owner_time:>10.2f}×")


def write_import_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    start_day = date(2027, 3, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["reference", "type", "interimaire", "debut", "fin", "heures_formation",
                         "responsable", "agence", "drf_deposee", "drf_accord"])
        for number in range(1, rows + 1):
            kind = rng.choice(("cipi", "cdpi", "car"))
            start = start_day + timedelta(days=rng.randint(0, 200))
            hours = {"cipi": 140, "cdpi": 210, "car": 400}[kind]
            filed = start - timedelta(days=rng.randint(5, 50))
            writer.writerow([f"IMP-{number:07d}", kind, f"Intérimaire {number}", start.isoformat(),
                             (start + timedelta(days=rng.randint(30, 120))).isoformat(), hours,
                             "bench@bench.example", "Agence Bench",
                             filed.isoformat() if kind != "car" else "",
                             (filed + timedelta(days=2)).isoformat() if kind != "car" else ""])


def importing(args: argparse.Namespace) -> None:
    kind_of = args.db or "sqlite:///"
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        source = folder / "import.csv"
        write_import_csv(source, args.import_rows)
        drops: list[Callable[[], None]] = []
        databases: list[str] = []

        def prepare_dossiers() -> None:
            url, drop = fresh_database(kind_of, folder)
            drops.append(drop)
            databases.append(url)
            env = {**os.environ, "DOSSIERS_DB": url}
            for command in (["init"], ["agency", "add", "Agence Bench"],
                            ["staff", "add", "Bench", "--email", "bench@bench.example",
                             "--agency", "Agence Bench"]):
                subprocess.run(DOSSIERS + command, env=env, check=True, capture_output=True)

        def prepare_raw() -> None:
            url, drop = fresh_database(kind_of, folder)
            drops.append(drop)
            databases.append(url)

        try:
            if is_postgresql(kind_of):
                raw = [sys.executable, "-c", RAW_IMPORT_POSTGRESQL, str(source)]
            else:
                raw = [sys.executable, "-c", RAW_IMPORT_SQLITE, str(source)]
            raw_runs, import_runs = [], []
            for _ in range(args.repeat):
                prepare_raw()
                target = databases[-1]
                target = driver_url(target) if is_postgresql(kind_of) \
                    else target.removeprefix("sqlite:///")
                raw_runs.append(measure(raw + [target], dict(os.environ)))
                prepare_dossiers()
                env = {**os.environ, "DOSSIERS_DB": databases[-1]}
                import_runs.append(measure(DOSSIERS + ["import", str(source)], env))
        finally:
            for drop in drops:
                drop()
    raw_time = statistics.median(t for t, _ in raw_runs)
    took = statistics.median(t for t, _ in import_runs)
    print(f"import de {args.import_rows} lignes "
          f"({'PostgreSQL' if is_postgresql(kind_of) else 'SQLite'})")
    print(line("csv + insertion brute", raw_time, raw_time, max(m for _, m in raw_runs)))
    print(line("dossiers import", took, raw_time, max(m for _, m in import_runs)))


def startup(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        url = f"sqlite:///{Path(folder_name) / 'demo.db'}"
        env = {**os.environ, "DOSSIERS_DB": url, "DOSSIERS_MAIL_FROM": "bench@bench.example"}
        for command in (["init"], ["sample", "--as-of", AS_OF]):
            subprocess.run(DOSSIERS + command, env=env, check=True, capture_output=True)
        bare, bare_memory = median_of(args.repeat, [sys.executable, "-c", BARE_SQLALCHEMY, url], env)
        print(f"démarrage (réseau de démonstration, {args.repeat} passages)")
        print(line("SQLAlchemy seul, une table", bare, bare, bare_memory))
        for name, command in {"show LYO-CDPI-09": ["show", "LYO-CDPI-09", "--as-of", AS_OF],
                              "list": ["list", "--as-of", AS_OF]}.items():
            took, memory = median_of(args.repeat, DOSSIERS + command, env)
            print(line(name, took, bare, memory))
        for name, command in {"plan": ["plan", "--kind", "cdpi", "--start", "2027-01-11", "--end",
                                       "2027-02-19", "--training-hours", "210", "--json"],
                              "--help": ["--help"]}.items():
            took, memory = median_of(args.repeat, DOSSIERS + command, env)
            print(line(name, took, None, memory))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--db", help="a SQLite or PostgreSQL URL (default: a generated SQLite file)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=5_000)
    parser.add_argument("--skip-daily", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--role", help="PostgreSQL: also time the daily commands under this "
                                       "agency role (granted by the --db URL's user)")
    parser.add_argument("--role-agency", help="the role's agency (default: every agency)")
    args = parser.parse_args()
    if not args.skip_daily:
        daily(args)
    if not args.skip_import:
        print()
        importing(args)
    if not args.skip_startup:
        print()
        startup(args)


if __name__ == "__main__":
    main()
