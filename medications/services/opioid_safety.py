"""The opioid-safety records: flags acknowledged, naloxone, opioid trials, the clinic's policy and treatment
agreements, drug screens, PDMP checks, refill/loss/escalation events and the closer monitoring plan. Recording
a screen, a check, an agreement or a trial review closes the monitoring task that asked for it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import services as audit_trail
from audit.context import AuditContext
from audit.models import Action
from clinic.access.medication_lines import CLINICIANS_ONLY, PRESCRIBER_DECISION, may_prescribe, may_record_monitoring
from clinic.access.refusals import refuse_unless
from medications.models import (
    AgreementPolicy,
    DrugScreen,
    Medication,
    MedicationEvent,
    MonitoringPlan,
    NaloxoneRecord,
    OpioidFlagAcknowledgement,
    OpioidTrial,
    PdmpCheck,
    TreatmentAgreement,
)
from medications.rules import safety
from medications.selectors.monitoring import current_policy
from medications.selectors.regimen import forget_summary, opioid_summary
from medications.services import StaleEdit
from medications.services.monitoring import close_tasks, monitoring_key_prefix, trial_review_key

# --------------------------------------------------------------------------- flags and naloxone


@transaction.atomic
def acknowledge_flag(
    *, patient, by, audit: AuditContext | None = None, flag: str, reason: str, review_on: datetime.date
) -> OpioidFlagAcknowledgement:
    """A prescriber acknowledges a safety flag with a reason; it reappears after ``review_on`` (or when the MME
    rises above today's). Precondition: ``flag`` is one of safety.SAFETY_FLAG_ORDER."""
    refuse_unless(may_prescribe(by, patient), PRESCRIBER_DECISION)
    if flag not in safety.SAFETY_FLAG_ORDER:
        raise ValueError(f"Unknown flag {flag!r}.")
    forget_summary(patient)  # the MME acknowledged is today's, read afresh
    summary = opioid_summary(patient)
    ack = OpioidFlagAcknowledgement.objects.create(
        patient=patient, flag=flag, reason=reason, review_on=review_on, mme_at_the_time=summary.total, by=by
    )
    forget_summary(patient)
    audit_trail.record_event(
        actor=by, context=audit, patient=patient, action=Action.UPDATE, target=f"opioid flag acknowledged: {flag}"
    )
    return ack


@transaction.atomic
def record_naloxone(
    *, patient, by, audit: AuditContext | None = None, status: str, on: datetime.date, note: str = ""
) -> NaloxoneRecord:
    """Naloxone offered, prescribed or declined. Prescribed: prescribers only."""
    if status == NaloxoneRecord.Status.PRESCRIBED:
        refuse_unless(may_prescribe(by, patient), PRESCRIBER_DECISION)
    else:
        refuse_unless(may_record_monitoring(by, patient), CLINICIANS_ONLY)
    record = NaloxoneRecord.objects.create(patient=patient, status=status, on=on, note=note, by=by)
    audit_trail.record_event(
        actor=by, context=audit, patient=patient, action=Action.CREATE, target=f"naloxone {status}"
    )
    return record


# --------------------------------------------------------------------------- opioid trials


@transaction.atomic
def start_trial(
    *,
    patient,
    by,
    audit: AuditContext | None = None,
    medication: Medication | None,
    goals,
    started_on: datetime.date,
    review_on: datetime.date,
) -> OpioidTrial:
    """Start an opioid trial judged by function. Preconditions: ``goals`` are goals of the patient's care plan;
    ``review_on`` is 1-4 weeks after ``started_on`` (the form checks both; this re-checks the dates)."""
    refuse_unless(may_prescribe(by, patient), PRESCRIBER_DECISION)
    first, last = safety.trial_review_window(started_on)
    if not first <= review_on <= last:
        raise ValueError("The review date must be 1 to 4 weeks after the start.")
    trial = OpioidTrial.objects.create(
        patient=patient, medication=medication, started_on=started_on, review_on=review_on, started_by=by
    )
    trial.goals.set(goals)
    audit_trail.record_event(
        actor=by, context=audit, patient=patient, action=Action.CREATE, target="opioid trial started"
    )
    return trial


@transaction.atomic
def review_trial(
    *,
    trial: OpioidTrial,
    by,
    audit: AuditContext | None = None,
    function_vs_goals: str,
    benefit_documented: bool,
    decision: str,
    decision_reason: str = "",
) -> bool:
    """Record the review (function against the goals) and the decision, once; False if it was already reviewed."""
    refuse_unless(may_prescribe(by, trial.patient), PRESCRIBER_DECISION)
    now = timezone.now()
    claimed = OpioidTrial.objects.filter(pk=trial.pk, reviewed_at__isnull=True).update(
        reviewed_at=now,
        reviewed_by=by,
        function_vs_goals=function_vs_goals,
        benefit_documented=benefit_documented,
        decision=decision,
        decision_reason=decision_reason,
    )
    if not claimed:
        return False
    close_tasks(prefix=trial_review_key(trial.id), by=by, note="Opioid trial reviewed.")
    audit_trail.record_event(
        actor=by,
        context=audit,
        patient=trial.patient,
        action=Action.UPDATE,
        target=f"opioid trial reviewed: {decision}",
    )
    return True


# --------------------------------------------------------------------------- the policy and agreements


@transaction.atomic
def publish_policy(
    *,
    by,
    sections: list[dict],
    drug_screen_every_days: int,
    pdmp_every_days: int,
    agreement_review_every_days: int,
    taper_reason_above_mme: Decimal,
) -> AgreementPolicy:
    """A new version of the clinic's written policy (clinic admins); earlier versions stay as they were."""
    refuse_unless(by.is_clinic_admin, "Clinic admins edit the clinic's opioid policy.")
    latest = AgreementPolicy.objects.select_for_update().order_by("-version").first()
    try:
        with transaction.atomic():
            return AgreementPolicy.objects.create(
                version=(latest.version if latest else 0) + 1,
                sections=sections,
                drug_screen_every_days=drug_screen_every_days,
                pdmp_every_days=pdmp_every_days,
                agreement_review_every_days=agreement_review_every_days,
                taper_reason_above_mme=taper_reason_above_mme,
                created_by=by,
            )
    except IntegrityError:
        raise StaleEdit(current_policy()) from None


@transaction.atomic
def record_agreement(
    *, patient, by, audit: AuditContext | None = None, policy: AgreementPolicy, signed_on: datetime.date, review_on
) -> TreatmentAgreement:
    """A treatment agreement signed on a date under a policy version; review yearly by default."""
    refuse_unless(may_record_monitoring(by, patient), CLINICIANS_ONLY)
    agreement = TreatmentAgreement.objects.create(
        patient=patient, policy=policy, signed_on=signed_on, review_on=review_on, recorded_by=by
    )
    close_tasks(prefix=monitoring_key_prefix(safety.DueKind.AGREEMENT, patient.id), by=by, note="Agreement recorded.")
    audit_trail.record_event(
        actor=by,
        context=audit,
        patient=patient,
        action=Action.CREATE,
        target=f"treatment agreement (policy v{policy.version})",
    )
    return agreement


# --------------------------------------------------------------------------- screens, PDMP, events, the plan


@transaction.atomic
def record_drug_screen(
    *,
    patient,
    by,
    audit: AuditContext | None = None,
    collected_on: datetime.date,
    expected_findings: str = "",
    unexpected_findings: str = "",
    action_taken: str = "",
) -> DrugScreen:
    refuse_unless(may_record_monitoring(by, patient), CLINICIANS_ONLY)
    screen = DrugScreen.objects.create(
        patient=patient,
        collected_on=collected_on,
        expected_findings=expected_findings,
        unexpected_findings=unexpected_findings,
        action_taken=action_taken,
        recorded_by=by,
    )
    close_tasks(
        prefix=monitoring_key_prefix(safety.DueKind.DRUG_SCREEN, patient.id),
        by=by,
        note="Drug screen recorded.",
    )
    audit_trail.record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target="urine drug screen")
    return screen


