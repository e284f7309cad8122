"""What monitoring is due (one query for any number of patients), the clinic's opioid policy in force, and an
opioid trial's state. The due dates themselves are pure rules (medications/rules/safety.py).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce

from medications.models import (
    AgreementPolicy,
    DrugScreen,
    Medication,
    MedicationEvent,
    MonitoringPlan,
    OpioidTrial,
    PdmpCheck,
    TreatmentAgreement,
)
from medications.rules import drugs, safety


def current_policy() -> AgreementPolicy | None:
    return AgreementPolicy.objects.order_by("-version").first()


def policy_or_defaults() -> AgreementPolicy:
    """The current policy, or an unsaved one with the model's defaults (before any policy exists)."""
    return current_policy() or AgreementPolicy(version=0, sections=[])


def trial_state(trial: OpioidTrial, *, opioid_current: bool, today: datetime.date) -> str:
    return safety.trial_state(
        review_on=trial.review_on,
        reviewed=trial.reviewed_at is not None,
        decision=trial.decision,
        benefit_documented=trial.benefit_documented,
        opioid_current=opioid_current,
        today=today,
    )


def monitoring_facts(patients_qs, *, today: datetime.date):
    """Patients annotated with what monitoring needs: since when on an opioid, the last screen and PDMP check,
    the latest agreement's review date, the closer plan's intervals and the events since it. One query."""
    current_opioids = Medication.objects.filter(
        patient=OuterRef("pk"), stopped_on__isnull=True, drug_class=drugs.DrugClass.OPIOID
    )
    latest_agreement = TreatmentAgreement.objects.filter(patient=OuterRef("pk")).order_by("-signed_on", "-id")
    plan = MonitoringPlan.objects.filter(patient=OuterRef("pk"))
    later_plan = MonitoringPlan.objects.filter(patient=OuterRef("patient"), decided_at__gte=OuterRef("recorded_at"))
    events = (
        MedicationEvent.objects.filter(patient=OuterRef("pk"))
        .filter(~Exists(later_plan))
        .order_by()
        .values("patient")
        .annotate(n=Count("id"))
        .values("n")
    )
    return patients_qs.annotate(
        opioid_since=Subquery(
            current_opioids.order_by()
            .values("patient")
            .annotate(first=Min(Coalesce("started_on", "created_at__date")))
            .values("first")
        ),
        last_drug_screen=Subquery(
            DrugScreen.objects.filter(patient=OuterRef("pk"))
            .order_by()
            .values("patient")
            .annotate(d=Max("collected_on"))
            .values("d")
        ),
        last_pdmp=Subquery(
            PdmpCheck.objects.filter(patient=OuterRef("pk"))
            .order_by()
            .values("patient")
            .annotate(d=Max("checked_on"))
            .values("d")
        ),
        agreement_review_on=Subquery(latest_agreement.values("review_on")[:1]),
        plan_drug_screen_days=Subquery(plan.values("drug_screen_every_days")[:1]),
        plan_pdmp_days=Subquery(plan.values("pdmp_every_days")[:1]),
        plan_decided_at=Subquery(plan.values("decided_at")[:1]),
        events_since_plan=Coalesce(Subquery(events), 0),
    )


def due_for(facts, policy: AgreementPolicy) -> list[safety.Due]:
    """The monitoring due dates of a patient annotated by ``monitoring_facts`` (no queries); [] when the patient
    takes no opioid."""
    if facts.opioid_since is None:
        return []
    return safety.monitoring_due(
        opioid_since=facts.opioid_since,
        last_drug_screen=facts.last_drug_screen,
        last_pdmp=facts.last_pdmp,
        agreement_review_on=facts.agreement_review_on,
        policy_drug_screen_days=policy.drug_screen_every_days,
        policy_pdmp_days=policy.pdmp_every_days,
        plan_drug_screen_days=facts.plan_drug_screen_days,
        plan_pdmp_days=facts.plan_pdmp_days,
    )
