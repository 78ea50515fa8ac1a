"""A reminder's line, written in Python: what the shipped templates/_digest_item.txt.j2 says,
word for word, without a template include per line (most of a large `remind`'s rendering).

A user's own `_digest_item.txt.j2` (`[mail] templates`) still decides: the shipped digests
include it then (mail/compose.py), and tests/test_reminder_lines.py checks that this function
and the shipped template say the same for every kind of line.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dossiers import messages
from dossiers.reminders.selection import Item, Reason

ITEM_TEMPLATE = "_digest_item.txt.j2"


def reminder_line(item: Item, day: date) -> str:
    step = item.step
    if item.reason == Reason.OVERDUE:
        return (f"EN RETARD de {messages.plural(item.days_late, 'jour')} — {step.label} : "
                f"échéance du {messages.long_date(step.due)} ({step.rule})")
    if item.reason == Reason.AKTO_LATE:
        return (f"{step.label} : AKTO n'a pas répondu (réponse attendue le "
                f"{messages.long_date(step.due)}), relancez AKTO ({step.rule})")
    if item.reason == Reason.AT_RISK:
        assert step.progress is not None
        return (f"{step.label} : menacée, {messages.hours(step.progress.hours_remaining)} "
                f"restantes avant le {messages.long_date(step.due)} ({step.rule})")
    if item.reason == Reason.DUE:
        when = ("aujourd'hui, " if step.days_left == 0
                else f"dans {messages.plural(step.days_left, 'jour')}, le ")
        return f"{step.label} : échéance {when}{messages.long_date(step.due)} ({step.rule})"
    since = ("à partir d'aujourd'hui" if step.opens == day
             else f"depuis le {messages.long_date(step.opens)}")
    until = f", au plus tard le {messages.long_date(step.due)}" if step.due else ""
    return f"{step.label} : possible {since}{until} ({step.rule})"


def user_writes_lines(templates_dir: str | None) -> bool:
    """Whether a user's template folder has its own reminder line."""
    return bool(templates_dir) and (Path(templates_dir) / ITEM_TEMPLATE).is_file()
