"""A coordinator's "send what is due now": the patient's due questionnaires, interval and visit, in one click.

The same guarantees as the sweeps (measures/sweeps.py, measures/visits.py): one invitation per patient and clinic
day (a second click that day sends nothing and says so), a message only on a channel the patient agreed to and at
most one a day (else it goes tomorrow), none at night (the outbox holds a message written in quiet hours until
message hours begin), an instrument completed in the last three days left out, and each visit's ask claimed so
the sweep does not ask it again. Every click is audited, whatever it did.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.refusals import refuse_unless
from clinic.access.schedules import SENDERS_ONLY, may_send_questionnaires
from measures.models import Invitation, MeasurementSchedule, Response
from measures.scheduling import SKIP_IF_COMPLETED_WITHIN, create_invitation, in_protocol_order
from measures.sweeps import ADVANCE_SQL, array_literal, run
from measures.visits import DueVisit, cap_links, due_visits, record_asks, remind_at
from patients.models import Patient

SEND_NOW_TARGET = "questionnaires: send what is due now"


class Sent(StrEnum):
    SENT = "sent"
    HELD = "held for tomorrow (already messaged today)"
    NO_CHANNEL = "not sent (no consented channel)"
    ALREADY = "already sent today"
    NOTHING = "nothing due"


@dataclass(frozen=True)
class SendNowOutcome:
    state: Sent
    codes: tuple[str, ...] = ()


@transaction.atomic
def send_due_now(*, patient, by, audit: AuditContext | None = None) -> SendNowOutcome:
    """Send the patient what is due now (interval schedules due today or earlier, and what the visit protocol asks
    today). Refused unless ``by`` may send the patient's questionnaires. Double clicks queue on the patient's row
    lock; the one after the first finds the day's invitation and sends nothing."""
    refuse_unless(may_send_questionnaires(by, patient), SENDERS_ONLY)
    Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True).get()
    now = timezone.now()
    today = timezone.localdate(now)
    if Invitation.objects.filter(patient=patient, due_on=today).exists():
        outcome = SendNowOutcome(Sent.ALREADY)
    else:
        outcome = send(patient=patient, by=by, today=today, now=now)
    target = f"{SEND_NOW_TARGET}: {outcome.state.value}"
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target=target)
    return outcome


def send(*, patient, by, today, now) -> SendNowOutcome:
    schedules = list(MeasurementSchedule.objects.filter(patient=patient, active=True, next_due_on__lte=today))
    visits = due_visits(today=today, now=now, patient_id=patient.id)
    visit: DueVisit | None = visits[0] if visits else None
    recent = recently_completed(patient, [s.instrument_code for s in schedules], now=now)
    codes = in_protocol_order(
        [s.instrument_code for s in schedules if s.instrument_code not in recent] + (visit.codes if visit else [])
    )
    if not codes:
        return SendNowOutcome(Sent.NOTHING)
    invitation, token = create_invitation(patient=patient, due_on=today, instrument_codes=codes, created_by=by)
    if visit is not None:
        time_to_visit(invitation, visit, now=now)
        record_asks([visit], {patient.id: invitation.id}, now=now)
    if schedules:
        run(ADVANCE_SQL, {"today": today, "ids": array_literal([s.id for s in schedules])})
    return SendNowOutcome(state_of(invitation, token), tuple(codes))


def recently_completed(patient, codes: list[str], *, now) -> set[str]:
    """Those of ``codes`` the patient completed within SKIP_IF_COMPLETED_WITHIN (left out, as by the sweeps)."""
    if not codes:
        return set()
    recent = Response.objects.filter(
        patient=patient, instrument__code__in=codes, completed_at__gte=now - SKIP_IF_COMPLETED_WITHIN
    )
    return set(recent.values_list("instrument__code", flat=True))


def time_to_visit(invitation: Invitation, visit: DueVisit, *, now) -> None:
    """The invitation closes after the visit's day and is reminded the day before it (measures/visits.py)."""
    invitation.closes_at = visit.closes_at
    fields = ["closes_at"]
    if invitation.link_id is not None and invitation.not_reached_at is None:
        invitation.next_reminder_at = remind_at(visit, now)
        fields.append("next_reminder_at")
    invitation.save(update_fields=fields)
    cap_links([invitation.id])


def state_of(invitation: Invitation, token: str | None) -> Sent:
    if token is not None:
        return Sent.SENT
    if invitation.not_reached_at is not None:
        return Sent.NO_CHANNEL
    if invitation.link_id is None:
        return Sent.HELD
    return Sent.ALREADY  # the sweep made the day's invitation a moment ago
