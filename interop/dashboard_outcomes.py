"""Are the clinic's patients getting better? Responders at 3, 6 and 12 months, by tier, condition, discipline
and lead, and how the service runs: questionnaire completion, the wait from referral in to the first visit,
how long referrals take to close, and the share of sprints ending improved.

Set-based: one SQL statement for every responder figure (one pass over the responses picks each patient's
follow-up per window, and grouping sets give the whole clinic and each breakdown at once), one for the service figures.

Responder rules come from the instrument definitions (``measures.definitions``: the figures of REFERENCE.md,
verbatim), the same rules ``measures.change.change_over_time`` applies to one patient (the tests check that the
two agree, edge cases included):

- PEG: improved by at least ``responder_min_percent`` (30%) from the baseline; undefined at a baseline of 0,
  so such a patient is never counted a responder.
- PHQ-9: improved by at least ``meaningful_points`` (5 points), the reference's "clinically meaningful" change.
- GAD-7: REFERENCE.md gives no responder rule, so no GAD-7 figure is shown (the page says so).

The windows are the app's own choice (shown on the page): the baseline is the patient's first scored response
(``MeasureSummary``); "3 months" is the scored response closest to day 90 after it within days 60-120, "6
months" closest to day 180 within 150-210, "12 months" closest to day 365 within 305-425. A patient counts
for a window once the window has closed; one who answered nothing in it counts as not (yet) a responder.
Breakdowns use the patient's active care plan (tier, lead and the lead's discipline) and primary condition.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from careplans.models import CarePlan, Sprint, Tier
from clinic.models import Referral, User
from clinic.roles import Discipline
from interop.dashboard_sql import fetch_all, fetch_one, share
from measures.definitions import get_definition
from measures.models import Instrument, Invitation, MeasureSummary, Response
from patients.models import Encounter, PainCondition, Patient


@dataclass(frozen=True)
class Window:
    months: int
    target_day: int
    first_day: int
    last_day: int

    @property
    def words(self) -> str:
        return (
            f"{self.months} months = the scored response closest to day {self.target_day} after the baseline, "
            f"within days {self.first_day} to {self.last_day}"
        )


#: Never overlapping (a response falls in one window at most: responders_sql relies on it; a test checks it).
WINDOWS = (Window(3, 90, 60, 120), Window(6, 180, 150, 210), Window(12, 365, 305, 425))
INSTRUMENTS = ("peg", "phq9")
NO_RULE = ("gad7",)
#: How far back the service figures look (the app's choice).
SERVICE_DAYS = 365

# GROUPING(tier_id, condition, discipline, lead_id): 1 for each column rolled up, tier the highest bit.
BREAKDOWNS = {15: "clinic", 7: "tier", 11: "condition", 13: "discipline", 14: "lead"}
BREAKDOWN_TITLES = {"tier": "Tier", "condition": "Condition", "discipline": "Lead's discipline", "lead": "Lead"}


def responder_rules() -> dict[str, tuple[str, Decimal]]:
    """Per instrument: ("percent", 30) or ("points", 5), read from the shipped definitions."""
    peg = get_definition("peg").change
    phq9 = get_definition("phq9").change
    return {
        "peg": ("percent", Decimal(str(peg.responder_min_percent))),
        "phq9": ("points", Decimal(str(phq9.meaningful_points))),
    }


def rule_words() -> dict[str, str]:
    rules = responder_rules()
    return {
        "peg": f"PEG: improved by {rules['peg'][1]:f}% or more from the baseline",
        "phq9": f"PHQ-9: improved by {rules['phq9'][1]:f} points or more from the baseline",
    }


@dataclass
class Cell:
    eligible: int = 0  # patients with a baseline whose window has closed
    answered: int = 0  # of them, with a scored response in the window
    responders: int = 0

    @property
    def percent(self) -> float | None:
        return share(self.responders, self.eligible)


@dataclass
class GroupRow:
    label: str
    cells: dict[tuple[str, int], Cell] = field(default_factory=dict)  # (instrument, months) -> Cell

    def cell(self, instrument: str, months: int) -> Cell:
        return self.cells.get((instrument, months), Cell())


@dataclass
class Outcomes:
    clinic: GroupRow
    breakdowns: dict[str, list[GroupRow]]  # "tier" -> rows, in label order


def window_cases() -> str:
    """Which window a response falls in, by its time after the baseline (the windows never overlap)."""
    return " ".join(
        f"WHEN r.completed_at BETWEEN b.baseline_at + make_interval(days => {w.first_day}) "
        f"AND b.baseline_at + make_interval(days => {w.last_day}) THEN {w.months}"
        for w in WINDOWS
    )


def responders_sql() -> str:
    """Responses are read once: each scored response after a baseline falls in at most one window, and the one
    closest to the window's target day is kept (DISTINCT ON). The windows are the module's own numbers."""
    windows = ", ".join(f"({w.months}, {w.target_day}, {w.first_day}, {w.last_day})" for w in WINDOWS)
    first_day = min(w.first_day for w in WINDOWS)
    eligible_counts = ", ".join(
        f"COUNT(*) FILTER (WHERE baseline_at + make_interval(days => {w.last_day}) <= %(now)s) AS closed_{w.months}"
        for w in WINDOWS
    )
    eligible_by_window = " ".join(f"WHEN {w.months} THEN closed_{w.months}" for w in WINDOWS)
    return f"""
    WITH win(months, target_day, first_day, last_day) AS (VALUES {windows}),
    base AS (
        SELECT s.patient_id, s.instrument_code, s.baseline_total, s.baseline_at, p.primary_condition AS condition,
               plan.tier_id, plan.lead_id, lead.discipline
        FROM {MeasureSummary._meta.db_table} s
        JOIN {Patient._meta.db_table} p ON p.id = s.patient_id
        LEFT JOIN {CarePlan._meta.db_table} plan ON plan.patient_id = s.patient_id AND plan.status = 'active'
        LEFT JOIN {User._meta.db_table} lead ON lead.id = plan.lead_id
        WHERE s.instrument_code IN ('peg', 'phq9')
    ),
    candidate AS (
        SELECT b.patient_id, b.instrument_code, b.baseline_at, r.total, r.completed_at, r.id,
               CASE {window_cases()} END AS months
        FROM {MeasureSummary._meta.db_table} b
        JOIN {Instrument._meta.db_table} i ON i.code = b.instrument_code
        JOIN {Response._meta.db_table} r ON r.patient_id = b.patient_id AND r.instrument_id = i.id
        WHERE b.instrument_code IN ('peg', 'phq9') AND r.total IS NOT NULL
          AND r.completed_at >= b.baseline_at + make_interval(days => {first_day})
    ),
    follow AS (
        SELECT DISTINCT ON (c.patient_id, c.instrument_code, c.months)
               c.patient_id, c.instrument_code, c.months, c.total
        FROM candidate c
        JOIN win ON win.months = c.months
        ORDER BY c.patient_id, c.instrument_code, c.months,
                 abs(extract(epoch FROM c.completed_at - (c.baseline_at + make_interval(days => win.target_day)))),
                 c.completed_at, c.id
    ),
    -- Counted per combination of groups (a few hundred rows), never one row per patient and window: who is
    -- eligible for each window from the baselines alone, who answered and responded from the follow-ups alone.
    eligible AS (
        SELECT instrument_code, tier_id, condition, discipline, lead_id, {eligible_counts}
        FROM base
        GROUP BY instrument_code, tier_id, condition, discipline, lead_id
    ),
    answered AS (
        SELECT b.instrument_code, win.months, b.tier_id, b.condition, b.discipline, b.lead_id,
               COUNT(*) AS answered,
               COUNT(*) FILTER (WHERE
                   (b.instrument_code = 'peg' AND b.baseline_total > 0
                    AND (b.baseline_total - f.total) * 100 >= %(peg_percent)s * b.baseline_total)
                OR (b.instrument_code = 'phq9' AND b.baseline_total - f.total >= %(phq9_points)s)
               ) AS responders
        FROM follow f
        JOIN base b ON b.patient_id = f.patient_id AND b.instrument_code = f.instrument_code
        JOIN win ON win.months = f.months
        WHERE b.baseline_at + make_interval(days => win.last_day) <= %(now)s
        GROUP BY b.instrument_code, win.months, b.tier_id, b.condition, b.discipline, b.lead_id
    ),
    combination AS (
        SELECT e.instrument_code, win.months, e.tier_id, e.condition, e.discipline, e.lead_id,
               CASE win.months {eligible_by_window} END AS eligible, 0 AS answered, 0 AS responders
        FROM eligible e CROSS JOIN win
        UNION ALL
        SELECT instrument_code, months, tier_id, condition, discipline, lead_id, 0, answered, responders
        FROM answered
    ),
    rolled AS (
        SELECT instrument_code, months, tier_id, condition, discipline, lead_id,
               GROUPING(tier_id, condition, discipline, lead_id) AS rolled_up,
               SUM(eligible)::int AS eligible, SUM(answered)::int AS answered, SUM(responders)::int AS responders
        FROM combination
        GROUP BY GROUPING SETS (
            (instrument_code, months),
            (instrument_code, months, tier_id),
            (instrument_code, months, condition),
            (instrument_code, months, discipline),
            (instrument_code, months, lead_id)
        )
    )
    SELECT rolled.*, 'Tier ' || t.number || ': ' || t.name AS tier_label,
           concat_ws(' ', lead.first_name, lead.last_name) AS lead_label
    FROM rolled
    LEFT JOIN {Tier._meta.db_table} t ON t.id = rolled.tier_id
    LEFT JOIN {User._meta.db_table} lead ON lead.id = rolled.lead_id
    """


def responder_figures(*, now: datetime.datetime | None = None) -> Outcomes:
    """Responders per window, for the whole clinic and each breakdown: one query."""
    rules = responder_rules()
    rows = fetch_all(
        responders_sql(),
        {"now": now or timezone.now(), "peg_percent": rules["peg"][1], "phq9_points": rules["phq9"][1]},
    )
    clinic = GroupRow("Whole clinic")
    groups: dict[str, dict[object, GroupRow]] = {kind: {} for kind in BREAKDOWN_TITLES}
    for row in rows:
        kind = BREAKDOWNS[row["rolled_up"]]
        cell = Cell(row["eligible"], row["answered"], row["responders"])
        if kind == "clinic":
            target = clinic
        else:
            key, label = group_key_and_label(kind, row)
            target = groups[kind].setdefault(key, GroupRow(label))
        target.cells[(row["instrument_code"], row["months"])] = cell
    return Outcomes(
        clinic=clinic,
        breakdowns={kind: sorted(found.values(), key=lambda g: g.label) for kind, found in groups.items()},
    )


def group_key_and_label(kind: str, row: dict) -> tuple[object, str]:
    if kind == "tier":
        return row["tier_id"], row["tier_label"] or "No active care plan"
    if kind == "lead":
        return row["lead_id"], row["lead_label"] or "No active care plan"
    if kind == "discipline":
        code = row["discipline"]
        return code, Discipline(code).label if code in Discipline.values else "No active care plan"
    code = row["condition"]
    return code, PainCondition(code).label if code in PainCondition.values else code


@dataclass(frozen=True)
class ServiceFigures:
    invitations_due: int
    invitations_completed: int
    registered: int  # patients registered in the period
    seen: int  # of them, with a signed first visit
    median_days_to_first_visit: float | None
    referrals_closed: int
    median_days_to_close: float | None
    sprints_reviewed: int
    sprints_improved: int

    @property
    def completion_percent(self) -> float | None:
        return share(self.invitations_completed, self.invitations_due)

    @property
    def improved_percent(self) -> float | None:
        return share(self.sprints_improved, self.sprints_reviewed)


def service_figures(*, today: datetime.date) -> ServiceFigures:
    """Completion, waits, referral closure and sprints over the last SERVICE_DAYS days: one query.

    App's choices: completion = invitations due in the period (up to today) that were completed; referral in to
    first visit = from the patient's registration (the day the referral in was registered) to their first signed
    visit, for patients registered in the period; referral closure = sent (or created, if never marked sent) to
    closed, for referrals closed in the period; sprints = reviewed in the period, improved or not.
    """
    since = today - datetime.timedelta(days=SERVICE_DAYS)
    zone = timezone.get_current_timezone_name()
    row = fetch_one(
        f"""
        WITH registered AS (
            SELECT p.id, (p.created_at AT TIME ZONE %(zone)s)::date AS registered_on,
                   (SELECT MIN(e.occurred_on) FROM {Encounter._meta.db_table} e
                    WHERE e.patient_id = p.id AND e.status = 'signed') AS first_visit
            FROM {Patient._meta.db_table} p
            WHERE p.created_at >= %(since_at)s
        )
        SELECT
          (SELECT COUNT(*) FROM {Invitation._meta.db_table}
           WHERE due_on BETWEEN %(since)s AND %(today)s) AS invitations_due,
          (SELECT COUNT(*) FROM {Invitation._meta.db_table}
           WHERE due_on BETWEEN %(since)s AND %(today)s AND completed_at IS NOT NULL) AS invitations_completed,
          (SELECT COUNT(*) FROM registered) AS registered,
          (SELECT COUNT(first_visit) FROM registered) AS seen,
          (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY first_visit - registered_on)
           FROM registered WHERE first_visit IS NOT NULL) AS median_days_to_first_visit,
          (SELECT COUNT(*) FROM {Referral._meta.db_table} WHERE closed_at >= %(since_at)s) AS referrals_closed,
          (SELECT percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM closed_at - COALESCE(sent_at, created_at)) / 86400)
           FROM {Referral._meta.db_table} WHERE closed_at >= %(since_at)s) AS median_days_to_close,
          (SELECT COUNT(*) FROM {Sprint._meta.db_table}
           WHERE reviewed_at >= %(since_at)s AND improved IS NOT NULL) AS sprints_reviewed,
          (SELECT COUNT(*) FROM {Sprint._meta.db_table}
           WHERE reviewed_at >= %(since_at)s AND improved) AS sprints_improved
        """,
        {"zone": zone, "since": since, "today": today, "since_at": start_of(since)},
    )
    return ServiceFigures(**row)


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the clinic's zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
