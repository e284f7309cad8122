"""Questionnaire workflows: answers saved as they are given, submission with scoring and alerts.

Safety alerts and their tasks are written in the same transaction as the answers that trigger
them, and a retried submission creates nothing twice (the response row is locked and alerts and
tasks are unique per response and kind).

Who may: answering has no member of staff to check (the patient's own link; in clinic, measures.entry
checks who entered the answers first), and raising alerts is the app's own work, never refused.
Acknowledging an alert is a clinician's act: ``acknowledge_alert`` checks it (clinic.access.alerts) and
audits it in its transaction, whoever calls.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.alerts import CLINICIANS_ACKNOWLEDGE, may_acknowledge_alerts
from clinic.access.refusals import refuse_unless
from clinic.models import TeamTask
from clinic.safety_net import acknowledge_tasks, acknowledgement_words, raise_routed_task
from measures.alerts import POSITIVE_SCREEN, SAFETY, SEVERE, alert_kinds
from measures.caseload import CHANGE_CODES, NOT_IMPROVING_AFTER, stalled_change
from measures.models import Alert, Instrument, Invitation, MeasureSummary, Response
from measures.scoring import ScoreResult, score_with

ALERT_TASKS = {
    SAFETY: ("{name} item 9 answered above 0: contact the patient today", TeamTask.Priority.URGENT),
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
    #: True only for the call that completed the response (decided under the row lock): a double tap or a
    #: parallel retry gets False, so callers write "sent" audits and thank-yous once.
    newly_completed: bool = False


def latest_instrument(code: str) -> Instrument:
    """The newest active version of one instrument (Instrument.DoesNotExist when there is none)."""
    instrument = Instrument.objects.filter(code=code).newest_active().get(code)
    if instrument is None:
        raise Instrument.DoesNotExist(f"No active instrument {code!r}.")
    return instrument


def start_response(
    *,
    patient,
    instrument: Instrument,
    invitation: Invitation | None = None,
    source: str = Response.Source.PORTAL,
    entered_by=None,
    reads: str | None = None,
) -> Response:
    """The patient's response in progress for this invitation and instrument, started if need be.

    It records the language its questions are given in: ``reads`` (the language of the patient's page) when
    the definition carries its publisher's official translation into it, else the definition's own (only
    official wording is ever shown). A response already started keeps its language.
    """
    spec = instrument.spec
    language = reads if reads in spec.languages else spec.language
    if invitation is not None:
        response, _ = Response.objects.get_or_create(
            invitation=invitation,
            instrument=instrument,
            defaults={"patient": patient, "source": source, "entered_by": entered_by, "language": language},
        )
        return response
    return Response.objects.create(
        patient=patient, instrument=instrument, source=source, entered_by=entered_by, language=language
    )


def save_answer(*, response: Response, item_code: str, value) -> Response:
    """Store one answer as soon as it is given (a dropped connection loses nothing).

    An answer that raises a safety alert (PHQ-9 item 9 above 0) raises it at once, with its urgent
    task, in the same transaction, whatever else is still unanswered and even if the answers are
    never sent. Screens and bands are judged when the answers are sent.

    Preconditions: the response is not yet submitted (a submitted one is returned unchanged).
    Raises AnswerRefused for a value that is not one of the item's options, and KeyError for an
    item the instrument does not have.
    """
    spec = response.instrument.spec
    option = spec.item(item_code).option_for(value)
    if option is None:
        raise AnswerRefused(gettext("Please choose one of the answers shown."))  # in the page's language
    with transaction.atomic():
        locked = (
            Response.objects.select_for_update(of=("self",)).select_related("instrument", "patient").get(pk=response.pk)
        )
        if locked.completed_at is not None:
            return locked
        locked.answers = {**locked.answers, item_code: option.value}
        locked.save(update_fields=["answers"])
        if any(alert.item == item_code for alert in spec.alerts):
            result = score_with(spec, locked.answers, locked.context or None)
            raise_alerts(locked, [kind for kind in alert_kinds(result) if kind == SAFETY])
    return locked


@transaction.atomic
def submit_response(*, response: Response, context: dict | None = None) -> Submission:
    """Score the response, store the score, raise its alerts and their tasks; idempotent.

    A response submitted twice (a double tap, a retried request) is scored once: the second call
    finds it completed and returns the same alerts.
    """
    locked = Response.objects.select_for_update().select_related("instrument", "patient").get(pk=response.pk)
    newly_completed = locked.completed_at is None
    if newly_completed:
        result = score_and_complete(locked, context=context)
        raise_alerts(locked, alert_kinds(result, locked.instrument.spec))
        close_invitation_if_done(locked.invitation_id)
        if locked.total is not None:
            refresh_summary(patient_id=locked.patient_id, code=locked.instrument.code)
    alerts = list(locked.alerts.all())
    return Submission(
        response=locked,
        alerts=alerts,
        needs_crisis_resources=any(a.kind == Alert.Kind.SAFETY for a in alerts),
        newly_completed=newly_completed,
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


def raise_alerts(response: Response, kinds: list[str]) -> list[Alert]:
    """Create each alert once per response and kind (a retry finds the existing one), with its task."""
    alerts = []
    for kind in kinds:
        alert, created = Alert.objects.get_or_create(
            response=response, kind=kind, defaults={"patient": response.patient}
        )
        if created:
            alert.task = task_for_alert(alert, response)
            alert.save(update_fields=["task"])
        alerts.append(alert)
    return alerts


def task_for_alert(alert: Alert, response: Response) -> TeamTask | None:
    title, priority = ALERT_TASKS[alert.kind]
    return raise_routed_task(
        title=title.format(name=response.instrument.name),
        source=TeamTask.Source.ALERT,
        source_key=f"alert:{alert.pk}",
        patient=response.patient,
        priority=priority,
    )


def close_invitation_if_done(invitation_id: int | None) -> None:
    """When every instrument of an invitation is answered, close it: no more reminders, link closed."""
    if invitation_id is None:
        return
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("link").get(pk=invitation_id)
    answered = set(invitation.responses.completed().values_list("instrument__code", flat=True))
    if invitation.completed_at or not set(invitation.instrument_codes) <= answered:
        return
    now = timezone.now()
    invitation.completed_at, invitation.next_reminder_at = now, None
    invitation.save(update_fields=["completed_at", "next_reminder_at"])
    link = invitation.link  # loaded with the invitation (None when it has none)
    if link is not None and link.completed_at is None:
        link.completed_at = now
        link.save(update_fields=["completed_at"])


@transaction.atomic
def acknowledge_alert(*, alert: Alert, by, audit: AuditContext | None = None, note: str, action: str = "") -> Alert:
    """A clinician has seen the alert and says what was done (an AckAction and a note); its task is
    acknowledged and closed too, which stops its escalation (clinic/safety_net.py). Audited once, by the call
    that acknowledged it: one that finds it acknowledged already (a double post) changes and audits nothing.

    Refused, changing nothing, unless ``by`` may acknowledge the patient's alerts (a clinician on the care team,
    or holding an open task about the patient). Raising alerts has no such check: it is the app's own work in
    the transaction of a patient's answer (portal, kiosk), and must never be refused.
    """
    refuse_unless(may_acknowledge_alerts(by, alert.patient), CLINICIANS_ACKNOWLEDGE)
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.acknowledged_at is None:
        words = acknowledgement_words(action, note)[:500]
        locked.acknowledged_at, locked.acknowledged_by, locked.acknowledgement = timezone.now(), by, words
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement"])
        if locked.task_id:
            acknowledge_tasks(tasks=TeamTask.objects.filter(pk=locked.task_id), by=by, action=action, note=note)
        # The name and kind of the instrument's alert, never the answers or the note.
        target = f"alert acknowledged: {alert.response.instrument.name} {alert.kind}"
        record_event(actor=by, context=audit, patient=alert.patient, action=Action.UPDATE, target=target)
    return locked


# --------------------------------------------------------------------------- summaries (the caseload's)

# Per patient and instrument code, from the scored responses: how many, the first (baseline) and the
# latest, ties broken by id as in ResponseQuerySet.first_and_latest. {scope} narrows it to some patients.
SUMMARY_ROWS = """
SELECT r.patient_id, i.code, count(*),
       (array_agg(r.total ORDER BY r.completed_at, r.id))[1], min(r.completed_at),
       (array_agg(r.total ORDER BY r.completed_at DESC, r.id DESC))[1], max(r.completed_at), false
  FROM measures_response r JOIN measures_instrument i ON i.id = r.instrument_id
 WHERE r.completed_at IS NOT NULL AND r.total IS NOT NULL {scope}
 GROUP BY r.patient_id, i.code
