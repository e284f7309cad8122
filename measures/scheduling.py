"""Measurement schedules, questionnaire invitations and their reminders.

- `start_default_schedule` gives a patient the clinic's default protocol (idempotent).
- `update_schedule` and `set_schedule_active` change one instrument's schedule. A person's change to the
  schedules writes its audit event here, in its transaction, whoever calls; a refused one writes none.
- `create_invitation` asks one patient now (a clinician's button, the demo).
- The sweeps that find what is due for every patient and send reminders are in measures/sweeps.py.

Rules shared by all of them:

- Messages carry no health information: who they are from and a link (or a pointer to it), never an
  instrument name, a condition or a score.
- Nothing is written to a patient without consent on that channel (`Patient.contact_channel()`);
  such an invitation is still created, so the clinic sees it is due, and is marked not reached
  with a coordinator task instead of a message.
- At most one message to a patient per clinic day: a message that would be the second one that
  day waits for the next day (the invitation's `next_reminder_at` is moved to the next midnight).
- An invitation's state lives in its own columns: `link` is empty until its first message is
  written; `next_reminder_at` is when the reminder sweep next looks at it; `reminders_sent` counts
  reminders; `not_reached_at` ends the outreach. Completion (measures.services) clears
  `next_reminder_at`, and the reminder sweep only reads open invitations, under a row lock.
- Sweeps run in one explicit transaction each, with a constant number of queries whatever the
  number of patients, under a transaction-level advisory lock so two sweeps never overlap. They do
  no network I/O: messages are outbox rows the outbox sweep delivers after commit.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.refusals import refuse_unless
from clinic.access.schedules import SCHEDULE_CHANGERS_ONLY, may_change_schedule
from clinic.dates import start_of_day
from clinic.models import OutboxMessage, TeamTask
from clinic.roles import Role
from clinic.services import create_task, queue_message
from measures.models import Instrument, Invitation, MeasurementSchedule
from portal.language import ENGLISH, language_of
from portal.models import PatientLink
from portal.services import LINK_DAYS, MESSAGE_SUBJECT, issue_link, link_message, link_url


@dataclass(frozen=True)
class ProtocolLine:
    instrument_code: str
    every_days: int
    # Days from the start of care to the first time it is asked (0: at intake, the baseline).
    first_after_days: int = 0


# The clinic's default protocol. Every instrument is asked at intake (the baseline that change is
# measured against), then at its own cadence. The order is the order a patient answers them in.
DEFAULT_PROTOCOL: tuple[ProtocolLine, ...] = (
    ProtocolLine("peg", every_days=14),
    ProtocolLine("phq9", every_days=28),
    ProtocolLine("gad7", every_days=28),
    ProtocolLine("pcptsd5", every_days=182),
    ProtocolLine("auditc", every_days=182),
)
PROTOCOL_ORDER = {line.instrument_code: rank for rank, line in enumerate(DEFAULT_PROTOCOL)}

MIN_EVERY_DAYS, MAX_EVERY_DAYS = 7, 365
# An instrument completed this recently is left out of a bundle (its schedule still moves on).
SKIP_IF_COMPLETED_WITHIN = timedelta(days=3)
REMINDER_AFTER = timedelta(days=2)
REMINDERS = 2

# Messages say nothing about health: who it is from and the link (or where to find it), no more.
# Written in the patient's language (portal.language.language_of).
REMINDER_MESSAGE = gettext_noop(
    "%(sender)s: a reminder that your care team's short check-in is still waiting for you. "
    "Please use the private link in our earlier message."
)
# Audit targets: the schedule and the instrument's name, never an answer or a score.
SCHEDULE_TARGET = "questionnaire schedule: {name}"
PROTOCOL_TARGET = SCHEDULE_TARGET.format(name="default protocol")
NOT_REACHED_TITLE = "Patient not reached: questionnaires not completed"
NO_CHANNEL_TITLE = "Patient not reached: no consented way to send questionnaires"


def invitation_key(invitation_id: int) -> str:
    return f"invitation:{invitation_id}"


def reminder_key(invitation_id: int, ordinal: int) -> str:
    return f"invitation:{invitation_id}:reminder:{ordinal}"


def not_reached_key(invitation_id: int) -> str:
    return f"invitation:{invitation_id}:not-reached"


def protocol_rank(code: str) -> tuple[int, str]:
    return PROTOCOL_ORDER.get(code, len(PROTOCOL_ORDER)), code


def in_protocol_order(codes) -> list[str]:
    return sorted(set(codes), key=protocol_rank)


def next_day_start(now: datetime) -> datetime:
    return start_of_day(timezone.localdate(now) + timedelta(days=1))


def visit_reminder_at(closes_at: datetime) -> datetime:
    """The day-before reminder of an invitation a visit asked for (it closes at the end of the visit's day):
    the day before the visit, when message hours begin, clinic time."""
    day_before = timezone.localdate(closes_at) - timedelta(days=2)
    return timezone.make_aware(datetime.combine(day_before, time(settings.MESSAGE_HOURS_START)))


def next_step_at(now: datetime, closes_at: datetime | None) -> datetime | None:
    """When the reminder sweep next looks at a sent invitation: REMINDER_AFTER on for the interval schedule's;
    for one a visit asked for (``closes_at``), the day-before reminder while it is ahead, then never (the app's
    choice: one reminder, the day before the visit, and no "not reached" task once the visit is over)."""
    if closes_at is None:
        return now + REMINDER_AFTER
    reminder = visit_reminder_at(closes_at)
    return reminder if reminder > now else None


def invitation_message(token: str, *, language: str = ENGLISH) -> tuple[str, str]:
    """The subject and body of an invitation: the sender's name and the link, nothing else, in ``language``."""
    return link_message(link_url(token), language=language)


class InvitationMessages:
    """invitation_message() for many tokens: the link is reversed once, not once per message, and each
    language's wording is written once."""

    PLACEHOLDER = "TOKEN-PLACEHOLDER"

    def __init__(self) -> None:
        self.texts: dict[str, tuple[str, str]] = {}

    def text(self, language: str) -> tuple[str, str]:
        if language not in self.texts:
            self.texts[language] = invitation_message(self.PLACEHOLDER, language=language)
        return self.texts[language]

    def subject(self, language: str = ENGLISH) -> str:
        return self.text(language)[0]

    def body(self, token: str, language: str = ENGLISH) -> str:
        return self.text(language)[1].replace(self.PLACEHOLDER, token)


def reminder_message(language: str = ENGLISH) -> tuple[str, str]:
    """A reminder's subject and body (no link, no health information), in ``language``."""
    sender = settings.MESSAGE_SENDER
    with translation.override(language):
        return gettext(MESSAGE_SUBJECT) % {"sender": sender}, gettext(REMINDER_MESSAGE) % {"sender": sender}


# --- Schedules ---------------------------------------------------------------------------------


def instrument_name(code: str) -> str:
    """What the clinic calls an instrument (its newest loaded version's name), or its code if none is loaded."""
    name = Instrument.objects.filter(code=code).order_by("-loaded_at", "-id").values_list("name", flat=True).first()
    return name or code


@transaction.atomic
def start_default_schedule(
    *, patient, start_on: date, by=None, audit: AuditContext | None = None
) -> list[MeasurementSchedule]:
    """Give the patient every schedule of the default protocol they do not have yet.

    Idempotent: an instrument already scheduled (perhaps edited by a clinician) is left as it is.
    Returns the patient's schedules in protocol order. A member of staff (``by``) is refused unless they
    may change the patient's schedules, and their start is audited (even when every instrument was already
    scheduled: they asked for it); with no ``by`` it is the app's own start (intake, the demo), not audited.
    """
    if by is not None:
        refuse_unless(may_change_schedule(by, patient), SCHEDULE_CHANGERS_ONLY)
    now = timezone.now()
    MeasurementSchedule.objects.bulk_create(
        [
            MeasurementSchedule(
                patient=patient,
                instrument_code=line.instrument_code,
                every_days=line.every_days,
                next_due_on=start_on + timedelta(days=line.first_after_days),
                updated_by=by,
                updated_at=now,
            )
            for line in DEFAULT_PROTOCOL
        ],
        ignore_conflicts=True,
    )
    if by is not None:
        record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target=PROTOCOL_TARGET)
    return schedules_for(patient)


