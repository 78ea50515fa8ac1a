"""Time the commands that look at every dossier, against a raw scan of the same tables.

    python benchmarks/run.py [--dossiers 100000] [--db URL] [--repeat 3]

Without --db, a SQLite database of N synthetic dossiers is generated once in
benchmarks/data/ (see generate.py) and reused. For each of `dossiers remind
--dry-run`, `dossiers report overdue --format csv` and `dossiers list --overdue
--json`, it prints the median wall time over the repeats, its ratio to the raw scan
(the sqlite3 module reading the same tables: the floor for any tool that looks at
every dossier) and the peak memory of the process. Speed is checked here, not in
timed tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = "2026-11-23"
COMMANDS = {
    "remind --dry-run": ["remind", "--dry-run", "--as-of", AS_OF],
    "report overdue --format csv": ["report", "overdue", "--format", "csv", "--as-of", AS_OF,
                                    "-o", os.devnull],
    "list --overdue --json": ["list", "--overdue", "--json", "--as-of", AS_OF],
}
RAW_SCAN = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
for table in ("agencies", "staff", "dossiers", "events", "missions", "incidents", "documents"):
    for row in connection.execute(f"SELECT * FROM {table}"):
        pass
"""
# Runs a command and prints its peak memory (KiB) on the last line of stderr.
MEASURE = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], env=env,
                          capture_output=True, text=True)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return took, int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--db", help="an existing SQLite database URL (default: generated)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.db:
        url = args.db
    else:
        path = HERE / "data" / f"bench-{args.dossiers}.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            print(f"Génération de {args.dossiers} dossiers dans {path}…", file=sys.stderr)
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--dossiers",
                            str(args.dossiers), "--db", url], check=True)
    database = url.removeprefix("sqlite:///")
    env = {**os.environ, "DOSSIERS_DB": url,
           "DOSSIERS_MAIL_FROM": "bench@bench.example"}
    dossiers = [sys.executable, "-m", "dossiers"]

    def median(command: list[str]) -> tuple[float, int]:
        runs = [measure(command, env) for _ in range(args.repeat)]
        return statistics.median(t for t, _ in runs), max(m for _, m in runs)

    scan_time, scan_memory = median([sys.executable, "-c", RAW_SCAN, database])
    print(f"{args.dossiers} dossiers, médiane de {args.repeat} passages")
    print(f"{'commande':<30} {'temps':>9} {'× scan':>8} {'mémoire':>10}")
    print(f"{'scan brut (sqlite3)':<30} {scan_time:>8.2f}s {1:>8.1f} {scan_memory / 1024:>7.0f} Mo")
    for name, command in COMMANDS.items():
        took, memory = median(dossiers + command)
        print(f"{name:<30} {took:>8.2f}s {took / scan_time:>8.1f} {memory / 1024:>7.0f} Mo")
    for name, command in {"plan": ["plan", "--kind", "cdpi", "--start", "2027-01-11", "--end",
                                   "2027-02-19", "--training-hours", "210", "--json"],
                          "--help": ["--help"]}.items():
        took, memory = median(dossiers + command)
        print(f"{name:<30} {took:>8.2f}s {'':>8} {memory / 1024:>7.0f} Mo")


if __name__ == "__main__":
    main()
