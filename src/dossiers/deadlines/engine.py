"""The deadline engine: a dossier's facts and a date in, its steps and alerts out.

Two stages, one code path: `schedule_of` turns the facts into a Schedule (every step's
dates, rule and done-on day, the alerts; nothing that depends on the day), and
deadlines/status.py sees it on a day. `compute_timeline` is both in a row; the stored
timelines (store/steps.py) keep the first stage and run the second alone.

Pure: it reads no clock, database, environment or file. Each step names the
rule of the rule book (docs/rules.md) it applies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

from dossiers import messages
from dossiers.deadlines.documents import checklist
from dossiers.deadlines.facts import (
    DossierFacts, EventKind, Incident, IncidentKind, Kind, Mission, Programme,
)
from dossiers.deadlines.periods import Period
from dossiers.deadlines.rulesets import DRF_SUSPENSIONS, Figure
from dossiers.deadlines.suspensions import drf_opening, drf_window
from dossiers.deadlines.status import DEFAULT_DUE_SOON_DAYS, status_on
from dossiers.deadlines.timeline import (
    Alert, DayCheck, MissionCount, MissionProgress, PlannedStep, Schedule, Timeline, Track,
)
POLE_OPINION = "avis-pole-reconversion"
# The alert of a missed mission obligation, per scheme (I-MISSION-STAKE-PER-KIND): only the CDPI's
# costs the flat rate.
MISSION_MISSED_ALERT = {Kind.CDPI: "flat_rate_lost", Kind.CIPI: "mission_missed",
                        Kind.CAR: "mission_missed"}


def compute_timeline(
    facts: DossierFacts, as_of: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> Timeline:
    """Every step that applies to the dossier on `as_of`, and its alerts.

    The view of day `as_of` (I-AS-OF-KNOWS-PAST): facts dated after it do not exist yet.
    """
    return status_on(schedule_of(facts.as_of(as_of), as_of), as_of, due_soon_days)


def schedule_of(facts: DossierFacts, known_on: date) -> Schedule:
    """The steps and alerts the facts decide, whatever the day. `known_on` is the day the
    facts were known on: a mission that has not ended by then does not count yet
    (I-AS-OF-KNOWS-PAST); the facts must hold nothing dated after it."""
    return _ScheduleBuilder(facts, known_on).build()


def mission_hours_required(facts: DossierFacts) -> Fraction:
    """R-CIPI-MISSION: 70 h; R-CDPI-MISSION, R-CAR-MISSION: the exact third of the training hours
    (I-MISSION-EXACT-THIRD)."""
    rules = facts.rules
    if facts.kind is Kind.CIPI:
        return rules.cipi_mission_hours.value
    share = rules.cdpi_mission_share if facts.kind is Kind.CDPI else rules.car_mission_share
    return facts.training_hours * share.value


def car_contract_end(facts: DossierFacts) -> date:
    """R-CAR-HOURS: the last day of a CAR contract, a durée of 12 months that counts the
    training start as its first day: start + 12 months − 1 day (R-CAL-3, I-CAR-CONTRACT)."""
    return facts.rules.car_contract_period.value.last_day(facts.training_start, facts.zone)


def drf_redo_required(facts: DossierFacts) -> bool | None:
    """R-DRF-SHIFT: a new DRF when the start is more than the limit after the accord.

    None while no accord answers the latest DRF. Once there is one, it decides alone
    (I-DRF-SHIFT-DECIDES).
    """
    accord = current_accord(facts)
    if accord is None:
        return None
    return facts.training_start > facts.rules.drf_shift_limit.value.after(accord, facts.zone)


def incident_counts(incident: Incident, opens: date, due: date) -> bool:
    """I-EXCUSE-IN-WINDOW: an incident counts when it can explain the missed delegation over
    the window opens … due: a sick leave (`maladie`, on … until) that overlaps it; a refusal
    dated in it; a failure, a resignation or dismissal, another job from its date on (dated
    on or before the window's end)."""
    if incident.kind is IncidentKind.ILLNESS:
        last = incident.until or incident.on
        return incident.on <= due and last >= opens
    if incident.kind is IncidentKind.REFUSAL:
        return opens <= incident.on <= due
    return incident.on <= due


def current_accord(facts: DossierFacts) -> date | None:
    """The accord that answers the latest DRF; an older one belongs to a DRF since redone
    (I-LATEST-DRF)."""
    submitted = facts.last(EventKind.DRF_SUBMITTED)
    accord = facts.last(EventKind.DRF_ACCORD)
    if accord is None or (submitted is not None and accord < submitted):
        return None
    return accord


@dataclass(frozen=True)
class DrfCycles:
    """R-DRF-SHIFT: the first DRF that AKTO accepted, and the new DRF a start moved too far
    from its accord calls for (I-DRF-SHIFT-DECIDES).

    `first` is the DRF answered by the first accord; `redo` is True when a new DRF is a step
    of its own: the start lies beyond the limit of the current accord (pending), or a DRF
    was deposited after an accord (`redo_on`, the new deposit).
    """

    first: date | None
    first_accord: date | None
    redo: bool
    redo_on: date | None


def drf_cycles(facts: DossierFacts) -> DrfCycles:
    accords = sorted(e.on for e in facts.events if e.kind is EventKind.DRF_ACCORD)
    deposits = sorted(e.on for e in facts.events if e.kind is EventKind.DRF_SUBMITTED)
    if not accords:
        return DrfCycles(None, None, False, None)
    first_accord = accords[0]
    first = max((d for d in deposits if d <= first_accord), default=None)
    later = [d for d in deposits if d > first_accord]
    pending = drf_redo_required(facts) is True
    if pending:
        return DrfCycles(first, first_accord, True, None)
    if later:
        return DrfCycles(first, first_accord, True, later[-1])
    return DrfCycles(first, first_accord, False, None)


def _current_refusal(facts: DossierFacts) -> date | None:
    submitted = facts.last(EventKind.DRF_SUBMITTED)
    refusal = facts.last(EventKind.DRF_REFUSAL)
    if refusal is None or (submitted is not None and refusal < submitted):
        return None
    accord = facts.last(EventKind.DRF_ACCORD)
    if accord is not None and accord > refusal:
        return None
    return refusal


class _ScheduleBuilder:
    def __init__(self, facts: DossierFacts, known_on: date) -> None:
        self.facts = facts
        self.rules = facts.rules
        self.zone = facts.zone
        self.known_on = known_on
        self.steps: list[PlannedStep] = []
        self.alerts: list[Alert | DayCheck] = []
        self.checklist = checklist(facts)

    def build(self) -> Schedule:
        if self.facts.kind is Kind.CAR:
            self._car_request()
        else:
            self._drf()
            self._akto_response()
            self._contract()
            if self.facts.kind is Kind.CDPI:
                self._positioning_assessment()
        self._mission_obligation()
        if self.facts.kind is Kind.CAR:
            self._car_contract()
        else:
            self._attendance()
            self._basic_skills_share()
        self._company()
        redo = None if self.facts.kind is Kind.CAR else drf_redo_required(self.facts)
        if redo:
            accord = current_accord(self.facts)
            assert accord is not None
            limit = self.rules.drf_shift_limit
            self._alert("drf_redo", limit, messages.alert_drf_redo(
                accord, self.facts.training_start, _period_text(limit.value)))
        return Schedule(
            steps=tuple(self.steps),
            alerts=tuple(self.alerts),
            drf_redo_required=redo,
            mission_hours_required=mission_hours_required(self.facts),
            checklist=self.checklist,
        )

    def _company(self) -> None:
        """R-CIPI-FUND, R-CDPI-FUND: AKTO funds only agencies of 11 employees and more that
        are Prism'Emploi members or adherents; 11 and more (I-MIN-HEADCOUNT). A headcount
        nobody entered is flagged, never assumed (« effectif à renseigner »)."""
        company = self.facts.company
        if company is None or self.facts.kind is Kind.CAR:
            return
        minimum = self.rules.company_min_headcount
        rule = "R-CIPI-FUND" if self.facts.kind is Kind.CIPI else "R-CDPI-FUND"
        too_small = company.headcount is not None and company.headcount < minimum.value
        if too_small:
            self.alerts.append(Alert("funding_impossible", rule,
                                     messages.alert_funding_impossible(minimum.value)))
        elif not company.prism_member:
            # R-FUND-NON-MEMBER: 11 and more but no member: the old agreement's rules, and the
            # agency's own resources.
            self.alerts.append(Alert("funding_impossible", "R-FUND-NON-MEMBER",
                                     messages.ALERT_FUNDING_NON_MEMBER))
        if company.headcount is None:
            self.alerts.append(Alert("headcount_unknown", rule,
                                     messages.alert_headcount_unknown(minimum.value)))
        elif (self.facts.kind is Kind.CIPI and company.prism_member
              and company.headcount == minimum.value):
            # I-MIN-HEADCOUNT: 001, the CIPI's own sheet, says « de + de 11 salariés »: at 11
            # exactly, the CIPI's funding is said to be confirmed, not assumed.
            self.alerts.append(Alert("headcount_boundary", rule,
                                     messages.alert_headcount_boundary(minimum.value)))

    # Steps of the AKTO process for CIPI and CDPI.

    def _drf(self) -> None:
        """R-DRF-WINDOW: opens start − 2 months, due start − 2 jours ouvrés.

        R-DRF-SHIFT decides alone once an accord exists (I-DRF-SHIFT-DECIDES): the accepted DRF
        stays done whatever its window for the current start; a start beyond the limit of
        the accord calls for a new DRF, a step of its own (`drf_redo`) with the window of
        the new start, done by the next deposit.
        """
        start = self.facts.training_start
        due_figure = self.rules.drf_due_before_start
        window = drf_window(self.rules, start, self.zone)
        opens, due = window.opens, window.due
        cycles = drf_cycles(self.facts)
        if cycles.first_accord is None:
            done_on = self.facts.last(EventKind.DRF_SUBMITTED)
            self._add("drf", opens, due, done_on, due_figure.rule)
            self._drf_too_early(done_on, opens, due, "drf")
        elif not cycles.redo:
            self._add("drf", opens, due, cycles.first, due_figure.rule, accepted=True)
        else:
            # The accepted DRF answered a former start: its window is not recomputed.
            self._add("drf", None, None, cycles.first, due_figure.rule, accepted=True)
            shift = self.rules.drf_shift_limit
            # Once AKTO accords the new deposit, that accord decides in its turn.
            redo_accepted = cycles.redo_on is not None and current_accord(self.facts) is not None
            self._add("drf_redo", opens, due, cycles.redo_on, shift.rule, accepted=redo_accepted)
            self._drf_too_early(cycles.redo_on, opens, due, "drf_redo")
        # I-2021-SUSPENSION: the summer 2022 suspension, whatever the rule set.
        if window.impossible:
            first, last = window.opening_moved_by or window.due_moved_by or (opens, due)
            self._alert("drf_suspended", DRF_SUSPENSIONS,
                        messages.alert_drf_window_suspended(first, last))
        elif window.due_moved_by is not None:
            self._alert("drf_suspended", DRF_SUSPENSIONS,
                        messages.alert_drf_window_cut(*window.due_moved_by, due))
        for first, last in window.crossed():
            self._alert("drf_suspended", DRF_SUSPENSIONS,
                        messages.alert_drf_suspended(first, last))

    def _drf_too_early(self, done_on: date | None, opens: date, _due: date, code: str) -> None:
        """R-DRF-WINDOW: a DRF deposited before its window does not count (I-DRF-TOO-EARLY):
        say when to deposit it again, while AKTO has not answered it."""
        if done_on is None or done_on >= opens or self._drf_answered():
            return
        # The words depend on the day: before, inside or after the window (status.py).
        self.alerts.append(DayCheck("drf_too_early", self.rules.drf_opens_before_start.rule,
                                    code, on=done_on))

    def _drf_answered(self) -> bool:
        return current_accord(self.facts) is not None or _current_refusal(self.facts) is not None

    def _akto_response(self) -> None:
        """R-DRF-ANSWER: AKTO answers within 2 jours ouvrés of the DRF; late is AKTO's delay."""
        submitted = self.facts.last(EventKind.DRF_SUBMITTED)
        if submitted is None:
            return
        opens, _ = drf_opening(self.rules, self.facts.training_start, self.zone)
        if submitted < opens and not self._drf_answered():
            # I-DRF-TOO-EARLY: the DRF is to be deposited again, not AKTO to be chased.
            return
        figure = self.rules.akto_answer_within
        expected = figure.value.after(submitted, self.zone)
        answer = current_accord(self.facts) or _current_refusal(self.facts)
        if answer is None:
            # Late once the expected day has passed (status.py).
            self.alerts.append(DayCheck("akto_late", figure.rule, "akto_response",
                                        messages.alert_akto_late(expected)))
        refusal = _current_refusal(self.facts)
        if refusal is not None:
            self._alert("drf_refused", figure, messages.alert_drf_refused(refusal))
        self.steps.append(PlannedStep("akto_response", submitted, expected, answer, figure.rule,
                                      Track.AKTO))

    def _contract(self) -> None:
        """R-CONTRACT: the contract and its documents within 61 calendar days of the accord."""
        accord = current_accord(self.facts)
        if accord is None:
            return
        figure = self.rules.contract_within
        due = figure.value.after(accord, self.zone)
        done_on = self.facts.last(EventKind.CONTRACT_SUBMITTED)
        if done_on is not None and done_on < accord:
            done_on = None  # sent under an accord since replaced (R-DRF-SHIFT)
        self._add("contract", accord, due, done_on, figure.rule)

    def _positioning_assessment(self) -> None:
        """R-CDPI-BILAN: mandatory under Langue et Compétences, one week before the start; a
        CDPI step only (I-LC-POSITIONING-CDPI)."""
        if self.facts.programme is not Programme.LANGUE_COMPETENCES:
            return
        figure = self.rules.cdpi_positioning_before_start
        due = figure.value.before(self.facts.training_start, self.zone)
        done_on = self.facts.last(EventKind.POSITIONING_DONE)
        self._add("positioning_assessment", None, due, done_on, figure.rule)

    def _attendance(self) -> None:
        """R-ATTEND: once funding is granted; open from the end of training, no deadline
        unless the rule set gives one (I-ATTEND-NO-DEADLINE)."""
        if self.facts.last(EventKind.FUNDING_GRANTED) is None:
            return
        figure = self.rules.attendance_due_after_end
        end = self.facts.training_end
        due = figure.value.after(end, self.zone) if figure.value else None
        done_on = self.facts.last(EventKind.ATTENDANCE_SUBMITTED)
        self._add("attendance", end, due, done_on, figure.rule)

    # CAR.

    def _car_request(self) -> None:
        """R-CAR-REQUEST: the request reaches AKTO at the latest on the training start."""
        figure = self.rules.car_request_before_start
        due = figure.value.before(self.facts.training_start, self.zone)
        done_on = self.facts.last(EventKind.CAR_REQUEST_SUBMITTED)
        self._add("car_request", None, due, done_on, figure.rule)
        # R-CAR-ELIG: the pôle reconversion's opinion is mandatory before the request.
        opinion = self.facts.documents.get(POLE_OPINION)
        if done_on is not None and opinion is not None and opinion > done_on:
            self.alerts.append(Alert("pole_opinion_late", "R-CAR-ELIG",
                                     messages.alert_pole_opinion_late(opinion, done_on)))

    def _car_contract(self) -> None:
        """R-CAR-HOURS: the contract (training and missions) lasts 12 months at most; a
        mission that ends after start + 12 months is flagged (I-CAR-CONTRACT)."""
        contract_end = car_contract_end(self.facts)
        beyond = [m for m in self.facts.missions if m.end > contract_end]
        if beyond:
            self._alert("car_mission_beyond_contract", self.rules.car_contract_period,
                        messages.alert_car_mission_beyond_contract(len(beyond), contract_end))

    # Programmes.

    def _basic_skills_share(self) -> None:
        """R-L&C: a Langue et Compétences course with a trade module holds at least 30 %
        basic-skills or French-language content (I-LC-SHARE: flagged, not refused)."""
        if self.facts.programme is not Programme.LANGUE_COMPETENCES:
            return
        figure = self.rules.lc_basic_skills_min_share
        share = self.facts.basic_skills_share
        if share is None:
            self._alert("lc_share_unknown", figure, messages.alert_lc_share_unknown(figure.value))
        elif share < figure.value:
            self._alert("lc_share_low", figure, messages.alert_lc_share_low(share, figure.value))

    # The mission obligation of the three kinds.

    def _mission_obligation(self) -> None:
        """R-CIPI-MISSION: 70 h within start … start + 6 months − 1 day (a durée, R-CAL-3).
        R-CDPI-MISSION, R-CAR-MISSION: ⅓ of the training hours within end + 1 day … end + 3 months
        (a délai after the end, R-CAL-3).
        Only missions entirely inside the window and ended by `known_on` count."""
        facts = self.facts
        if facts.kind is Kind.CIPI:
            window = self.rules.cipi_period
            opens = facts.training_start
            # R-CAL-3: a durée counting its first day (26/05/2026 → 25/11/2026).
            due = window.value.last_day(facts.training_start, self.zone)
        else:
            window = (self.rules.cdpi_mission_window if facts.kind is Kind.CDPI
                      else self.rules.car_mission_window)
            opens = facts.training_end + timedelta(days=1)
            due = window.value.after(facts.training_end, self.zone)
        required = mission_hours_required(facts)
        counts = tuple(self._mission_count(m, opens, due) for m in
                       sorted(facts.missions, key=lambda m: (m.end, m.start)))
        done_hours = Fraction(0)
        reached_on = None
        for count in counts:
            if count.counted:
                done_hours += count.hours
                if reached_on is None and done_hours >= required:
                    reached_on = count.end
        progress = MissionProgress(done_hours, required, opens, due, counts)
        step = PlannedStep("mission_obligation", opens, due, reached_on, window.rule,
                           progress=progress)
        if reached_on is None:
            step = self._mission_shortfall(step, window.rule)
        self.steps.append(step)

    def _mission_count(self, mission: Mission, opens: date, due: date) -> MissionCount:
        """Only missions entirely inside the window and ended by `known_on` count
        (I-MISSION-INSIDE-WINDOW, I-AS-OF-KNOWS-PAST); say why another one does not."""
        reason = None
        kind = self.facts.kind.value
        if mission.start < opens:
            # I-CIPI-MISSION-BEFORE-START: before a CIPI's start is outside its period; before the
            # end of a CDPI's or CAR's training is inside the contract, which does not count.
            reason = messages.mission_before_window(kind, opens)
        elif mission.end > due:
            reason = messages.mission_after_window(kind, due)
        elif mission.end > self.known_on:
            reason = messages.MISSION_NOT_ENDED
        return MissionCount(mission.start, mission.end, mission.hours, reason is None, reason)

    def _mission_shortfall(self, step: PlannedStep, rule: str) -> PlannedStep:
        """A justified shortfall closes the obligation; an unjustified one at the deadline
        costs what the scheme's own rule says (I-MISSION-STAKE-PER-KIND, I-CAR-NO-FLAT-RATE): the CDPI
        flat rate (R-CDPI-EXCUSE); the CIPI's commitment (R-CIPI-MISSION); for a CAR the
        sources say nothing, and the pôle reconversion is the one to ask (R-CAR-MISSION).
        Before that, warn when the remaining hours no longer fit at 35 h a week
        (I-MISSION-PACE-35H). Incidents apply to the three kinds (I-EXCUSE-ALL-KINDS); only
        those that can explain the missed delegation count (I-EXCUSE-IN-WINDOW); one proven
        such incident is enough (I-EXCUSE-ONE-PROOF)."""
        kind = self.facts.kind.value
        stake_rule = "R-CDPI-EXCUSE" if self.facts.kind is Kind.CDPI else rule
        assert step.opens is not None and step.due is not None
        counting = [i for i in self.facts.incidents if incident_counts(i, step.opens, step.due)]
        justified = [i for i in counting if i.document_on is not None]
        if justified:
            on = max(i.document_on for i in justified if i.document_on is not None)
            return replace(step, track=Track.JUSTIFIED, done_on=on)
        if len(counting) < len(self.facts.incidents):
            self.alerts.append(Alert("incident_outside_window", stake_rule,
                                     messages.alert_incident_outside_window(
                                         len(self.facts.incidents) - len(counting))))
        if any(i.document_on is None for i in counting):
            self.alerts.append(Alert("incident_unproven", stake_rule,
                                     messages.ALERT_INCIDENT_UNPROVEN[kind]))
        # Missed once overdue; at risk before that (status.py decides on the day).
        self.alerts.append(DayCheck(MISSION_MISSED_ALERT[self.facts.kind], stake_rule,
                                    step.code, messages.ALERT_MISSION_MISSED[kind]))
        self.alerts.append(DayCheck("mission_at_risk", rule, step.code,
                                    pace=self.rules.mission_pace_hours_per_week.value))
        return step

    # Shared logic.

    def _add(self, code: str, opens: date | None, due: date | None, done_on: date | None,
             rule: str, accepted: bool = False) -> None:
        """R-DOCS: a step whose event is recorded but a required document is missing is not
        done (I-DOCS-BLOCK-STEP); it says which documents (in `show` only: their names can be
        sensitive). `accepted`: AKTO's accord decides, not the window (I-DRF-SHIFT-DECIDES)."""
        missing = tuple(item.code for item in self.checklist if item.step == code and item.blocks)
        if done_on is not None and missing:
            self.alerts.append(Alert("missing_documents", "R-DOCS",
                                     messages.alert_missing_documents(code, len(missing))))
            done_on = None
        track = Track.ACCEPTED if accepted else Track.AGENCY
        self.steps.append(PlannedStep(code, opens, due, done_on, rule, track, missing=missing))

    def _alert(self, code: str, figure: Figure, message: str) -> None:
        self.alerts.append(Alert(code, figure.rule, message))


def _period_text(period: Period) -> str:
    return messages.period(period.amount, period.unit.value)
