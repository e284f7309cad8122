"""What the medication pages and the chart section show: bounded lists (the bounds below), each line's latest
history entry, the history in words, the chart's summary and the taper page's doses against the plan.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from medications.models import Medication, MedicationChange, OpioidTrial, TaperPlan
from medications.rules import safety, tapering
from medications.selectors.monitoring import due_for, monitoring_facts, policy_or_defaults, trial_state
from medications.selectors.regimen import MAX_CURRENT_LINES, LineMme, OpioidSummary, opioid_summary
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
        return str(value)

    for change in history:
        change.rows = [
            (FIELD_LABELS.get(name, name), words(name, change.before.get(name)), words(name, change.after.get(name)))
            for name in change.after
        ]


# --------------------------------------------------------------------------- a taper


def taper_context(taper: TaperPlan) -> dict:
    schedule = taper_schedule(taper)
    actuals = list(taper.actuals.select_related("recorded_by").order_by("on", "id")[:ACTUALS_SHOWN])
    for actual in actuals:
        actual.planned = tapering.planned_mme_on(schedule, actual.on)
        actual.faster = actual.mme < actual.planned
    return {"taper": taper, "schedule": schedule, "actuals": actuals}
