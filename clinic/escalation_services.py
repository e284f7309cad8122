"""The daily early-warning sweep: find the patients the escalation rule (clinic/escalation.py) flags.

Set-based: one query finds the candidates (patients with enough new specialist referrals and no open
flag), three more read their PEG answers, referral dates and last review; the pure rule decides; then a
few rows per new flag (the flag and one task for the lead clinician). Idempotent: a patient has at most
one open flag (a unique constraint backs this), so a second run the same day adds nothing.

What it feeds the rule: PEG (measures), referrals (clinic.Referral), and from the medication list
(medications.Medication) the MME/day at the start of the window and today and the classes started in it.
Imaging and procedures are not recorded anywhere yet: they are passed as unknown (None) and the facts say
so. Candidates are the patients with enough new specialist referrals or a medication line started or
stopped in the window (the only ways intensity can rise), without an open flag.

A Celery sweep: the app's own work with no member of staff, so no access rule is asked (reviewing the flag
it opens is a clinician's act, checked by clinic.team_services.review_flag).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from clinic.escalation import MIN_NEW_REFERRALS, SPECIALIST_SERVICES, SUGGESTION, check_escalation, window_start
from clinic.models import CareTeamMember, EscalationFlag, Referral, TeamTask, User
from clinic.roles import Role
from clinic.safety_net import away_ids, medical_lead, on_duty_now
from clinic.services import create_task, take_sweep_lock
from measures.models import Response
from medications.models import Medication
from medications.rules.mme import regimen_mme
from medications.rules.safety import mme_line

SWEEP_LOCK = 724_201  # pg_try_advisory_xact_lock: one escalation sweep at a time
BATCH = 1000
TASK_TITLE = "Early warning: treatment has increased while function has not improved"  # app wording


@dataclass
class EscalationSweepResult:
    candidates: int = 0
    flagged: list[int] = field(default_factory=list)  # patient ids newly flagged
    locked_out: bool = False


def task_key(flag: EscalationFlag) -> str:
    return f"escalation:{flag.public_id}"


@transaction.atomic
def sweep_escalations(*, now: datetime | None = None) -> EscalationSweepResult:
    """Flag every patient the rule flags today who has no open flag, with one task each for the lead.

    Preconditions: none; safe to run any number of times and from several workers (a second sweep
    running at the same time does nothing).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = EscalationSweepResult()
    if not take_sweep_lock(SWEEP_LOCK):
        result.locked_out = True
        return result
    since = timezone.make_aware(datetime.combine(window_start(today), time.max))
    recent = Referral.objects.filter(service__in=SPECIALIST_SERVICES, sent_at__gt=since, sent_at__lte=now)
    open_flag = EscalationFlag.objects.open().filter(patient=OuterRef("patient"))
    by_referrals = (
        recent.exclude(Exists(open_flag))
        .values("patient")
        .annotate(n=Count("id"))
        .filter(n__gte=MIN_NEW_REFERRALS)
        .values_list("patient", flat=True)
    )
    window = window_start(today)
    by_medications = (
        Medication.objects.filter(Q(started_on__gt=window) | Q(stopped_on__gt=window))
        .exclude(Exists(open_flag))
        .values_list("patient", flat=True)
    )
    candidates = sorted(set(by_referrals) | set(by_medications))
    result.candidates = len(candidates)
    for start in range(0, len(candidates), BATCH):
        ids = candidates[start : start + BATCH]
        result.flagged += flag_batch(ids, recent=recent, since=since, today=today, now=now)
    return result


