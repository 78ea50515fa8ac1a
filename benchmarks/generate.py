"""Fill a database with N realistic, synthetic dossiers for benchmarks.

    python benchmarks/generate.py --dossiers 100000 --db sqlite:///bench.db [--seed 1]
                                  [--as-of 2026-11-23]

The three kinds, every stage (DRF to send, waiting for AKTO, contract, training,
missions, closed), events and missions consistent with the rules, agencies in every
zone and their staff in proportion (one agency per 250 dossiers), some late. Rows
go in with bulk inserts in one transaction per table chunk.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from dossiers.deadlines.zones import ZONES
from dossiers.store.database import open_engine, transaction, upgrade
from dossiers.store.models import Agency, Dossier, Event, Mission, Staff
from dossiers.store.steps import heal, write_for

CHUNK = 20_000
FIRST = ["Karim", "Aïcha", "Thomas", "Fatou", "Kevin", "Marie", "Yanis", "Inès", "Lucas",
         "Chloé", "Mamadou", "Sarah", "Dylan", "Océane", "Bilal", "Jade", "Enzo", "Lina"]


def _rows(count: int, as_of: date, rng: random.Random, agencies: int,
          staff_of: dict[int, list[int]]) -> tuple[list[dict], list[dict], list[dict]]:  # type: ignore[type-arg]
    now = datetime(as_of.year, as_of.month, as_of.day, 8)
    dossiers, events, missions = [], [], []
    event_id = mission_id = 0
    for number in range(1, count + 1):
        kind = rng.choices(("cipi", "cdpi", "car"), (40, 45, 15))[0]
        start = as_of + timedelta(days=rng.randint(-300, 120))
        length = rng.randint(28, 150) if kind != "car" else rng.randint(60, 250)
        end = start + timedelta(days=length)
        hours = {"cipi": rng.randint(70, 245), "cdpi": rng.randint(140, 525),
                 "car": rng.randint(200, 900)}[kind]
        agency = rng.randint(1, agencies)
        state = "closed" if end < as_of - timedelta(days=120) and rng.random() < 0.7 else "open"
        dossiers.append({
            "id": number, "reference": f"{kind.upper()}-{number:07d}", "kind": kind,
            "worker": f"{rng.choice(FIRST)} {chr(65 + rng.randint(0, 25))}.",
            "contract_type": "cdii" if rng.random() < 0.15 else "ctt", "programme": None,
            "training_start": start, "training_end": end, "training_minutes": hours * 60,
            "mission_minutes": None, "positioning_minutes": None, "evaluation_minutes": None,
            "tutor_minutes": None, "basic_skills_basis_points": None, "seniority_minutes": None,
            "owner_id": rng.choice(staff_of[agency]), "agency_id": agency,
            "rules": "akto-current", "state": state, "created_at": now,
            "eligibility": None, "in_user_company": False, "afest": False,
            "hourly_cost_cents": None,
        })

        def event(kind_of_event: str, on: date) -> None:
            nonlocal event_id
            if on <= as_of:
                event_id += 1
                events.append({"id": event_id, "dossier_id": number, "kind": kind_of_event,
                               "occurred_on": on, "recorded_at": now})

        if kind == "car":
            if rng.random() < 0.85:
                event("car-request-submitted", start - timedelta(days=rng.randint(-3, 30)))
        elif rng.random() < 0.9:  # most file their DRF, some late, some not yet
            submitted = start - timedelta(days=rng.randint(3, 55))
            event("drf-submitted", submitted)
            accord = submitted + timedelta(days=rng.randint(1, 4))
            event("drf-accord", accord)
            if rng.random() < 0.85:
                event("contract-submitted", accord + timedelta(days=rng.randint(5, 70)))
                event("funding-granted", accord + timedelta(days=rng.randint(10, 75)))
        if end < as_of and rng.random() < 0.7:
            first = end + timedelta(days=rng.randint(1, 40))
            mission_id += 1
            missions.append({"id": mission_id, "dossier_id": number, "start": first,
                             "end": first + timedelta(days=rng.randint(5, 30)),
                             "worked_minutes": rng.randint(20, 120) * 60,
                             "holiday_minutes": 0})
        if state == "closed":
            event("close", end + timedelta(days=100))
    return dossiers, events, missions


def generate(url: str, count: int, seed: int, as_of: date) -> dict[str, int]:
    rng = random.Random(seed)
    engine = open_engine(url)
    upgrade(engine)
    agencies = max(3, count // 250)
    zones = list(ZONES)
    agency_rows = [{"id": i, "name": f"Agence {i:05d}", "zone": zones[i % len(zones)]
                    if i % 10 == 0 else "metropole", "headcount": rng.randint(5, 80),
                    "prism_member": rng.random() < 0.9} for i in range(1, agencies + 1)]
    staff_rows, staff_of = [], {}
    for agency in range(1, agencies + 1):
        for seat in range(4):
            person = len(staff_rows) + 1
            staff_rows.append({"id": person, "name": f"Personne {person}",
                               "email": f"p{person}@bench.example",
                               "role": "manager" if seat == 3 else "charge",
                               "agency_id": agency})
            if seat < 3:
                staff_of.setdefault(agency, []).append(person)
    dossiers, events, missions = _rows(count, as_of, rng, agencies, staff_of)
    with engine.begin() as connection:
        for model, rows in ((Agency, agency_rows), (Staff, staff_rows), (Dossier, dossiers),
                            (Event, events), (Mission, missions)):
            for first in range(0, len(rows), CHUNK):
                connection.execute(insert(model), rows[first:first + CHUNK])
    # The stored timelines of rows written without the ORM: what any command's self-healing
    # would do on its first run.
    began = time.perf_counter()
    write_for(datetime.now(UTC).date())  # as the CLI does: the intervals of today
    heal(lambda: transaction(engine))
    timelines = time.perf_counter() - began
    engine.dispose()
    return {"agencies": agencies, "staff": len(staff_rows), "dossiers": count,
            "events": len(events), "missions": len(missions),
            "s to store the timelines": round(timelines, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, required=True)
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 23))
    args = parser.parse_args()
    began = time.perf_counter()
    counts = generate(args.db, args.dossiers, args.seed, args.as_of)
    took = time.perf_counter() - began
    print(", ".join(f"{value} {name}" for name, value in counts.items())
          + f"; {took:.1f} s in all", file=sys.stderr)


if __name__ == "__main__":
    main()
