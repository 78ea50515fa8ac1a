"""Stored timelines: a stored schedule seen on a day (deadlines/status.py), for the dossiers SQL
chooses over the stored steps, equals the engine run from the facts over every dossier — for
random dossiers, random histories and random days, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from dossiers.deadlines.engine import compute_timeline
from dossiers.deadlines.timeline import Timeline
from dossiers.reminders.selection import DossierState, Person, Policy, select_digests
from dossiers.services.dossiers import (
    ListFilter, _due_within, facts_on, list_dossiers, open_on,
)
from dossiers.services.reminders import dossier_states
from dossiers.store.database import transaction
from dossiers.store.facts import facts_of
from dossiers.store.models import (
    Agency, Document, Dossier, Event, Incident, Mission, Staff, StoredTimeline,
)
from dossiers.store.records import (
    DossierRecord, dossier_query, managers_by_agency, stream_dossiers,
)
from dossiers.store import steps as store_steps
from dossiers.store.packed import unpack
from dossiers.store.steps import EPOCH, candidates, interval, settled, stale_ids

BASE = date(2026, 9, 1)
NOW = datetime(2026, 9, 1, 8)
EVENT_KINDS = ("drf-submitted", "drf-accord", "drf-refusal", "contract-submitted",
               "funding-granted", "attendance-submitted", "positioning-done",
               "car-request-submitted")
DOCUMENTS = ("donnees-salarie", "contrat-signe", "programme-formation", "heures-presence",
             "certificat-realisation", "contrat-mission", "avis-pole-reconversion",
             "reference-langue-competences")
PROGRAMMES = (None, "langue-competences", "hope", "missions-jeunes")
LEADS = (7, 2, 0)


def offset(low: int, high: int) -> st.SearchStrategy[date]:
    return st.integers(low, high).map(lambda days: BASE + timedelta(days=days))


def later(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


# Fact dates are days after the training start (negative: before it), so that histories look
# like real ones: most facts before the deadlines that follow them.
dossier_strategy = st.fixed_dictionaries({
    "kind": st.sampled_from(("cipi", "cdpi", "car")),
    "start": offset(-200, 200),
    "length": st.integers(20, 200),
    "hours": st.integers(70, 600),
    "programme": st.sampled_from(PROGRAMMES),
    "agency": st.integers(0, 1),
    "events": st.lists(st.tuples(st.sampled_from(EVENT_KINDS), later(-90, 20)), max_size=5),
    "missions": st.lists(st.tuples(later(-10, 250), st.integers(0, 90), st.integers(0, 300)),
                         max_size=3),
    "incidents": st.lists(st.tuples(later(0, 250), st.one_of(st.none(), st.integers(0, 60))),
                          max_size=1),
    "documents": st.lists(st.tuples(st.sampled_from(DOCUMENTS), later(-90, 30)), max_size=3),
})


def _setup(engine: Engine) -> list[int]:
    with transaction(engine) as session:
        if session.scalar(select(Agency.id).limit(1)) is None:
            for name, zone in (("Lyon", "metropole"), ("Saint-Denis", "reunion")):
                agency = Agency(name=name, zone=zone, headcount=20, prism_member=True)
                session.add(agency)
                session.add(Staff(name=f"Léa {name}", email=f"lea@{zone}.fr", role="charge",
                                  agency=agency))
                session.add(Staff(name=f"Chef {name}", email=f"chef@{zone}.fr", role="manager",
                                  agency=agency))
            session.flush()
        for table in (Event, Mission, Incident, Document, Dossier):
            session.execute(delete(table))
        return list(session.scalars(select(Staff.id).where(Staff.role == "charge")
                                    .order_by(Staff.agency_id)))


def _write(engine: Engine, drawn: list[dict], owners: list[int]) -> None:  # type: ignore[type-arg]
    """Through the ORM, as every command writes: the listener stores the timelines."""
    with transaction(engine) as session:
        for number, d in enumerate(drawn):
            owner = session.get(Staff, owners[d["agency"]])
            assert owner is not None
            dossier = Dossier(
                reference=f"P-{number}", kind=d["kind"], worker="W", contract_type="ctt",
                programme=d["programme"] if d["kind"] == "cdpi" else None,
                training_start=d["start"], training_end=d["start"] + timedelta(days=d["length"]),
                training_minutes=d["hours"] * 60, owner=owner, agency_id=owner.agency_id,
                rules="akto-current", state="open", created_at=NOW)
            session.add(dossier)
            start_day = d["start"]

            def at(days: int) -> date:
                return start_day + timedelta(days=days)  # noqa: B023

            for kind, on in d["events"]:
                dossier.events.append(Event(kind=kind, occurred_on=at(on), recorded_at=NOW))
            for first, days, hours in d["missions"]:
                start = at(first)
                dossier.missions.append(Mission(start=start, end=start + timedelta(days=days),
                                                worked_minutes=hours * 60, holiday_minutes=0))
            for when, proof in d["incidents"]:
                on = at(when)
                dossier.incidents.append(Incident(
                    kind="echec", occurred_on=on, created_at=NOW,
                    document_on=None if proof is None else on + timedelta(days=proof)))
            for code, on in d["documents"]:
                dossier.documents.append(Document(code=code, received_on=at(on), created_at=NOW))


def _forget_some(engine: Engine, every: int) -> None:
    """Another write: take back some events and missions (as `cancel` does)."""
    with transaction(engine) as session:
        for dossier in session.scalars(select(Dossier).order_by(Dossier.id)):
            if dossier.id % every == 0 and dossier.events:
                dossier.events.pop()
            if dossier.id % every == 1 and dossier.missions:
                dossier.missions.pop()


def _check_day(engine: Engine, day: date, within: int, since_days: int) -> None:
    day_in = lambda _zone: day  # noqa: E731
    with transaction(engine, write=False) as session:
        # The engine from the facts, every dossier. The stored path carries no checklist nor
        # mission-by-mission detail (`show` only).
        everything = [(record, compute_timeline(facts_on(record, day), day).without_detail())
                      for record in stream_dossiers(session, dossier_query())]
        seen = [(r.id, t) for r, t in
                list_dossiers(session, day_in, ListFilter(include_closed=True))]
        assert seen == [(r.id, t) for r, t in everything]
        expected_overdue = [(r.id, t) for r, t in everything if t.overdue]
        found = [(r.id, t) for r, t in list_dossiers(session, day_in, ListFilter(overdue=True))]
        assert found == expected_overdue
        expected_soon = [(r.id, t) for r, t in everything if _due_within(t, within)]
        found = [(r.id, t) for r, t in list_dossiers(session, day_in,
                                                     ListFilter(due_within=within))]
        assert found == expected_soon
        policy = Policy(lambda _code: LEADS)
        since = day - timedelta(days=since_days)
        every_dossier = list(select_digests(_engine_states(session, everything, day), day,
                                            since, policy, {}, {}))
        chosen = list(select_digests(dossier_states(session, day, since, policy), day, since,
                                     policy, {}, {}))
        assert chosen == every_dossier


def _engine_states(session: Session, everything: list[tuple[DossierRecord, Timeline]],
                   day: date) -> list[DossierState]:
    """What `dossier_states` gives, from the engine over every dossier open on the day."""
    managers = {agency: tuple(Person(m.email, m.name) for m in people)
                for agency, people in managers_by_agency(session).items()}
    return [DossierState(id=r.id, reference=r.reference, worker=r.worker, kind=r.kind,
                         agency_id=r.agency_id, zone=r.agency.zone,
                         owner=Person(r.owner.email, r.owner.name),
                         managers=managers.get(r.agency_id, ()), timeline=t)
            for r, t in everything if open_on(facts_on(r, day))]


def _check_stored(engine: Engine) -> None:
    """Each stored timeline is the engine's on its valid_from: dates, rules, done-on; it holds
    over the interval that holds on the day it was written (today()); the dates SQL chooses
    candidates by are those of its steps not settled."""
    with transaction(engine, write=False) as session:
        assert stale_ids(session) == []
        stored = {row.dossier_id: row for row in session.execute(select(StoredTimeline))
                  .scalars()}
        for record in stream_dossiers(session, dossier_query()):
            facts = facts_of(record)
            row = stored[record.id]
            assert (row.valid_from, row.valid_until) == interval(facts, store_steps.today())
            timeline = compute_timeline(facts, row.valid_from or EPOCH)
            schedule = unpack(row.schedule)
            assert [(s.code, s.opens, s.due, s.done_on, s.rule) for s in schedule.steps] == [
                (s.code, s.opens, s.due, s.done_on, s.rule) for s in timeline.steps]
            waiting = [s for s in timeline.steps if not settled(s)]
            dues = [s.due for s in waiting if s.due is not None]
            opens = [s.opens for s in waiting if s.opens is not None]
            assert (row.first_due, row.last_due, row.first_opens, row.last_opens) == (
                min(dues, default=None), max(dues, default=None),
                min(opens, default=None), max(opens, default=None))


def _edges(engine: Engine) -> list[date]:
    """The days where an answer can change: around each due date, opening, first day at
    risk and change of the facts."""
    days: set[date] = set()
    with transaction(engine, write=False) as session:
        for packed, risk, since, until in session.execute(
                select(StoredTimeline.schedule, StoredTimeline.at_risk_from,
                       StoredTimeline.valid_from, StoredTimeline.valid_until)):
            for step in unpack(packed).steps:
                for day, shifts in ((step.due, (-8, -7, -3, -1, 0, 1, 2)),
                                    (step.opens, (-1, 0, 1))):
                    if day is not None:
                        days.update(day + timedelta(days=k) for k in shifts)
            for day in (risk, since, until):
                if day is not None:
                    days.update(day + timedelta(days=k) for k in (-1, 0, 1))
    return sorted(days)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(drawn=st.lists(dossier_strategy, min_size=1, max_size=6), every=st.integers(1, 3),
       data=st.data())
def test_stored_timelines_and_a_day_give_what_the_engine_gives_over_every_dossier(
        db_engine: Engine, drawn: list[dict], every: int,  # type: ignore[type-arg]
        data: st.DataObject) -> None:
    """R-CAL-4 statuses, R-CDPI-EXCUSE at-risk alerts, reminders (R-CAL-1): the candidates SQL
    picks over the stored steps, computed by the engine, are exactly the engine's answer over
    every dossier, on the days where answers change; after a first write, and after a second
    one that takes facts back, written later (the clock moved: the intervals ended since are
    healed)."""
    from dossiers.store.steps import heal

    owners = _setup(db_engine)
    clock = [data.draw(offset(-100, 400))]
    with patch.object(store_steps, "today", lambda: clock[0]):
        _write(db_engine, drawn, owners)
        for write in range(2):
            if write:
                clock[0] += timedelta(days=data.draw(st.integers(0, 200)))
                _forget_some(db_engine, every)
                heal(lambda: transaction(db_engine))
            _check_stored(db_engine)
            # Indices, not the dates: the strategy keeps its shape whatever the edges.
            edges = _edges(db_engine)
            picks = data.draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=8))
            for day in sorted({edges[pick % len(edges)] for pick in picks}):
                _check_day(db_engine, day, data.draw(st.integers(0, 30)),
                           data.draw(st.integers(1, 20)))


def test_a_timeline_of_another_engine_is_stale_and_healed(db_engine: Engine) -> None:
    from dossiers.store.steps import heal

    owners = _setup(db_engine)
    _write(db_engine, [{"kind": "cdpi", "start": BASE, "length": 40, "hours": 210,
                        "programme": None, "agency": 0, "events": [], "missions": [],
                        "incidents": [], "documents": []}], owners)
    with transaction(db_engine) as session:
        session.query(StoredTimeline).update({"engine": "older"})
        assert len(stale_ids(session)) == 1
    assert heal(lambda: transaction(db_engine)) == 1
    with transaction(db_engine, write=False) as session:
        assert stale_ids(session) == []
        [packed] = session.scalars(select(StoredTimeline.schedule))
        assert unpack(packed).steps[0].code == "drf" and unpack(packed).steps[0].due is not None


def test_a_large_heal_gives_postgresql_the_statistics_of_the_new_rows(
        db_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """After many stored timelines are rewritten (a new engine), PostgreSQL's planner gets
    their statistics at once (ANALYZE), not when the autovacuum comes by."""
    from dossiers.store.steps import heal

    if db_engine.dialect.name != "postgresql":
        pytest.skip("the planner's statistics are PostgreSQL's")
    owners = _setup(db_engine)
    _write(db_engine, [{"kind": "cdpi", "start": BASE + timedelta(days=k), "length": 40,
                        "hours": 210, "programme": None, "agency": 0, "events": [],
                        "missions": [], "incidents": [], "documents": []} for k in range(3)],
           owners)

    def rows_planned() -> float:
        with db_engine.connect() as connection:
            return connection.scalar(text(
                "SELECT reltuples FROM pg_class WHERE relname = 'timelines'"))

    assert rows_planned() < 0  # never analysed
    with transaction(db_engine) as session:
        session.query(StoredTimeline).update({"engine": "older"})
    monkeypatch.setattr(store_steps, "BATCH", 2)
    assert heal(lambda: transaction(db_engine)) == 3
    assert rows_planned() == 3


def test_the_candidates_of_a_day_exclude_a_dossier_done_and_not_due(db_engine: Engine) -> None:
    """The point of the store: a dossier whose steps are far from due is not read at all."""
    owners = _setup(db_engine)
    _write(db_engine, [{"kind": "car", "start": BASE + timedelta(days=300), "length": 100,
                        "hours": 400, "programme": None, "agency": 0, "events": [],
                        "missions": [], "incidents": [], "documents": []}], owners)
    with transaction(db_engine, write=False) as session:
        assert list(session.scalars(candidates(BASE, BASE, overdue=True))) == []
        assert list(session.scalars(candidates(BASE, BASE, due_within=14))) == []
        assert len(list(session.scalars(candidates(BASE + timedelta(days=300),
                                                   BASE + timedelta(days=300),
                                                   due_within=14)))) == 1


def test_a_dossier_whose_mission_is_under_way_is_seen_from_its_stored_schedule(
        db_engine: Engine) -> None:
    """A mission still running: the schedule stored holds until the mission ends (no facts
    read, the engine not run); from its end the engine decides, until heal() stores the next
    interval. Both give the engine's answer."""
    from dossiers.services.timelines import timelines_on
    from dossiers.store.steps import heal

    owners = _setup(db_engine)
    start = BASE
    mission_start, mission_end = start + timedelta(days=45), start + timedelta(days=95)
    during = mission_start + timedelta(days=20)
    drawn = [{"kind": "cdpi", "start": start, "length": 40, "hours": 210, "programme": None,
              "agency": 0, "events": [("drf-submitted", -20)], "incidents": [],
              "missions": [(45, 50, 140)], "documents": []}]

    def seen_on(day: date) -> tuple[bool, Timeline, Timeline]:
        with transaction(db_engine, write=False) as session:
            [seen] = timelines_on(session, dossier_query(), lambda _zone: day)
            [record] = stream_dossiers(session, dossier_query())
            engine = compute_timeline(facts_on(record, day), day).without_detail()
            return seen.dossier.events is None, seen.timeline, engine

    with patch.object(store_steps, "today", lambda: during):
        _write(db_engine, drawn, owners)
        with transaction(db_engine, write=False) as session:
            assert session.execute(select(StoredTimeline.valid_from, StoredTimeline.valid_until)
                                   ).one() == (mission_start, mission_end)
        from_store, timeline, engine = seen_on(during)
        assert from_store and timeline == engine
        from_store, timeline, engine = seen_on(mission_end)
        assert not from_store and timeline == engine
    with patch.object(store_steps, "today", lambda: mission_end + timedelta(days=1)):
        assert heal(lambda: transaction(db_engine)) == 1
        from_store, timeline, engine = seen_on(mission_end + timedelta(days=1))
        assert from_store and timeline == engine


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(("cipi", "cdpi", "car")), start=offset(-100, 100),
       length=st.integers(20, 200), hours=st.integers(70, 600),
       missions=st.lists(st.tuples(st.integers(-10, 250), st.integers(0, 90),
                                   st.integers(0, 300)), max_size=3),
       proof=st.one_of(st.none(), st.integers(-1, 250)))
