"""The clinician's "Today": their appointments of one clinic-local day in time order, and for each patient one
line of what needs attention. Reads only, in a constant number of queries whatever the number of appointments
and the length of the patients' histories (tests/clinic/test_today.py counts them).

"Since the last visit" (``with_since`` / ``since_of``): the patient's last signed visit note before the
appointment, else their last attended appointment before it, else their intake, else their registration.

What needs attention, each from the app's own reads:
- new alerts (measures Alert, unacknowledged) and unacknowledged red flags;
- a questionnaire that crossed a line of its definition since the last visit (measures.crossing: the responder
  threshold against baseline, or a severity band), from MeasureSummary and the score at the last visit;
- a sprint ending within SPRINT_ENDING_DAYS (the app's choice: a week, so the visit can prepare its review);
- a referral overdue at a stage (ReferralQuerySet.with_overdue, the tracking sweep's rules);
- an opioid line added, changed in dose or stopped since the last visit, with the MME/day now
  (medications.selectors.regimen.summarise, pure).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber

from careplans.models import CarePlan, Sprint
from clinic.dates import start_of_day
from clinic.models import Appointment, Referral
from measures.caseload import count_of
from measures.crossing import crossing
from measures.definitions import get_definition
from measures.models import Alert, MeasureSummary, Response
from medications.models import Medication, MedicationChange
from medications.selectors.regimen import summarise
from patients.models import Encounter, Intake, RedFlag

#: A sprint ending within this many days (today included) is worth a word (the app's choice).
SPRINT_ENDING_DAYS = 7
#: The most appointments a day shows (a clinician's day is far shorter; the page says when there are more).
DAY_LIMIT = 60
#: Medication fields whose change changes the dose, so the MME (the rest are notes, prescriber, reasons).
DOSE_FIELDS = frozenset(
    {"drug_code", "strength", "form", "units_per_dose", "doses_per_day", "is_prn", "prn_max_doses_per_day"}
)
SINCE_WORDS = {
    "note": "last signed visit note",
    "attended": "last attended appointment",
    "intake": "intake",
    "registration": "registration",
}


# --------------------------------------------------------------------------- since the last visit


def with_since(appointments):
    """Annotate the moments "since the last visit" can start from (subqueries, no extra query)."""
    patient, before = OuterRef("patient_id"), OuterRef("starts_at")
    note = Encounter.objects.filter(patient=patient, status=Encounter.Status.SIGNED, signed_at__lt=before)
    attended = Appointment.objects.filter(patient=patient, status=Appointment.Status.ATTENDED, starts_at__lt=before)
    intake = Intake.objects.filter(patient=patient, submitted_at__lt=before)
    return appointments.annotate(
        last_note_at=Subquery(note.order_by("-signed_at").values("signed_at")[:1]),
        last_attended_at=Subquery(attended.order_by("-starts_at").values("starts_at")[:1]),
        intake_at=Subquery(intake.order_by("-submitted_at").values("submitted_at")[:1]),
    )


@dataclass(frozen=True)
class Since:
    at: datetime.datetime
    kind: str  # a key of SINCE_WORDS

    @property
    def words(self) -> str:
        return SINCE_WORDS[self.kind]


def since_of(appointment: Appointment) -> Since:
    """The start of "since the last visit" for an appointment read through ``with_since``."""
    for kind, moment in (
        ("note", appointment.last_note_at),
        ("attended", appointment.last_attended_at),
        ("intake", appointment.intake_at),
    ):
        if moment is not None:
            return Since(at=moment, kind=kind)
    return Since(at=appointment.patient.created_at, kind="registration")


# --------------------------------------------------------------------------- the day


@dataclass
class TodayRow:
    appointment: Appointment
    since: Since
    attention: list[str] = field(default_factory=list)
    urgent: bool = False

    @property
    def patient(self):
        return self.appointment.patient


@dataclass
class Day:
    day: datetime.date
    rows: list[TodayRow]
    more: bool


def day_for(user, day: datetime.date, *, visible_patients) -> Day:
    """``user``'s appointments starting on the clinic-local ``day`` (cancelled ones left out), in time order,
    for patients in ``visible_patients`` (the patient access rule), with what needs attention for each."""
    appointments = list(
        with_since(
            Appointment.objects.between(start_of_day(day), start_of_day(day + datetime.timedelta(days=1)))
            .filter(clinician=user, patient__in=visible_patients)
            .exclude(status=Appointment.Status.CANCELLED)
        )
        .select_related("patient")
        .annotate(**attention_annotations(day))[: DAY_LIMIT + 1]
    )
    rows = [TodayRow(appointment=a, since=since_of(a)) for a in appointments[:DAY_LIMIT]]
    add_attention(rows, day=day)
    return Day(day=day, rows=rows, more=len(appointments) > DAY_LIMIT)


def attention_annotations(day: datetime.date) -> dict:
    """Counts and the sprint's end, as subqueries of the appointment row."""
    patient = OuterRef("patient_id")
    alerts = Alert.objects.unacknowledged().filter(patient=patient)
    ending = Sprint.objects.filter(
        plan__patient=patient,
        plan__status=CarePlan.Status.ACTIVE,
        reviewed_at__isnull=True,
        ends_on__gte=day,
        ends_on__lt=day + datetime.timedelta(days=SPRINT_ENDING_DAYS),
    ).order_by("ends_on")
    return {
        "open_alerts": count_of(alerts),
        "urgent_alerts": count_of(alerts.filter(kind=Alert.Kind.SAFETY)),
        "open_red_flags": count_of(RedFlag.objects.unacknowledged().filter(patient=patient)),
        "sprint_number": Subquery(ending.values("number")[:1]),
        "sprint_ends_on": Subquery(ending.values("ends_on")[:1]),
    }


