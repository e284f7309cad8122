"""The safety net (DESIGN.md, "Urgent work"): every urgent signal becomes a task assigned to a person, that
person is told outside the app, and a task nobody acknowledges escalates step by step until someone acts.

Routing (``route_urgent``): the patient's lead clinician if present and not away; else the clinician on
duty now (the rota, clinic/duty.py); else the clinic's medical lead. Review-level work follows the same
chain; only urgent tasks are notified and escalate.

Escalation (``escalate_due_tasks``, swept every minute): an urgent task not acknowledged by its
``escalate_at`` passes to the clinician on duty, then to the medical lead; once with the medical lead it
reminds them again at each interval. Each step is claimed with a conditional UPDATE on
``escalation_step``, so a repeated or redelivered sweep escalates (and notifies) nothing twice; the
timer is a row in Postgres, so a broker outage only delays it.

Acknowledging (``acknowledge_tasks``) records what was done from a short list and stops the escalation.

Who may: acknowledging is checked against clinic.access.tasks.may_acknowledge_urgent (``Refused`` otherwise);
handing a task on is clinic.team_services.hand_on_task. Routing, notifying and escalating are the app's own
work, with no person to check: they run in a patient's answer transaction or the Celery sweep and must
never be refused, or urgent work would reach nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clinic import duty
from clinic.access.refusals import refuse_unless
from clinic.access.tasks import ACKNOWLEDGERS_ONLY, may_acknowledge_all
from clinic.models import DutyShift, OutboxMessage, StaffAbsence, TeamTask, TeamTaskEvent, User
from clinic.roles import Discipline, Role
from clinic.services import create_task, queue_message, team_lead

ESCALATION_BATCH = 200
NOTIFY_SUBJECT = "An urgent task is waiting for you in Haven"


class AckAction(models.TextChoices):
    """What was done about an urgent signal (the issue's short list)."""

    REACHED = "reached", "Reached the patient"
    SAFETY_PLAN = "safety_plan", "Made a safety plan with the patient"
    EMERGENCY = "emergency", "Sent the patient to emergency care"
    REVIEWED = "reviewed", "Reviewed, no contact needed (say why)"


def acknowledgement_words(action: str, note: str) -> str:
    """The action and the note as one line for the alert's or red flag's record (just the note when a
    caller other than a form gave no action)."""
    if not action:
        return note.strip()
    label = AckAction(action).label.removesuffix(" (say why)")
    return f"{label}. {note.strip()}".strip() if note.strip() else f"{label}."


# --- The clock and the rota ---------------------------------------------------------------------


def clinic_hours() -> duty.ClinicHours:
    return duty.ClinicHours(
        opens_at=duty.parse_clock(settings.CLINIC_OPENS_AT),
        closes_at=duty.parse_clock(settings.CLINIC_CLOSES_AT),
        open_days=frozenset(settings.CLINIC_OPEN_DAYS),
    )


def local_now(now: datetime | None = None) -> datetime:
    return timezone.localtime(now or timezone.now())


def current_slot(now: datetime | None = None) -> duty.DutySlot:
    return duty.duty_slot(local_now(now), clinic_hours())


def is_clinic_hours(now: datetime | None = None) -> bool:
    return duty.is_clinic_hours(local_now(now), clinic_hours())


def next_opening(now: datetime | None = None) -> datetime:
    return duty.next_opening(local_now(now), clinic_hours())


def is_away(person: User, day: date) -> bool:
    return StaffAbsence.objects.on(day).filter(staff=person).exists()


def away_ids(day: date) -> set[int]:
    return set(StaffAbsence.objects.on(day).values_list("staff_id", flat=True))


def on_duty_now(now: datetime | None = None) -> User | None:
    """The clinician on the rota for this moment's slot, if active and not away today."""
    shift = DutyShift.objects.covering(current_slot(now)).select_related("clinician").first()
    if shift is None or not shift.clinician.is_active:
        return None
    if is_away(shift.clinician, timezone.localdate(now)):
        return None
    return shift.clinician


def named_medical_lead() -> User | None:
    return User.objects.filter(is_medical_lead=True, is_active=True).first()


def medical_lead() -> User | None:
    """The clinic's medical lead; when none is named, the longest-serving active physician (the app's own
    fallback, so urgent work still has a person; the Team page warns that none is named)."""
    named = named_medical_lead()
    if named is not None:
        return named
    physicians = User.objects.filter(role=Role.CLINICIAN, discipline=Discipline.PHYSICIAN, is_active=True)
    return physicians.order_by("date_joined", "id").first()


# --- Routing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Routed:
    person: User | None
    why: str


def route_urgent(patient, *, now: datetime | None = None) -> Routed:
    """Who urgent (or review-level) work about this patient goes to now, and why, in words."""
    today = timezone.localdate(now)
    lead = team_lead(patient) if patient is not None else None
    if lead is not None and not is_away(lead, today):
        return Routed(lead, "Sent to the patient's lead clinician.")
    gap = "The lead clinician is away" if lead is not None else "The patient has no lead clinician"
    on_duty = on_duty_now(now)
    if on_duty is not None:
        return Routed(on_duty, f"{gap}: sent to the clinician on duty.")
    lead_of_clinic = medical_lead()
    if lead_of_clinic is not None:
        who = (
            "the medical lead"
            if lead_of_clinic.is_medical_lead
            else "the longest-serving physician (no medical lead is named)"
        )
        return Routed(lead_of_clinic, f"{gap} and nobody is on duty now: sent to {who}.")
    return Routed(None, f"{gap}, nobody is on duty and the clinic has no physician: sent to every clinician.")


@transaction.atomic
def raise_routed_task(
    *,
    title: str,
    source: str,
    source_key: str,
    patient,
    priority: str,
    details: str = "",
    link: str = "",
    by=None,
    exclude: User | None = None,
    now: datetime | None = None,
) -> TeamTask | None:
    """Create a task for a person by the routing chain, once per ``source_key``, in the caller's transaction.

    An urgent task is told to its person outside the app and starts its escalation timer. With
    ``exclude`` (the clinician who found the signal themselves), returns None when they would receive it.
    """
    now = now or timezone.now()
    existing = TeamTask.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    routed = route_urgent(patient, now=now)
    if exclude is not None and routed.person is not None and routed.person.pk == exclude.pk:
        return None
    task = create_task(
        title=title,
        source=source,
        source_key=source_key,
        patient=patient,
        assignee=routed.person,
        assignee_role="" if routed.person else Role.CLINICIAN,
        priority=priority,
        details=details,
        link=link,
        by=by,
        note=routed.why,
    )
    if task.priority == TeamTask.Priority.URGENT and task.escalate_at is None:
        TeamTask.objects.filter(pk=task.pk).update(escalate_at=now + escalation_delay(now))
        task.escalate_at = now + escalation_delay(now)
        notify_assignee(task, step=0)
    return task


def escalation_delay(now: datetime):
    return duty.escalation_delay(
        local_now(now),
        clinic_hours(),
        clinic_minutes=settings.ESCALATE_AFTER_MINUTES_CLINIC_HOURS,
        after_minutes=settings.ESCALATE_AFTER_MINUTES_AFTER_HOURS,
    )


# --- Telling the person outside the app -------------------------------------------------------------


def task_url(task: TeamTask) -> str:
    return settings.SITE_URL + reverse("team:task", args=[task.public_id])


def channels_for(person: User) -> list[tuple[str, str]]:
    """(channel, address) pairs from the staff profile; email when the chosen channel has no address."""
    chosen: dict[str, list[str]] = {User.Notify.EMAIL: ["email"], User.Notify.SMS: ["sms"]}
    wanted = chosen.get(person.notify_by, ["email", "sms"])
    addresses = {"email": person.email.strip(), "sms": person.mobile_phone.strip()}
    found = [(channel, addresses[channel]) for channel in wanted if addresses[channel]]
    if not found:
        found = [(channel, address) for channel, address in addresses.items() if address][:1]
    return found


def notify_assignee(task: TeamTask, *, step: int | str) -> list[OutboxMessage]:
    """One outbox message per channel to the task's person for this step, with no patient data; written in
    the caller's transaction and keyed by task, step and channel, so it is never queued twice."""
    person = task.assignee
    if person is None:
        return []
    body = (
        f"{NOTIFY_SUBJECT}.\n\nOpen it here: {task_url(task)}\n\n"
        "This message has no patient details on purpose; sign in to see them."
    )
    sent = [
        queue_message(
            channel=channel,
            to_address=address,
            subject=NOTIFY_SUBJECT,
            body=body,
            staff=person,
            dedupe_key=f"urgent-task:{task.public_id}:{step}:{channel}",
        )
        for channel, address in channels_for(person)
    ]
    words = " and ".join(OutboxMessage.Channel(m.channel).label.lower() for m in sent)
    note = (
        f"{person.display_name} told by {words}."
        if sent
        else (f"{person.display_name} has no email or mobile number on file: nobody could be told outside the app.")
    )
    TeamTaskEvent.objects.create(task=task, kind=TeamTaskEvent.Kind.NOTIFIED, to_assignee=person, note=note)
    return sent


# --- Escalation ----------------------------------------------------------------------------------------


def due_escalations(now: datetime) -> models.QuerySet[TeamTask]:
    return TeamTask.objects.open().urgent().filter(escalate_at__lte=now, acknowledged_at__isnull=True)


def escalate_due_tasks(*, now: datetime | None = None, limit: int = ESCALATION_BATCH) -> int:
    """Escalate every urgent task whose time is up (one set-based query finds them); returns how many."""
    now = now or timezone.now()
    due = list(due_escalations(now).order_by("escalate_at", "id").values_list("id", "escalation_step")[:limit])
    return sum(escalate_task(task_id=task_id, step=step, now=now) for task_id, step in due)


def escalation_target(task: TeamTask, now: datetime) -> Routed:
    minutes = int((now - task.created_at).total_seconds() // 60) if task.escalation_step == 0 else None
    late = f"Not acknowledged in {minutes} minutes" if minutes is not None else "Still not acknowledged"
    on_duty = on_duty_now(now)
    if task.escalation_step == 0 and on_duty is not None and on_duty.pk != task.assignee_id:
        return Routed(on_duty, f"{late}: passed to the clinician on duty.")
    lead_of_clinic = medical_lead()
    if lead_of_clinic is not None and lead_of_clinic.pk != task.assignee_id:
        return Routed(lead_of_clinic, f"{late}: passed to the medical lead.")
    return Routed(task.assignee, f"{late}: {task.assigned_to} reminded again.")


@transaction.atomic
def escalate_task(*, task_id: int, step: int, now: datetime) -> bool:
    """Take one escalation step if nobody has taken it (the conditional UPDATE is the claim)."""
    task = TeamTask.objects.select_related("assignee").filter(pk=task_id).first()
    if task is None or task.escalation_step != step:
        return False
    target = escalation_target(task, now)
    claimed = (
        due_escalations(now)
        .filter(pk=task_id, escalation_step=step)
        .update(
            escalation_step=step + 1,
            escalate_at=now + escalation_delay(now),
            assignee=target.person,
            assignee_role="" if target.person else Role.CLINICIAN,
        )
    )
    if not claimed:
        return False
    task.refresh_from_db()
    TeamTaskEvent.objects.create(
        task=task, kind=TeamTaskEvent.Kind.ESCALATED, at=now, to_assignee=target.person, note=target.why
    )
    notify_assignee(task, step=step + 1)
    return True


@transaction.atomic
def restart_escalation(task: TeamTask, *, now: datetime | None = None) -> None:
    """A person handed an open urgent task on: tell the new person and give them the full time to act.
    Called by clinic.team_services.hand_on_task, which checks that person may hand it on."""
    if task.priority != TeamTask.Priority.URGENT or not task.is_open or task.assignee_id is None:
        return
    now = now or timezone.now()
    step = task.escalation_step
    TeamTask.objects.filter(pk=task.pk, status=TeamTask.Status.OPEN).update(escalate_at=now + escalation_delay(now))
    handed = TeamTaskEvent.objects.filter(task=task, kind=TeamTaskEvent.Kind.REASSIGNED).count()
    notify_assignee(task, step=f"{step}-handed-{handed}")


# --- Acknowledgement ---------------------------------------------------------------------------------


@transaction.atomic
def acknowledge_tasks(*, tasks: models.QuerySet[TeamTask], by: User, action: str, note: str) -> int:
    """Record what was done on each open task, close it and stop its escalation; returns how many.

    Preconditions: ``action`` is an AckAction ("" only from callers with no person choosing, e.g. imports);
    REVIEWED needs a note saying why (checked by the form too). Refused, closing none, unless ``by`` may
    acknowledge every one of them that is still open (``may_acknowledge_all``, one query for all): the check runs
    on the locked open rows, so the clinician on duty, who sees the patient through the open task, may; a task
    someone else closed first is simply not counted.
    """
    action = AckAction(action).value if action else ""
    if action == AckAction.REVIEWED and not note.strip():
        raise ValueError("Say why no contact is needed.")
    now = timezone.now()
    locked = list(tasks.filter(status=TeamTask.Status.OPEN).select_for_update(of=("self",)))
    refuse_unless(may_acknowledge_all(by, locked), ACKNOWLEDGERS_ONLY)
    ids = [task.pk for task in locked]
    closed = TeamTask.objects.filter(id__in=ids, status=TeamTask.Status.OPEN).update(
        status=TeamTask.Status.DONE,
        done_at=now,
        done_by=by,
        escalate_at=None,
        acknowledged_at=now,
        acknowledged_by=by,
        acknowledged_action=action,
        acknowledgement=note.strip(),
    )
    TeamTaskEvent.objects.bulk_create(
        [
            TeamTaskEvent(task_id=task_id, kind=TeamTaskEvent.Kind.ACKNOWLEDGED, by=by, at=now,
                          note=acknowledgement_words(action, note))
            for task_id in ids
        ]
    )  # fmt: skip
    return closed


INTAKE_RED_FLAG_KEY = re.compile(r"^intake:(?P<intake>[0-9a-f-]{36}):red_flag:(?P<level>\w+)$")
EXAMINATION_RED_FLAG_KEY = re.compile(r"^red-flag:(?P<flag>[0-9a-f-]{36})$")


@transaction.atomic
def acknowledge_task(*, task: TeamTask, by: User, action: str, note: str) -> bool:
    """Acknowledge one urgent task from its own page, and the alert or red flags that raised it, so the chart
    and the task agree. Returns False when the task was no longer open (someone acted first); refused, changing
    nothing, unless ``by`` may acknowledge it (``acknowledge_tasks``)."""
    from measures.models import Alert
    from patients.models import RedFlag

    if not acknowledge_tasks(tasks=TeamTask.objects.filter(pk=task.pk), by=by, action=action, note=note):
        return False
    words, now = acknowledgement_words(action, note), timezone.now()
    done = dict(acknowledged_at=now, acknowledged_by=by, acknowledgement=words)
    Alert.objects.filter(task=task, acknowledged_at__isnull=True).update(**{**done, "acknowledgement": words[:500]})
    flags = red_flags_of(task.source_key or "")
    if flags is not None:
        RedFlag.objects.filter(flags, patient=task.patient, acknowledged_at__isnull=True).update(**done)
    task.refresh_from_db()
    return True


def red_flags_of(source_key: str) -> Q | None:
    """Which red flags a red-flag task stands for, from its key (patients' intake and examination keys)."""
    if match := INTAKE_RED_FLAG_KEY.match(source_key):
        return Q(intake__public_id=match["intake"], level=match["level"])
    if match := EXAMINATION_RED_FLAG_KEY.match(source_key):
        return Q(public_id=match["flag"])
    return None