def test_the_first_day_at_risk_is_the_engines_on_every_day_of_the_window(
        kind: str, start: date, length: int, hours: int, missions: list[tuple[int, int, int]],
        proof: int | None) -> None:
    """R-CDPI-EXCUSE, I-MISSION-PACE-35H: the stored first day at risk, found by asking
    deadlines/status.py, says on which days of the window the engine, run from the facts,
    raises mission_at_risk."""
    from fractions import Fraction

    from dossiers.deadlines.facts import DossierFacts, Incident as IncidentFact, IncidentKind
    from dossiers.deadlines.facts import Kind, Mission as MissionFact
    from dossiers.deadlines.engine import schedule_of
    from dossiers.store.steps import at_risk_from

    facts = DossierFacts(
        kind=Kind(kind), training_start=start, training_end=start + timedelta(days=length),
        training_hours=Fraction(hours),
        missions=tuple(MissionFact(start + timedelta(days=first),
                                   start + timedelta(days=first + days), Fraction(worked))
                       for first, days, worked in missions),
        incidents=() if proof is None else (
            IncidentFact(IncidentKind.FAILURE, start, start + timedelta(days=proof))
            if proof >= 0 else IncidentFact(IncidentKind.FAILURE, start),))
    since = interval(facts, None)[0] or start - timedelta(days=30)
    step = compute_timeline(facts, since).step("mission_obligation")
    assert step is not None and step.due is not None
    first = at_risk_from(schedule_of(facts, since), since, step.due)
    day = since
    while day <= step.due:
        at_risk = any(a.code == "mission_at_risk" for a in compute_timeline(facts, day).alerts)
        assert at_risk == (first is not None and day >= first), day
        day += timedelta(days=1)


