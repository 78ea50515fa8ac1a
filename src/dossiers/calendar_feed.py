"""Deadlines as an RFC 5545 calendar: one all-day event per step still to do.

Pure: dossiers and their timelines in, the bytes of an .ics file out. Each event's UID
depends only on the dossier's reference and the step, so a calendar that imports the feed
again (or a subscription that refreshes it) updates the event instead of adding another.
Nothing sensitive goes in: the reference, the step and what to do, never the worker's
eligibility, a justificatif or an incident.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event, vDuration

from dossiers import messages
from dossiers.deadlines.timeline import Status, Step, Timeline
from dossiers.reports.rows import step_action

PRODUCT_ID = "-//dossiers//Echeances AKTO//FR"
UID_DOMAIN = "dossiers.invalid"


def event_uid(reference: str, step_code: str) -> str:
    """Stable across runs: the same dossier and step is always the same calendar event."""
    return f"{reference}/{step_code}@{UID_DOMAIN}"


def _summary(reference: str, step: Step) -> str:
    late = " — en retard" if step.status in (Status.OVERDUE, Status.AKTO_LATE) else ""
    return f"{reference} : {messages.STEP_SHORT_LABELS[step.code]}{late}"


def _description(dossier: Any, step: Step, as_of: date) -> str:
    lines = [
        f"{step_action(dossier.kind, step)} ({step.label}, {step.rule}).",
        f"Échéance : {messages.long_date(step.due)}." if step.due else "",
        f"Dossier {dossier.reference} ({messages.KIND_LABELS[dossier.kind]}), "
        f"{dossier.agency.name}, suivi par {dossier.owner.name}.",
        f"État au {messages.short_date(as_of)} : {messages.STATUS_LABELS[step.status.value]}.",
        f"Détail : dossiers show {dossier.reference}",
    ]
    return "\n".join(line for line in lines if line)


def calendar_feed(rows: Iterable[tuple[Any, Timeline]], as_of: date, now: datetime,
                  title: str, refresh: timedelta | None = None) -> bytes:
    """The .ics bytes: every step not yet finished that has a due date, on its due date.

    `now` (UTC) stamps the events (DTSTAMP), so that a client knows the feed is newer; a
    subscribed feed passes the moment its data last changed, so that the same data gives the
    same bytes. `refresh`: how often a subscribed client should read it again
    (REFRESH-INTERVAL, RFC 7986, and Outlook's X-PUBLISHED-TTL).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", title)
    calendar.add("x-wr-timezone", "Europe/Paris")
    if refresh is not None:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    for dossier, timeline in rows:
        for step in timeline.steps:
            if step.due is None or step.status.is_finished:
                continue
            event = Event()
            event.add("uid", event_uid(dossier.reference, step.code))
            event.add("dtstamp", now)
            event.add("dtstart", step.due)
            event.add("dtend", step.due + timedelta(days=1))
            event.add("summary", _summary(dossier.reference, step))
            event.add("description", _description(dossier, step, as_of))
            event.add("categories", ["AKTO", messages.KIND_LABELS[dossier.kind]])
            event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
            calendar.add_component(event)
    return calendar.to_ical()
