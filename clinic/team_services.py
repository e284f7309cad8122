"""Team coordination around one patient: internal team messages with mentions, working on team tasks
(done, reopened, handed on) and reviewing the early warning. Changes to one task are its model methods
(TeamTask.mark_done, reassign, reopen); these services check who may make them first
(clinic.access.tasks, clinic.access.alerts), raise ``Refused`` before writing anything, and audit the change.

Team messages are for staff only: no portal page reads them, and nothing about them is sent to the
patient. Mentioning a colleague creates one task for them (source MENTION), linked to the message.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.alerts import CLINICIANS_REVIEW, may_review_flag
from clinic.access.refusals import refuse_unless
from clinic.access.tasks import (
    PATIENTS_WORKERS_ONLY,
    WORKERS_ONLY,
    may_coordinate_for,
    may_create_task_for,
    may_work_on_task,
)
from clinic.models import EscalationFlag, TeamMessage, TeamTask, User
from clinic.roles import Role
from clinic.safety_net import escalation_delay, notify_assignee, restart_escalation
from clinic.selectors import colleagues_for
from clinic.services import create_task

MENTION_DETAILS_CHARS = 500


# --- Who may do what ---------------------------------------------------------------------------


ASSIGNABLE_ROLES = (Role.COORDINATOR, Role.CLINICIAN)


# --- Team messages -----------------------------------------------------------------------------


def mention_key(message: TeamMessage, user: User) -> str:
    return f"mention:{message.public_id}:{user.pk}"


@transaction.atomic
def post_team_message(*, patient, author: User, body: str, mentions: list[User]) -> TeamMessage:
    """Write a team message and give each mentioned colleague one task about it.

    Refused unless ``author`` may see the patient and may coordinate (``may_coordinate_for``). Mentions
    of the author, of inactive staff or of anyone who may not see the patient create no task and are
    not kept.
    """
    refuse_unless(may_coordinate_for(author, patient), PATIENTS_WORKERS_ONLY)
    body = body.strip()
    message = TeamMessage.objects.create(patient=patient, author=author, body=body)
    visible_ids = set(
        colleagues_for(patient).filter(pk__in=[user.pk for user in mentions]).values_list("pk", flat=True)
    )
    kept = [user for user in mentions if user.pk in visible_ids and user.pk != author.pk]
    message.mentions.set(kept)
    link = reverse("patients:chart", args=[patient.public_id]) + f"#team-message-{message.public_id}"
    details = body if len(body) <= MENTION_DETAILS_CHARS else body[: MENTION_DETAILS_CHARS - 1] + "\u2026"
    for user in kept:
        create_task(
            title=f"{author.display_name} mentioned you in a team message",
            source=TeamTask.Source.MENTION,
            source_key=mention_key(message, user),
            patient=patient,
            assignee=user,
            details=details,
            link=link,
            by=author,
        )
    return message


# --- A task of one's own ("New task") -----------------------------------------------------------

URGENT_NEEDS_A_PERSON = (
    "An urgent task goes to a named person, never to a role as a whole: choose who is to do it "
    "(the clinic's safety-net rule)."
)


class UrgentNeedsPerson(ValueError):
    """An urgent task created by hand must name its person (README, "The safety net"); the form says so first."""


def own_task_key(by: User, token: str) -> str:
    """The form's one-time token, per person: the same form submitted twice (a double click, a retried request)
    is one task, and nobody reaches another person's task by sending their token."""
    return f"own:{by.pk}:{token}"