def add_attention(rows: list[TodayRow], *, day: datetime.date) -> None:
    """Fill each row's one line: four queries for all the rows together (none when there are no rows)."""
    if not rows:
        return
    since = {row.patient.pk: row.since.at for row in rows}
    crossings = measure_crossings(since)
    referrals = overdue_referrals(list(since))
    opioids = opioid_changes(since, day=day)
    for row in rows:
        appointment, pid = row.appointment, row.patient.pk
        row.attention += alert_words(appointment.open_alerts, appointment.urgent_alerts, appointment.open_red_flags)
        row.urgent = bool(appointment.urgent_alerts)
        row.attention += crossings.get(pid, [])
        if appointment.sprint_ends_on:
            row.attention.append(sprint_words(appointment.sprint_number, appointment.sprint_ends_on, day))
        row.attention += referrals.get(pid, [])
        if pid in opioids:
            row.attention.append(opioids[pid])


def alert_words(alerts: int | None, urgent: int | None, red_flags: int | None) -> list[str]:
    words = []
    if alerts:
        urgent_part = f" ({urgent} urgent)" if urgent else ""
        words.append(f"{alerts} new alert{'s' if alerts != 1 else ''}{urgent_part}")
    if red_flags:
        words.append(f"{red_flags} red flag{'s' if red_flags != 1 else ''} to acknowledge")
    return words


def sprint_words(number: int, ends_on: datetime.date, day: datetime.date) -> str:
    if ends_on == day:
        return f"Sprint {number} ends today"
    return f"Sprint {number} ends {ends_on:%a %b} {ends_on.day}"


# --------------------------------------------------------------------------- questionnaires


def scores_before(since: dict[int, datetime.datetime]):
    """Per patient and instrument code, the latest scored response before that patient's moment: one query."""
    either = Q()
    for patient_id, moment in since.items():
        either |= Q(patient_id=patient_id, completed_at__lt=moment)
    return (
        Response.objects.scored()
        .filter(either)
        .annotate(
            code=F("instrument__code"),
            newest=Window(
                RowNumber(),
                partition_by=[F("patient_id"), F("instrument__code")],
                order_by=[F("completed_at").desc(), F("id").desc()],
            ),
        )
        .filter(newest=1)
        .values_list("patient_id", "code", "total")
    )


def measure_crossings(since: dict[int, datetime.datetime]) -> dict[int, list[str]]:
    """Instruments scored since the last visit whose latest score crossed a line of their definition (two
    queries: the summaries, the scores at the last visit)."""
    before = {(pid, code): total for pid, code, total in scores_before(since)}
    found: dict[int, list[str]] = defaultdict(list)
    summaries = MeasureSummary.objects.filter(patient_id__in=list(since)).order_by("patient_id", "instrument_code")
    for summary in summaries:
        if summary.latest_at < since[summary.patient_id]:
            continue  # nothing new since the last visit
        try:
            definition = get_definition(summary.instrument_code)
        except LookupError:
            continue  # a clinic-loaded instrument: its chart page judges it
        words = crossing(
            definition,
            baseline=summary.baseline_total,
            before=before.get((summary.patient_id, summary.instrument_code)),
            latest=summary.latest_total,
        )
        if words:
            found[summary.patient_id].append(words)
    return found


# --------------------------------------------------------------------------- referrals and opioids


def overdue_referrals(patient_ids: list[int]) -> dict[int, list[str]]:
    """Referrals late at a stage, in the tracking sweep's words: one query."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = Referral.objects.filter(patient_id__in=patient_ids).with_overdue().exclude(overdue_stage="")
    for referral in rows.only("id", "patient_id", "service", "service_other", "state").order_by("id"):
        late = lower_first(referral.overdue_words)
        found[referral.patient_id].append(f"Referral to {referral.service_name} overdue: {late}")
    return found


def mme_words(total: Decimal) -> str:
    """60, 7.5: the total without trailing zeros."""
    return f"{total.normalize():f}"


def lower_first(words: str) -> str:
    return words[:1].lower() + words[1:]


def is_dose_change(change: MedicationChange) -> bool:
    if change.kind in (MedicationChange.Kind.ADDED, MedicationChange.Kind.STOPPED):
        return True
    return change.kind == MedicationChange.Kind.CHANGED and bool(DOSE_FIELDS & set(change.after or {}))


def opioid_changes(since: dict[int, datetime.datetime], *, day: datetime.date) -> dict[int, str]:
    """Patients whose opioid regimen changed since their last visit, with the MME/day now: two queries."""
    changes = MedicationChange.objects.filter(
        medication__patient_id__in=list(since),
        medication__drug_class="opioid",
        at__gte=min(since.values()),
    ).select_related("medication")
    changed = {c.medication.patient_id for c in changes if c.at >= since[c.medication.patient_id] and is_dose_change(c)}
    current: dict[int, list[Medication]] = defaultdict(list)
    for line in Medication.objects.filter(patient_id__in=list(since)).current().order_by("id"):
        current[line.patient_id].append(line)
    found = {}
    for patient_id in changed:
        total = summarise(current[patient_id], [], today=day).total
        now = f"{mme_words(total)} MME/day now" if total is not None else "the MME/day cannot be calculated"
        found[patient_id] = f"Opioid regimen changed since the last visit: {now}"
    return found