def test_writes_in_savepoints_are_stored_once_at_the_outer_commit(db_engine: Engine) -> None:
    """Writes in savepoints (as `import` wrote before it checked the file first; a row
    refused rolls back alone): every dossier kept has its stored timeline, the refused one
    none."""
    owners = _setup(db_engine)
    drawn = {"kind": "cipi", "start": BASE, "length": 60, "hours": 140, "programme": None,
             "agency": 0, "events": [("drf-submitted", -20)], "missions": [], "incidents": [],
             "documents": []}
    with transaction(db_engine) as session:
        owner = session.get(Staff, owners[0])
        assert owner is not None
        for number in range(4):
            savepoint = session.begin_nested()
            dossier = Dossier(
                reference=f"S-{number}", kind="cipi", worker="W", contract_type="ctt",
                training_start=BASE, training_end=BASE + timedelta(days=60),
                training_minutes=140 * 60, owner=owner, agency_id=owner.agency_id,
                rules="akto-current", state="open", created_at=NOW)
            dossier.events.append(Event(kind="drf-submitted", occurred_on=BASE - timedelta(
                days=drawn["events"][0][1] * -1), recorded_at=NOW))
            session.add(dossier)
            session.flush()
            if number == 2:
                savepoint.rollback()
            else:
                savepoint.commit()
        assert session.scalar(select(StoredTimeline.dossier_id).limit(1)) is None
    _check_stored(db_engine)
    with transaction(db_engine, write=False) as session:
        assert len(list(session.scalars(select(StoredTimeline.dossier_id)))) == 3