def schedules_for(patient) -> list[MeasurementSchedule]:
    schedules = list(MeasurementSchedule.objects.filter(patient=patient))
    return sorted(schedules, key=lambda schedule: protocol_rank(schedule.instrument_code))


@transaction.atomic
def update_schedule(
    *,
    schedule: MeasurementSchedule,
    every_days: int,
    next_due_on: date,
    active: bool,
    by,
    audit: AuditContext | None = None,
) -> MeasurementSchedule:
    """Change how often and from when an instrument is asked, or pause/resume it.

    Preconditions (checked by the form): MIN_EVERY_DAYS <= every_days <= MAX_EVERY_DAYS and
    next_due_on is not in the past. Refused unless ``by`` may change the patient's schedules.
    """
    refuse_unless(may_change_schedule(by, schedule.patient), SCHEDULE_CHANGERS_ONLY)
    locked = MeasurementSchedule.objects.select_for_update().get(pk=schedule.pk)
    locked.every_days, locked.next_due_on, locked.active = every_days, next_due_on, active
    locked.updated_by, locked.updated_at = by, timezone.now()
    locked.save(update_fields=["every_days", "next_due_on", "active", "updated_by", "updated_at"])
    audit_schedule_change(schedule, by=by, audit=audit)
    return locked


@transaction.atomic
def set_schedule_active(
    *, schedule: MeasurementSchedule, active: bool, by, today: date, audit: AuditContext | None = None
) -> MeasurementSchedule:
    """Pause or resume one schedule; a resumed schedule whose date has passed is due today. Refused unless
    ``by`` may change the patient's schedules (pausing the PHQ-9 stops its item-9 screen)."""
    refuse_unless(may_change_schedule(by, schedule.patient), SCHEDULE_CHANGERS_ONLY)
    locked = MeasurementSchedule.objects.select_for_update().get(pk=schedule.pk)
    locked.active, locked.updated_by, locked.updated_at = active, by, timezone.now()
    if active and locked.next_due_on < today:
        locked.next_due_on = today
    locked.save(update_fields=["active", "next_due_on", "updated_by", "updated_at"])
    audit_schedule_change(schedule, by=by, audit=audit)
    return locked


