"""Early warning: treatment rising while function is not improving ("iatrogenic escalation").

A pure rule (no ORM, no clock): ``check_escalation`` takes plain values and returns whether to flag
the patient, with the facts that triggered it in neutral words. clinic/escalation_services.py feeds
it from the database every day and keeps the flags.

The rule, over the last ``WINDOW_DAYS`` (about 6 months) before ``today``:

1. Function is **not improving**: the patient's PEG (the mean of pain, enjoyment of life and general
   activity; lower is better) was answered at least twice in the window, the first and the latest
   answers at least ``MIN_PEG_SPAN_DAYS`` apart, and the latest is not at least 30% better than the
   first in the window (the PEG responder criterion, measures/instruments: 30% improvement, VERIFIED in
   ../shared/clinical/REFERENCE.md §1.1). A PEG that went up is "worse"; one that stayed within 30% is
   "not improved". Goal metrics join here when care plans exist (the care-plan issue).
2. **and** treatment intensity is rising, by any one of these signals:
   - MME up: the latest known daily MME is higher than the one in effect at the start of the window
     (the value recorded on or before the start, else the first one in the window);
   - ``MIN_NEW_REFERRALS`` or more new specialist referrals sent in the window (which services count
     as "specialist" is ``SPECIALIST_SERVICES``);
   - repeat imaging or procedures: ``MIN_REPEAT_PROCEDURES`` or more in the window;
   - ``MIN_NEW_MEDICATION_CLASSES`` or more medication classes started in the window.

Unknown inputs are ``None`` and never count as rising (an empty list means "known: none"); the
facts say which signals could not be checked. Signals dated on or before ``reviewed_on`` (the day the
team last reviewed a flag for this patient) do not count again: only new escalation raises a new flag.

The wording states what the record shows, never a judgement of the patient: it names the numbers
and suggests a team review. Thresholds marked "app choice" are the clinic's to tune; they are not
published cut-offs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

WINDOW_DAYS = 182  # "the last 6 months": 26 weeks (app choice for "6 months")
MIN_PEG_SPAN_DAYS = 56  # two PEG answers 8 weeks apart, as the caseload's "not improving" (measures/caseload.py)
PEG_RESPONDER_PERCENT = 30  # PEG responder: >= 30% improvement from baseline (REFERENCE.md §1.1, VERIFIED)
MIN_NEW_REFERRALS = 3  # "three or more new specialist referrals" (issue 7)
MIN_REPEAT_PROCEDURES = 2  # "repeat imaging or procedures": a second one in the window (app choice)
MIN_NEW_MEDICATION_CLASSES = 1  # "new medication classes": any class started in the window (app choice)

# Referral.Service values that count as specialist referrals (app choice): medical and procedural
# specialties. Physical, occupational and psychological therapies, behavioural health, social work,
# sleep and addiction medicine are the biopsychosocial care the review suggests: they never count.
# "Other" is where specialists without their own choice go (neurology, rheumatology, orthopaedics ...).
SPECIALIST_SERVICES = frozenset({"pain_medicine", "interventional", "surgery", "other"})

SUGGESTION = "Suggested: discuss at a case conference with a biopsychosocial review."  # app wording

ARROW = "\u2192"


@dataclass(frozen=True)
class EscalationCheck:
    flagged: bool
    function_facts: tuple[str, ...]  # what the PEG shows (empty when there is not enough to judge)
    intensity_facts: tuple[str, ...]  # each signal that rose
    unknown: tuple[str, ...]  # the signals that could not be checked

    @property
    def facts(self) -> list[str]:
        """Everything the team should read, in order: function, the rising signals, what was not checked."""
        facts = [*self.function_facts, *self.intensity_facts]
        if self.unknown:
            facts.append(f"Not checked (not recorded in Haven yet): {', '.join(self.unknown)}.")
        return facts


def window_start(today: date) -> date:
    return today - timedelta(days=WINDOW_DAYS)


def check_escalation(
    *,
    today: date,
    peg: Iterable[tuple[date, float]],
    mme: Iterable[tuple[date, float]] | None = None,
    specialist_referrals: Iterable[date] | None = None,
    procedures: Iterable[date] | None = None,
    medication_classes: Iterable[tuple[date, str]] | None = None,
    reviewed_on: date | None = None,
) -> EscalationCheck:
    """Apply the rule (module docstring) to one patient's values.

    ``peg``: (day answered, PEG total) pairs; ``mme``: (day, daily MME) pairs; ``specialist_referrals``
    and ``procedures``: the days they were sent or done; ``medication_classes``: (day started, class).
    ``None`` means unknown. Values after ``today`` are ignored.
    """
    start = window_start(today)
    signals_from = max(start, reviewed_on) if reviewed_on else start
    function_facts = peg_facts(peg, start=start, today=today)
    intensity: list[str] = []
    unknown: list[str] = []

    if mme is None:
        unknown.append("MME")
    elif fact := mme_fact(mme, start=signals_from, today=today):
        intensity.append(fact)

    if specialist_referrals is None:
        unknown.append("specialist referrals")
    else:
        count = count_between(specialist_referrals, after=signals_from, today=today)
        if count >= MIN_NEW_REFERRALS:
            intensity.append(f"{count} new specialist referrals since {month_day(signals_from)}")

    if procedures is None:
        unknown.append("imaging and procedures")
    else:
        count = count_between(procedures, after=signals_from, today=today)
        if count >= MIN_REPEAT_PROCEDURES:
            intensity.append(f"{count} imaging studies or procedures since {month_day(signals_from)}")

    if medication_classes is None:
        unknown.append("medication classes")
    else:
        started = sorted({name for day, name in medication_classes if signals_from < day <= today})
        if len(started) >= MIN_NEW_MEDICATION_CLASSES:
            noun = "class" if len(started) == 1 else "classes"
            intensity.append(
                f"{len(started)} new medication {noun} since {month_day(signals_from)}: {', '.join(started)}"
            )

    flagged = bool(function_facts) and bool(intensity)
    return EscalationCheck(
        flagged=flagged,
        function_facts=tuple(function_facts),
        intensity_facts=tuple(intensity),
        unknown=tuple(unknown),
    )


def peg_facts(peg: Iterable[tuple[date, float]], *, start: date, today: date) -> list[str]:
    """One fact when the PEG is not improving over the window, else none (including "not enough PEG")."""
    values = sorted((day, value) for day, value in peg if start < day <= today and value is not None)
    if len(values) < 2:
        return []
    (first_day, first), (last_day, last) = values[0], values[-1]
    if (last_day - first_day).days < MIN_PEG_SPAN_DAYS:
        return []
    first_exact, last_exact = exact(first), exact(last)
    if first_exact == 0:
        # No percentage exists from 0; a PEG that stays at 0 is not a function problem.
        if last_exact <= 0:
            return []
    elif (first_exact - last_exact) / first_exact * 100 >= PEG_RESPONDER_PERCENT:
        return []
    numbers = f"({one_decimal(first)} {ARROW} {one_decimal(last)})"
    if last_exact >= first_exact:
        return [f"PEG has not improved over the last 6 months {numbers}"]
    return [f"PEG has improved by less than 30% over the last 6 months {numbers}"]


def mme_fact(mme: Iterable[tuple[date, float]], *, start: date, today: date) -> str | None:
    values = sorted((day, value) for day, value in mme if day <= today and value is not None)
    if not values:
        return None
    before = [value for day, value in values if day <= start]
    inside = [value for day, value in values if day > start]
    if not inside:
        return None
    baseline = before[-1] if before else inside[0]
    latest = inside[-1]
    if exact(latest) <= exact(baseline):
        return None
    return f"Daily MME rose since {month_day(start)} ({one_decimal(baseline)} {ARROW} {one_decimal(latest)})"


def count_between(days: Iterable[date], *, after: date, today: date) -> int:
    return sum(1 for day in days if after < day <= today)


def exact(value) -> Fraction:
    """Floats as the nearest simple fraction (a PEG of 20/3 stored as 6.666... is 20/3), as measures.change."""
    return Fraction(str(value)).limit_denominator(1000)


def one_decimal(value) -> str:
    return f"{float(value):.1f}"


def month_day(day: date) -> str:
    return f"{day:%B} {day.day}"