"""
SUMMARY_COLUMNS = (
    "patient_id, instrument_code, responses_count, baseline_total, baseline_at, latest_total, latest_at, not_improving"
)


def refresh_summary(*, patient_id: int, code: str) -> MeasureSummary | None:
    """Bring the patient's summary for one instrument code in step with their scored responses.

    Preconditions: inside the transaction that completed a response of that patient and code. The
    patient row is locked first, so two submissions for one patient take turns and the second one
    reads the first one's response (READ COMMITTED reads what is committed when each query starts).
    """
    from patients.models import Patient

    list(Patient.objects.select_for_update(no_key=True).filter(pk=patient_id).values_list("pk"))
    return write_summary(patient_id=patient_id, code=code)


def write_summary(*, patient_id: int, code: str) -> MeasureSummary | None:
    """Three indexed reads (first, latest, count) and one write; portable (the embedded demo too)."""
    scored = Response.objects.scored().filter(patient_id=patient_id, instrument__code=code)
    first = scored.order_by("completed_at", "id").values_list("total", "completed_at").first()
    if first is None:
        MeasureSummary.objects.filter(patient_id=patient_id, instrument_code=code).delete()
        return None
    latest = scored.order_by("-completed_at", "-id").values_list("total", "completed_at").first()
    (baseline, baseline_at), (latest_total, latest_at) = first, latest
    summary, _ = MeasureSummary.objects.update_or_create(
        patient_id=patient_id,
        instrument_code=code,
        defaults={
            "responses_count": scored.count(),
            "baseline_total": baseline,
            "baseline_at": baseline_at,
            "latest_total": latest_total,
            "latest_at": latest_at,
            "not_improving": stalled_change(code, baseline, latest_total, since=latest_at - baseline_at) is not None,
        },
    )
    return summary


def rebuild_summaries(*, patient_ids: list[int] | None = None, using: str = "default") -> int:
    """Rebuild the summaries of these patients (of every patient when None) from their scored responses,
    set-based: one INSERT ... SELECT, then the rule judged in Python on the rows old enough to be judged
    (measures.caseload.stalled_change, the same rule as on submission) and one UPDATE. Returns the
    number of summaries. Preconditions: no submissions for these patients meanwhile (a migration, the
    demo seed); it runs in one transaction."""
    if connections[using].vendor != "postgresql":
        return rebuild_summaries_one_by_one(patient_ids=patient_ids)
    scope, params = ("AND r.patient_id = ANY(%s)", [list(patient_ids)]) if patient_ids is not None else ("", [])
    own = "WHERE patient_id = ANY(%s)" if patient_ids is not None else ""
    table = MeasureSummary._meta.db_table
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} {own}", params)
        cursor.execute(f"INSERT INTO {table} ({SUMMARY_COLUMNS}) {SUMMARY_ROWS.format(scope=scope)}", params)
        count = cursor.rowcount
        stalled_query_params: list[Any] = [list(CHANGE_CODES), NOT_IMPROVING_AFTER, *params]  # codes, an interval, ids
        cursor.execute(
            f"""SELECT id, instrument_code, baseline_total, latest_total, latest_at - baseline_at FROM {table}
                 WHERE instrument_code = ANY(%s) AND latest_at - baseline_at >= %s {own.replace("WHERE", "AND")}""",
            stalled_query_params,
        )
        stalled = [
            pk for pk, code, baseline, latest, since in cursor if stalled_change(code, baseline, latest, since=since)
        ]
        cursor.execute(f"UPDATE {table} SET not_improving = true WHERE id = ANY(%s)", [stalled])
        if patient_ids is None:
            cursor.execute(f"ANALYZE {table}")  # the caseload's plans need its statistics at once
    return count


def rebuild_summaries_one_by_one(*, patient_ids: list[int] | None = None) -> int:
    """The embedded SQLite demo's rebuild: small clinics only, so one patient and code at a time."""
    scored = Response.objects.scored()
    if patient_ids is not None:
        scored = scored.filter(patient_id__in=patient_ids)
    pairs = set(scored.values_list("patient_id", "instrument__code"))
    with transaction.atomic():
        for patient_id, code in pairs:
            write_summary(patient_id=patient_id, code=code)
    return len(pairs)