def audit_schedule_change(schedule: MeasurementSchedule, *, by, audit: AuditContext | None) -> None:
    target = SCHEDULE_TARGET.format(name=instrument_name(schedule.instrument_code))
    record_event(actor=by, context=audit, patient=schedule.patient, action=Action.UPDATE, target=target)


# --- One invitation ----------------------------------------------------------------------------


def messaged_on(patient_id: int, day: date) -> bool:
    # The day ends at the next clinic midnight: 23 or 25 hours on DST days (clinic/dates.py), as in the sweeps.
    return OutboxMessage.objects.filter(
        patient_id=patient_id, created_at__gte=start_of_day(day), created_at__lt=start_of_day(day + timedelta(days=1))
    ).exists()


@transaction.atomic
def create_invitation(
    *, patient, due_on: date, instrument_codes, created_by=None, send: bool = True
) -> tuple[Invitation, str | None]:
    """The patient's invitation for `due_on`, created with its link (and message) when new.

    Returns (invitation, raw token) when this call issued the link, and (invitation, None) when
    no link was issued: the invitation already existed (its new instruments, if any, are added to
    it when it is still open), the patient has no consented channel (marked not reached, with a
    coordinator task), or the patient already had a message today (the reminder sweep sends it
    tomorrow). With `send=False` the link is always issued and its token returned, and nothing is
    written to the patient (the caller hands the link over itself: the demo, a clinic tablet); no
    reminders follow.
    """
    now = timezone.now()
    codes = in_protocol_order(instrument_codes)
    invitation, created = Invitation.objects.get_or_create(
        patient=patient, due_on=due_on, defaults={"instrument_codes": codes, "created_at": now}
    )
    if not created:
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        missing = [code for code in codes if code not in locked.instrument_codes]
        if missing and locked.completed_at is None:
            locked.instrument_codes = [*locked.instrument_codes, *missing]
            locked.save(update_fields=["instrument_codes"])
        return locked, None

    contact = patient.contact_channel()
    if not send:
        return invitation, attach_link(invitation, created_by=created_by)
    if contact is None:
        mark_no_channel(invitation, now=now)
        return invitation, None
    if messaged_on(patient.id, timezone.localdate(now)):
        invitation.next_reminder_at = next_day_start(now)
        invitation.save(update_fields=["next_reminder_at"])
        return invitation, None
    token = attach_link(invitation, created_by=created_by)
    channel, address = contact
    subject, body = invitation_message(token, language=language_of(patient))
    queue_message(
        channel=channel,
        to_address=address,
        subject=subject,
        body=body,
        patient=patient,
        dedupe_key=invitation_key(invitation.id),
    )
    invitation.next_reminder_at = now + REMINDER_AFTER
    invitation.save(update_fields=["next_reminder_at"])
    return invitation, token


def attach_link(invitation: Invitation, *, created_by=None) -> str:
    """Issue the invitation's questionnaire link; returns its raw token (never stored)."""
    link, token = issue_link(
        patient=invitation.patient, purpose=PatientLink.Purpose.QUESTIONNAIRES, created_by=created_by, days=LINK_DAYS
    )
    invitation.link = link
    invitation.save(update_fields=["link"])
    return token


def mark_no_channel(invitation: Invitation, *, now: datetime) -> None:
    invitation.not_reached_at, invitation.next_reminder_at = now, None
    invitation.save(update_fields=["not_reached_at", "next_reminder_at"])
    create_task(
        title=NO_CHANNEL_TITLE,
        source=TeamTask.Source.NOT_REACHED,
        source_key=not_reached_key(invitation.id),
        patient=invitation.patient,
        assignee_role=Role.COORDINATOR,
        due_on=timezone.localdate(now),
    )