@transaction.atomic
def record_pdmp_check(
    *, patient, by, audit: AuditContext | None = None, checked_on: datetime.date, findings: str = ""
) -> PdmpCheck:
    refuse_unless(may_record_monitoring(by, patient), CLINICIANS_ONLY)
    check = PdmpCheck.objects.create(patient=patient, checked_on=checked_on, findings=findings, recorded_by=by)
    close_tasks(prefix=monitoring_key_prefix(safety.DueKind.PDMP, patient.id), by=by, note="PDMP check recorded.")
    audit_trail.record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target="PDMP check")
    return check


@transaction.atomic
def record_event(
    *, patient, by, audit: AuditContext | None = None, kind: str, on: datetime.date, note: str = ""
) -> MedicationEvent:
    """An early refill request, lost or stolen medication, or taking more than prescribed."""
    refuse_unless(may_record_monitoring(by, patient), CLINICIANS_ONLY)
    event = MedicationEvent.objects.create(patient=patient, kind=kind, on=on, note=note, recorded_by=by)
    audit_trail.record_event(
        actor=by, context=audit, patient=patient, action=Action.CREATE, target=f"medication event: {kind}"
    )
    return event


@transaction.atomic
def decide_monitoring_plan(
    *,
    patient,
    by,
    audit: AuditContext | None = None,
    supply_days: int | None,
    drug_screen_every_days: int | None,
    pdmp_every_days: int | None,
    reason: str,
) -> MonitoringPlan:
    """The prescriber's closer monitoring plan (replaces the previous one; its decision date restarts the
    count of events)."""
    refuse_unless(may_prescribe(by, patient), PRESCRIBER_DECISION)
    plan, _ = MonitoringPlan.objects.update_or_create(
        patient=patient,
        defaults=dict(
            supply_days=supply_days,
            drug_screen_every_days=drug_screen_every_days,
            pdmp_every_days=pdmp_every_days,
            reason=reason,
            decided_by=by,
            decided_at=timezone.now(),
        ),
    )
    audit_trail.record_event(
        actor=by, context=audit, patient=patient, action=Action.UPDATE, target="closer monitoring plan"
    )
    return plan
