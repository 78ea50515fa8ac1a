"""A reminder's line written in Python (mail/lines.py) says word for word what the shipped
templates/_digest_item.txt.j2 says; a user's own `_digest_item.txt.j2` still decides."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dossiers.deadlines.timeline import MissionProgress, Status, Step
from dossiers.mail.compose import digest_text
from dossiers.mail.lines import ITEM_TEMPLATE, reminder_line
from dossiers.reminders.selection import DossierItems, Digest, Item, Person, Reason
from dossiers.rendering import environment

DAY = date(2027, 3, 15)
days = st.dates(date(2026, 1, 1), date(2029, 12, 31))
labels = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@st.composite
def items(draw: st.DrawFn) -> Item:
    reason = draw(st.sampled_from([Reason.OVERDUE, Reason.AKTO_LATE, Reason.AT_RISK,
                                   Reason.DUE, Reason.OPENED]))
    opens = draw(st.one_of(st.just(DAY), days))
    due = draw(st.one_of(st.none(), days)) if reason == Reason.OPENED else draw(days)
    progress = None
    if reason == Reason.AT_RISK or draw(st.booleans()):
        required = Fraction(draw(st.integers(1, 600 * 60)), 60)
        done = Fraction(draw(st.integers(0, 600 * 60)), 60)
        progress = MissionProgress(done, required, opens, due or opens)
    step = Step(draw(st.sampled_from(["drf", "mission_obligation", "contract"])), draw(labels),
                opens, due, None, Status.OPEN,
                draw(st.sampled_from(["R-DRF-WINDOW", "R-CONTRACT"])),
                draw(st.one_of(st.none(), st.just(0), st.integers(-30, 400))), progress)
    return Item(step, reason, draw(st.integers(0, 400)), draw(st.booleans()))


@settings(max_examples=300, deadline=None)
@given(items())
def test_the_python_line_is_the_shipped_template_word_for_word(item: Item) -> None:
    template = environment(None).get_template(ITEM_TEMPLATE)
    assert reminder_line(item, DAY) == template.render(item=item, day=DAY)


def test_a_users_own_reminder_line_is_used(tmp_path: Path) -> None:
    # A short line: the digest wraps at 78 columns.
    step = Step("drf", "DRF", DAY, DAY + timedelta(days=3), None, Status.DUE_SOON, "R-CONTRACT",
                3)
    digest = Digest(Person("lea@example.fr", "Léa"), (DossierItems(
        1, "CDPI-1", "Karim B.", "cdpi", "Léa", (Item(step, Reason.DUE),)),))
    shipped = digest_text(digest, DAY).text
    assert f"  • {reminder_line(Item(step, Reason.DUE), DAY)}\n" in shipped
    (tmp_path / ITEM_TEMPLATE).write_text("À MOI : {{ item.step.label }}", encoding="utf-8")
    environment.cache_clear()
    try:
        own = digest_text(digest, DAY, str(tmp_path)).text
    finally:
        environment.cache_clear()
    assert "  • À MOI : DRF\n" in own
    assert own.replace("À MOI : DRF",
                       reminder_line(Item(step, Reason.DUE), DAY)) == shipped
