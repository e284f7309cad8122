"""What the medication pages and the chart section show, read in a constant number of queries whatever the length
of the history: the lists are bounded (the bounds below) and each says when there is more.

The views find the patient (``get_patient_for_user``), check who may see or do what, audit the page and render;
what they show comes from here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from careplans.models import Goal
from medications.models import (
    ROUTE_CHOICES,
    DrugScreen,
    Medication,
    MedicationChange,
    MedicationEvent,
    MonitoringPlan,
    NaloxoneRecord,
    OpioidTrial,
    PdmpCheck,
    TaperPlan,
    TreatmentAgreement,
)
from medications.rules import safety, tapering
from medications.selectors.monitoring import current_policy, due_for, monitoring_facts, policy_or_defaults, trial_state
from medications.selectors.regimen import (
    MAX_CURRENT_LINES,
    LineMme,
    OpioidSummary,
    current_lines,
    opioid_summary,
    summarise_with_acknowledgements,
)
from medications.selectors.tapers import taper_schedule
from patients.models import Patient

#: Bounds that keep every page's work constant however long the history.
CURRENT_SHOWN = MAX_CURRENT_LINES
PAST_SHOWN = 100
HISTORY_SHOWN = 100
ON_CHART = 12
RECORDS_SHOWN = 10
NALOXONE_SHOWN = 5
ACTUALS_SHOWN = 200


# --------------------------------------------------------------------------- the chart section


@dataclass
class ChartSection:
    summary: OpioidSummary
    lines: list[LineMme]
    more: bool
    trial: OpioidTrial | None
    trial_state: str
    due: list[safety.Due] = field(default_factory=list)
    taper: TaperPlan | None = None
    today: datetime.date | None = None

    @property
    def trial_without_benefit(self) -> bool:
        return safety.continuing_without_benefit(self.trial_state)

    @property
    def due_now(self) -> list[safety.Due]:
        return [due for due in self.due if due.is_due(self.today)]


def chart_section(patient: Patient, user) -> ChartSection:
    """The chart's medications section: one query without a current opioid; on an opioid at most six (current
    lines, acknowledgements when a flag applies, the latest trial, the monitoring facts, the policy, the taper)."""
    today = timezone.localdate()
    summary = opioid_summary(patient, today=today)
    trial, state, due, taper = None, "", [], None
    if summary.has_opioid:  # trials, monitoring and tapers are about a current opioid
        trial = OpioidTrial.objects.filter(patient=patient).order_by("-started_on", "-id").first()
        state = trial_state(trial, opioid_current=True, today=today) if trial else ""
        facts = monitoring_facts(Patient.objects.filter(pk=patient.pk), today=today).only("id").first()
        due = due_for(facts, policy_or_defaults())
        taper = (
            TaperPlan.objects.filter(patient=patient, status__in=["active", "paused"]).order_by("-created_at").first()
        )
    return ChartSection(
        summary=summary,
        lines=summary.lines[:ON_CHART],
        more=len(summary.lines) > ON_CHART,
        trial=trial,
        trial_state=state,
        due=due,
        taper=taper,
        today=today,
    )


# --------------------------------------------------------------------------- the medication list and a line's history


def medication_list_page(patient: Patient, *, today: datetime.date) -> dict:
    """Current and past lines with their MME and latest history entry, the safety flags with the acknowledgements
    that hold, and the latest naloxone records. Five queries at most (current lines, past lines, their latest
    history entries, acknowledgements when a flag applies, naloxone)."""
    lines = Medication.objects.filter(patient=patient)
    current = current_lines(with_last_change(lines))
    past = list(
        with_last_change(lines.past().select_related("prescriber")).order_by("-stopped_on", "-id")[: PAST_SHOWN + 1]
    )
    attach_last_changes(current[:CURRENT_SHOWN] + past[:PAST_SHOWN])
    summary = summarise_with_acknowledgements(patient, current, today=today)
    naloxone = list(
        NaloxoneRecord.objects.filter(patient=patient).select_related("by").order_by("-on", "-id")[:NALOXONE_SHOWN]
    )
    return {
        "summary": summary,
        "lines": summary.lines[:CURRENT_SHOWN],
        "more_current": len(current) > CURRENT_SHOWN,
        "past": past[:PAST_SHOWN],
        "more_past": len(past) > PAST_SHOWN,
        "naloxone": naloxone,
    }


def line_history(medication: Medication) -> tuple[list[MedicationChange], bool]:
    """A line's latest history entries, newest first, each with its rows in words, and whether there are more.
    Two queries at most (the entries, the prescribers they name)."""
    history = list(medication.changes.select_related("by").order_by("-at", "-id")[: HISTORY_SHOWN + 1])
    describe_changes(history)
    return history[:HISTORY_SHOWN], len(history) > HISTORY_SHOWN


def with_last_change(queryset):
    """Each line with the id of its latest history entry (read with ``last_changes``: one more query)."""
    latest = MedicationChange.objects.filter(medication=OuterRef("pk")).order_by("-at", "-id").values("id")[:1]
    return queryset.annotate(last_change_id=Subquery(latest))


def attach_last_changes(lines: list[Medication]) -> None:
    ids = [line.last_change_id for line in lines if line.last_change_id]
    changes = {c.id: c for c in MedicationChange.objects.filter(id__in=ids).select_related("by")} if ids else {}
    for line in lines:
        line.last_change = changes.get(line.last_change_id)


FIELD_LABELS = {
    "drug_code": "Drug",
    "strength": "Strength",
    "form": "Form",
    "route": "Route",
    "units_per_dose": "Units per dose",
    "doses_per_day": "Doses a day",
    "is_prn": "As needed",
    "prn_max_doses_per_day": "Most doses a day (PRN)",
    "prescriber": "Prescriber",
    "outside_prescriber": "Outside prescriber",
    "started_on": "Started on",
    "stopped_on": "Stopped on",
    "stop_reason": "Why stopped",
    "reason": "Reason for use",
    "pain_type_targeted": "Pain type targeted",
    "benefit": "Benefit noted",
    "side_effects": "Side effects",
}


# Forms and routes in the history as the pages name them ("Extended-release tablet or capsule", not its code).
CHOICE_LABELS = {"form": dict(Medication.Form.choices), "route": dict(ROUTE_CHOICES)}


def describe_changes(history: list[MedicationChange]) -> None:
    """Give each change its rows (field, before, after) in words; prescribers by name (one query)."""
    from clinic.models import User

    ids = {
        value
        for change in history
        for side in (change.before, change.after)
        for name, value in side.items()
        if name == "prescriber" and value
    }
    names = {u.id: u.display_name for u in User.objects.filter(id__in=ids)} if ids else {}

    def words(name, value):
        if value in (None, ""):
            return "(empty)"
        if name == "prescriber":
            return names.get(value, "a former member of staff")
        if name == "is_prn":
            return "yes" if value else "no"
        if name in CHOICE_LABELS:
            return CHOICE_LABELS[name].get(value, str(value))
        return str(value)

    for change in history:
        change.rows = [
            (FIELD_LABELS.get(name, name), words(name, change.before.get(name)), words(name, change.after.get(name)))
            for name in change.after
        ]


# --------------------------------------------------------------------------- the opioid safety page


def opioid_safety_page(patient: Patient, *, today: datetime.date) -> dict:
    """Trials (with their state), the agreements, drug screens, PDMP checks and events (the latest of each), the
    closer monitoring plan, what monitoring is due, the policy in force and the tapers. A constant number of
    queries: the regimen's summary, then one or two per list."""
    summary = opioid_summary(patient, today=today)
    trials = list(
        OpioidTrial.objects.filter(patient=patient)
        .select_related("medication", "started_by", "reviewed_by")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.only("id", "words", "plan_id")))
        .order_by("-started_on", "-id")[:RECORDS_SHOWN]
    )
    for trial in trials:
        trial.state = trial_state(trial, opioid_current=summary.has_opioid, today=today)
        trial.without_benefit = safety.continuing_without_benefit(trial.state)
    facts = monitoring_facts(Patient.objects.filter(pk=patient.pk), today=today).only("id").first()
    policy = current_policy()
    due = due_for(facts, policy or policy_or_defaults()) if summary.has_opioid else []
    plan = MonitoringPlan.objects.filter(patient=patient).select_related("decided_by").first()
    return {
        "summary": summary,
        "trials": trials,
        "agreements": list(
            TreatmentAgreement.objects.filter(patient=patient)
            .select_related("policy", "recorded_by")
            .order_by("-signed_on", "-id")[:RECORDS_SHOWN]
        ),
        "screens": list(
            DrugScreen.objects.filter(patient=patient)
            .select_related("recorded_by")
            .order_by("-collected_on", "-id")[:RECORDS_SHOWN]
        ),
        "pdmp_checks": list(
            PdmpCheck.objects.filter(patient=patient)
            .select_related("recorded_by")
            .order_by("-checked_on", "-id")[:RECORDS_SHOWN]
        ),
        "events": list(
            MedicationEvent.objects.filter(patient=patient)
            .select_related("recorded_by")
            .order_by("-on", "-id")[:RECORDS_SHOWN]
        ),
        "plan": plan,
        "events_since_plan": facts.events_since_plan,
        "suggest_closer": safety.suggests_closer_monitoring(facts.events_since_plan),
        "due": due,
        "today": today,
        "policy": policy,
        "tapers": list(TaperPlan.objects.filter(patient=patient).order_by("-created_at")[:RECORDS_SHOWN]),
    }


# --------------------------------------------------------------------------- a taper


def taper_context(taper: TaperPlan) -> dict:
    schedule = taper_schedule(taper)
    actuals = list(taper.actuals.select_related("recorded_by").order_by("on", "id")[:ACTUALS_SHOWN])
    for actual in actuals:
        actual.planned = tapering.planned_mme_on(schedule, actual.on)
        actual.faster = actual.mme < actual.planned
    return {"taper": taper, "schedule": schedule, "actuals": actuals}