@transaction.atomic
def create_own_task(
    *,
    by: User,
    audit: AuditContext | None,
    token: str,
    title: str,
    patient=None,
    assignee: User | None = None,
    assignee_role: str = "",
    priority: str = TeamTask.Priority.NORMAL,
    due_on,
    details: str = "",
) -> tuple[TeamTask, bool]:
    """A task someone creates by hand, about a patient or about nobody; returns (task, created).

    Refused unless ``by`` may create it (clinic.access.tasks.may_create_task_for). Preconditions: exactly one of
    ``assignee`` and ``assignee_role``, offered to ``by`` (``assignable_people``, ``ASSIGNABLE_ROLES``); ``due_on``
    from the clinic's today on (the form checks). An urgent task must name a person (``UrgentNeedsPerson``):
    like the safety net's tasks, that person is told outside the app (outbox, no patient data) and the task
    escalates until acknowledged. Other tasks wait on the worklist, as every non-urgent task does.
    Audit "create" (the patient's, when there is one). A second submit of the same ``token`` creates nothing.
    """
    refuse_unless(may_create_task_for(by, patient), PATIENTS_WORKERS_ONLY)
    if priority == TeamTask.Priority.URGENT and assignee is None:
        raise UrgentNeedsPerson(URGENT_NEEDS_A_PERSON)
    key = own_task_key(by, token)
    existing = TeamTask.objects.filter(source_key=key).first()
    if existing is not None:
        return existing, False
    task = create_task(
        title=title,
        source=TeamTask.Source.OTHER,
        source_key=key,
        patient=patient,
        assignee=assignee,
        assignee_role=assignee_role,
        priority=priority,
        due_on=due_on,
        details=details,
        link=reverse("patients:chart", args=[patient.public_id]) if patient is not None else "",
        by=by,
    )
    if task.priority == TeamTask.Priority.URGENT:
        now = timezone.now()
        task.escalate_at = now + escalation_delay(now)
        TeamTask.objects.filter(pk=task.pk).update(escalate_at=task.escalate_at)
        notify_assignee(task, step=0)
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target="team task created by hand")
    return task, True


# --- Working on a task ------------------------------------------------------------------------


class UrgentNeedsAcknowledgement(ValueError):
    """An open urgent task is closed by acknowledging it (clinic.safety_net.acknowledge_task), saying what was done."""


def mark_task_done(*, task: TeamTask, by: User, note: str = "", audit: AuditContext | None = None) -> bool:
    """Close a task; False (nothing changed) when it was closed already. Refused unless ``by`` may work on it;
    an open urgent task raises UrgentNeedsAcknowledgement (it must say what was done). Audit "update"."""
    refuse_unless(may_work_on_task(by, task), WORKERS_ONLY)
    if task.priority == TeamTask.Priority.URGENT and task.is_open:
        raise UrgentNeedsAcknowledgement("An urgent task is closed by acknowledging it: say what was done.")
    with transaction.atomic():
        if not task.mark_done(by=by, note=note):
            return False
        record_event(actor=by, context=audit, patient=task.patient, action=Action.UPDATE, target="team task done")
    return True


def reopen_task(*, task: TeamTask, by: User, note: str = "", audit: AuditContext | None = None) -> bool:
    """Open a closed task again; False when it was open already. Refused unless ``by`` may work on it."""
    refuse_unless(may_work_on_task(by, task), WORKERS_ONLY)
    with transaction.atomic():
        if not task.reopen(by=by, note=note):
            return False
        record_event(actor=by, context=audit, patient=task.patient, action=Action.UPDATE, target="team task reopened")
    return True


@transaction.atomic
def hand_on_task(
    *,
    task: TeamTask,
    by: User,
    to: User | None = None,
    to_role: str = "",
    note: str = "",
    audit: AuditContext | None = None,
) -> bool:
    """Give an open task to another person or to a role; an urgent one tells the new person and restarts its
    escalation timer (clinic.safety_net). False when it was closed or already theirs.

    Refused unless ``by`` may work on the task. Preconditions: exactly one of ``to`` and ``to_role``, offered to
    ``by`` (``assignable_people``, ``ASSIGNABLE_ROLES``).
    """
    refuse_unless(may_work_on_task(by, task), WORKERS_ONLY)
    if not task.reassign(to=to, to_role=to_role, by=by, note=note):
        return False
    restart_escalation(task)
    record_event(actor=by, context=audit, patient=task.patient, action=Action.UPDATE, target="team task reassigned")
    return True


# --- The early warning ---------------------------------------------------------------------------


@transaction.atomic
def review_flag(*, flag: EscalationFlag, by: User, note: str, audit: AuditContext | None = None) -> bool:
    """Mark the patient's early-warning flag reviewed with what the team decided; False when it already was.
    Refused unless ``by`` is a clinician on the patient's care team (``may_review_flag``). Audit "update"."""
    refuse_unless(may_review_flag(by, flag.patient), CLINICIANS_REVIEW)
    if not flag.mark_reviewed(by=by, note=note):
        return False
    record_event(actor=by, context=audit, patient=flag.patient, action=Action.UPDATE, target="early warning reviewed")
    return True