def flag_batch(ids: list[int], *, recent, since: datetime, today, now: datetime) -> list[int]:
    referral_days: dict[int, list] = defaultdict(list)
    for patient_id, sent_at in recent.filter(patient__in=ids).values_list("patient", "sent_at"):
        referral_days[patient_id].append(timezone.localdate(sent_at))
    peg: dict[int, list] = defaultdict(list)
    for patient_id, completed_at, total in (
        Response.objects.scored()
        .filter(patient__in=ids, instrument__code="peg", completed_at__gt=since, completed_at__lte=now)
        .values_list("patient", "completed_at", "total")
    ):
        peg[patient_id].append((timezone.localdate(completed_at), total))
    mme, classes = medication_signals(ids, start=window_start(today), today=today)
    reviewed = dict(
        EscalationFlag.objects.filter(patient__in=ids, reviewed_at__isnull=False)
        .values("patient")
        .annotate(last=Max("reviewed_at"))
        .values_list("patient", "last")
    )
    flagged = {}
    for patient_id in ids:
        check = check_escalation(
            today=today,
            peg=peg[patient_id],
            mme=mme[patient_id],
            specialist_referrals=referral_days[patient_id],
            procedures=None,  # not recorded yet
            medication_classes=classes[patient_id],
            reviewed_on=timezone.localdate(reviewed[patient_id]) if patient_id in reviewed else None,
        )
        if check.flagged:
            flagged[patient_id] = check.facts
    if not flagged:
        return []
    assignees = leads_or_on_duty(list(flagged))
    created = []
    for patient_id, facts in flagged.items():
        flag = open_flag(patient_id, facts, now=now)
        if flag is None:
            continue
        create_task(
            title=TASK_TITLE,
            source=TeamTask.Source.ESCALATION,
            source_key=task_key(flag),
            patient=flag.patient,
            assignee=assignees.get(patient_id),
            assignee_role="" if assignees.get(patient_id) else Role.CLINICIAN,
            priority=TeamTask.Priority.HIGH,
            details="\n".join([*facts, SUGGESTION]),
            link=reverse("patients:chart", args=[flag.patient.public_id]) + "#team-escalation",
            due_on=today,
        )
        created.append(patient_id)
    return created


def medication_signals(ids: list[int], *, start, today) -> tuple[dict, dict]:
    """Per patient: MME/day on the window's first day and today, and (day started, class) of each line.

    One query. A regimen whose MME cannot be calculated (a drug with no conversion factor) adds no MME
    point, so it never reads as rising.
    """
    lines: dict[int, list[Medication]] = defaultdict(list)
    for medication in Medication.objects.filter(patient__in=ids):
        lines[medication.patient_id].append(medication)
    mme: dict[int, list] = defaultdict(list)
    classes: dict[int, list] = defaultdict(list)
    for patient_id, medications in lines.items():
        classes[patient_id] = [(m.started_on, m.drug_class) for m in medications if m.started_on]
        for day in (start, today):
            taken = [m for m in medications if m.taken_on(day)]
            regimen = [line for m in taken if (line := mme_line(m.mme_fields())) is not None]
            try:
                mme[patient_id].append((day, float(regimen_mme(regimen).total)))
            except ValueError:  # UnknownDrugError, InvalidLineError: shown on the chart, never guessed here
                continue
    return mme, classes


def open_flag(patient_id: int, facts: list[str], *, now: datetime) -> EscalationFlag | None:
    """Open a flag unless one is open already (a concurrent request or sweep); None when it was."""
    with transaction.atomic():
        flag, created = EscalationFlag.objects.select_related("patient").get_or_create(
            patient_id=patient_id, reviewed_at=None, defaults={"facts": facts, "flagged_at": now}
        )
    return flag if created else None


def leads_or_on_duty(patient_ids: list[int]) -> dict[int, User]:
    """Who gets each patient's task, set-based: the team's lead unless away, else the clinician on duty,
    else the medical lead (the chain of clinic.safety_net.route_urgent, for many patients at once)."""
    away = away_ids(timezone.localdate())
    leads = {
        membership.patient_id: membership.member
        for membership in CareTeamMember.objects.filter(
            patient__in=patient_ids, is_lead=True, member__is_active=True
        ).select_related("member")
        if membership.member_id not in away
    }
    if len(leads) < len(patient_ids):
        fallback = on_duty_now() or medical_lead()
        if fallback:
            for patient_id in patient_ids:
                leads.setdefault(patient_id, fallback)
    return leads
