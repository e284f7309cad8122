"""The daily monitoring sweep (medications/tasks.py) and its team tasks: drug screens, PDMP checks and agreement
reviews due for patients on an opioid, opioid trial reviews and taper follow-ups. Each task has a unique
source key; recording the work closes the open tasks under its key (``close_tasks``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from charts import long_date
from clinic.models import CareTeamMember, TeamTask, TeamTaskEvent
from clinic.roles import Role
from medications.models import Medication, OpioidTrial, TaperPlan
from medications.rules import drugs, safety
from medications.selectors.monitoring import due_for, monitoring_facts, policy_or_defaults
from medications.selectors.regimen import summarise

# --------------------------------------------------------------------------- task keys


def monitoring_key_prefix(kind: str, patient_id: int) -> str:
    return f"opioid-monitoring:{kind}:{patient_id}:"


def monitoring_key(kind: str, patient_id: int, due_on: datetime.date) -> str:
    return f"{monitoring_key_prefix(kind, patient_id)}{due_on.isoformat()}"


def trial_review_key(trial_id: int) -> str:
    return f"opioid-trial-review:{trial_id}"


def taper_follow_up_prefix(taper_id: int) -> str:
    return f"taper-follow-up:{taper_id}:"


def close_tasks(*, prefix: str, by, note: str) -> int:
    """Mark the open tasks whose source key starts with ``prefix`` done (the work they asked for is recorded)."""
    done = 0
    for task in TeamTask.objects.open().filter(source_key__startswith=prefix):
        done += task.mark_done(by=by, note=note)
    return done


# --------------------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    patients_on_opioids: int = 0
    due: int = 0
    tasks_created: int = 0


def safety_url(patient) -> str:
    return reverse("medications:opioid_safety", args=[patient.public_id])


def sweep_monitoring(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> SweepResult:
    """Create one team task per monitoring item due or overdue: drug screens, PDMP checks and agreement reviews
    for patients on an opioid (policy intervals, or the prescriber's closer plan), opioid trial reviews, and the
    at least monthly follow-up of a taper in progress (active or paused).

    Set-based and idempotent: a constant number of queries finds everything due (whatever the number of
    patients), one insert writes the tasks and the unique source key (kind, patient and due date; trial; taper
    and due date) skips those already there, so a re-run creates nothing twice. Recording the screen, check,
    review or follow-up closes the task and moves the next due date on.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    policy = policy_or_defaults()
    from patients.models import Patient

    on_opioids = Patient.objects.filter(
        medications__stopped_on__isnull=True, medications__drug_class=drugs.DrugClass.OPIOID
    ).distinct()
    facts = list(
        monitoring_facts(Patient.objects.filter(pk__in=on_opioids.values("pk")), today=today).only("id", "public_id")
    )
    result = SweepResult(patients_on_opioids=len(facts))
    patient_ids = [p.id for p in facts]
    # Risk: the flags of each patient's current regimen (one query for all their lines).
    lines: dict[int, list[Medication]] = {}
    for medication in Medication.objects.filter(patient_id__in=patient_ids).current():
        lines.setdefault(medication.patient_id, []).append(medication)
    trials = list(
        OpioidTrial.objects.filter(reviewed_at__isnull=True, review_on__lte=today, patient_id__in=patient_ids)
        .select_related("patient")
        .only("id", "review_on", "patient__id", "patient__public_id")
    )
    tapers = list(
        # A paused taper is still followed up at least monthly: a pause is part of the taper, not its end.
        TaperPlan.objects.filter(status__in=(TaperPlan.Status.ACTIVE, TaperPlan.Status.PAUSED))
        .annotate(last_follow_up=Max("actuals__on"))
        .select_related("patient")
        .only("id", "starts_on", "patient__id", "patient__public_id")
    )
    everyone = set(patient_ids) | {t.patient_id for t in tapers}
    leads = dict(
        CareTeamMember.objects.filter(patient_id__in=everyone, is_lead=True, member__is_active=True).values_list(
            "patient_id", "member_id"
        )
    )

    tasks: list[TeamTask] = []

    def add(*, patient, title, details, key, due_on, high: bool, link: str):
        lead = leads.get(patient.id)
        tasks.append(
            TeamTask(
                title=title,
                details=details,
                link=link,
                patient_id=patient.id,
                assignee_id=lead,
                assignee_role="" if lead else Role.CLINICIAN,
                priority=TeamTask.Priority.HIGH if high else TeamTask.Priority.NORMAL,
                source=TeamTask.Source.MONITORING,
                source_key=key,
                due_on=due_on,
                created_at=now,
            )
        )

    for patient in facts:
        summary = summarise(lines.get(patient.id, []), [], today=today)
        risk = safety.increased_risk_reasons(flags=summary.flags, events_since_plan=patient.events_since_plan)
        for due in due_for(patient, policy):
            if not due.is_due(today):
                continue
            state = "overdue" if due.is_overdue(today) else "due"
            details = f"{due.title} {state} (since {long_date(due.due_on)}; {due.basis})."
            if risk:
                details += f" Increased risk: {', '.join(risk)}."
            add(
                patient=patient,
                title=f"{due.title} due",
                details=details,
                key=monitoring_key(due.kind, patient.id, due.due_on),
                due_on=max(due.due_on, today) if state == "due" else due.due_on,
                high=bool(risk),
                link=safety_url(patient),
            )
    for trial in trials:
        add(
            patient=trial.patient,
            title="Opioid trial review due",
            details=f"Review function against the goals and decide (review date {long_date(trial.review_on)}).",
            key=trial_review_key(trial.id),
            due_on=trial.review_on,
            high=True,
            link=safety_url(trial.patient),
        )
    for taper in tapers:
        due_on = safety.taper_follow_up_due(starts_on=taper.starts_on, last_follow_up=taper.last_follow_up)
        if due_on > today:
            continue
        add(
            patient=taper.patient,
            title="Taper follow-up due",
            details=(
                f"Follow-up at least monthly during a taper (due {long_date(due_on)}): check pain, function and mood "
                "(PEG and PHQ-9), and record the dose taken."
            ),
            key=f"{taper_follow_up_prefix(taper.id)}{due_on.isoformat()}",
            due_on=due_on,
            high=False,
            link=reverse("medications:taper_detail", args=[taper.patient.public_id, taper.public_id]),
        )
    result.due = len(tasks)
    if not tasks:
        return result
    with transaction.atomic():
        TeamTask.objects.bulk_create(tasks, ignore_conflicts=True)
        created = list(
            TeamTask.objects.filter(source_key__in=[task.source_key for task in tasks])
            .exclude(events__kind=TeamTaskEvent.Kind.CREATED)
            .values_list("id", "assignee_id", "assignee_role")
        )
        TeamTaskEvent.objects.bulk_create(
            [
                TeamTaskEvent(
                    task_id=task_id, kind=TeamTaskEvent.Kind.CREATED, at=now, to_assignee_id=user_id, to_role=role
                )
                for task_id, user_id, role in created
            ]
        )
    result.tasks_created = len(created)
    return result
