"""Questionnaire workflows: answers saved as they are given, submission with scoring and alerts.

Safety alerts and their tasks are written in the same transaction as the answers that trigger
them, and a retried submission creates nothing twice (the response row is locked and alerts and
tasks are unique per response and kind).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clinic.models import TeamTask
from clinic.roles import Role
from clinic.services import create_task, lead_or_on_duty_clinician
from measures.alerts import POSITIVE_SCREEN, SAFETY, SEVERE, alert_kinds
from measures.models import Alert, Instrument, Invitation, Response
from measures.scoring import ScoreResult, score_with

ALERT_TASKS = {
    SAFETY: ("Urgent: {name} item 9 answered above 0; contact the patient today", TeamTask.Priority.URGENT),
    POSITIVE_SCREEN: ("Review a positive {name} screen", TeamTask.Priority.HIGH),
    SEVERE: ("Review a {name} score in the severe range", TeamTask.Priority.HIGH),
}


class AnswerRefused(ValueError):
    """The answer is not one of the item's options (the message says so in plain words)."""


@dataclass(frozen=True)
class Submission:
    response: Response
    alerts: list[Alert]
    needs_crisis_resources: bool


def latest_instrument(code: str) -> Instrument:
    return Instrument.objects.filter(code=code, active=True).latest("loaded_at")


def start_response(
    *,
    patient,
    instrument: Instrument,
    invitation: Invitation | None = None,
    source: str = Response.Source.PORTAL,
    entered_by=None,
) -> Response:
    """The patient's response in progress for this invitation and instrument, started if need be."""
    if invitation is not None:
        response, _ = Response.objects.get_or_create(
            invitation=invitation,
            instrument=instrument,
            defaults={"patient": patient, "source": source, "entered_by": entered_by},
        )
        return response
    return Response.objects.create(patient=patient, instrument=instrument, source=source, entered_by=entered_by)


def save_answer(*, response: Response, item_code: str, value) -> Response:
    """Store one answer as soon as it is given (a dropped connection loses nothing).

    Preconditions: the response is not yet submitted. Raises AnswerRefused for a value that is
    not one of the item's options, and KeyError for an item the instrument does not have.
    """
    item = response.instrument.spec.item(item_code)
    option = item.option_for(value)
    if option is None:
        raise AnswerRefused("Please choose one of the answers shown.")
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.completed_at is not None:
            return locked
        locked.answers = {**locked.answers, item_code: option.value}
        locked.save(update_fields=["answers"])
    return locked


@transaction.atomic
def submit_response(*, response: Response, context: dict | None = None) -> Submission:
    """Score the response, store the score, raise its alerts and their tasks; idempotent.

    A response submitted twice (a double tap, a retried request) is scored once: the second call
    finds it completed and returns the same alerts.
    """
    locked = Response.objects.select_for_update().select_related("instrument", "patient").get(pk=response.pk)
    if locked.completed_at is None:
        result = score_and_complete(locked, context=context)
        raise_alerts(locked, result)
        close_invitation_if_done(locked.invitation_id)
    alerts = list(locked.alerts.all())
    return Submission(
        response=locked, alerts=alerts, needs_crisis_resources=any(a.kind == Alert.Kind.SAFETY for a in alerts)
    )


def score_and_complete(response: Response, *, context: dict | None) -> ScoreResult:
    response.context = context if context is not None else response.context
    result = score_with(response.instrument.spec, response.answers, response.context or None)
    response.total = None if result.total is None else Decimal(str(result.total))
    response.band = result.band or ""
    response.positive = result.positive
    response.flags = sorted(result.flags)
    response.valid = result.valid
    response.completed_at = timezone.now()
    response.save(update_fields=["context", "total", "band", "positive", "flags", "valid", "completed_at"])
    return result


def raise_alerts(response: Response, result: ScoreResult) -> list[Alert]:
    alerts = []
    for kind in alert_kinds(result):
        alert, created = Alert.objects.get_or_create(
            response=response, kind=kind, defaults={"patient": response.patient}
        )
        if created:
            alert.task = task_for_alert(alert, response)
            alert.save(update_fields=["task"])
        alerts.append(alert)
    return alerts


def task_for_alert(alert: Alert, response: Response) -> TeamTask:
    title, priority = ALERT_TASKS[alert.kind]
    assignee = lead_or_on_duty_clinician(response.patient)
    return create_task(
        title=title.format(name=response.instrument.name),
        source=TeamTask.Source.ALERT,
        source_key=f"alert:{alert.pk}",
        patient=response.patient,
        assignee=assignee,
        assignee_role="" if assignee else Role.CLINICIAN,
        priority=priority,
    )


def close_invitation_if_done(invitation_id: int | None) -> None:
    """When every instrument of an invitation is answered, close it: no more reminders, link closed."""
    if invitation_id is None:
        return
    invitation = Invitation.objects.select_for_update().select_related("link").get(pk=invitation_id)
    answered = set(invitation.responses.completed().values_list("instrument__code", flat=True))
    if invitation.completed_at or not set(invitation.instrument_codes) <= answered:
        return
    now = timezone.now()
    invitation.completed_at, invitation.next_reminder_at = now, None
    invitation.save(update_fields=["completed_at", "next_reminder_at"])
    if invitation.link_id and invitation.link.completed_at is None:
        invitation.link.completed_at = now
        invitation.link.save(update_fields=["completed_at"])


@transaction.atomic
def acknowledge_alert(*, alert: Alert, by, note: str) -> Alert:
    """A clinician has seen the alert and says what was done; its task is done too."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.acknowledged_at is None:
        locked.acknowledged_at, locked.acknowledged_by, locked.acknowledgement = timezone.now(), by, note.strip()
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement"])
        if locked.task_id:
            TeamTask.objects.filter(pk=locked.task_id, status=TeamTask.Status.OPEN).update(
                status=TeamTask.Status.DONE, done_at=locked.acknowledged_at, done_by=by
            )
    return locked
