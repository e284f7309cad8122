"""The day-before reminder: on the clinic's day before a booked appointment, one message to the patient.

`send_appointment_reminders` is the system's sweep (clinic.tasks, Celery beat every 15 minutes in message
hours; no staff ``by``). It is set-based and claims before it writes: one conditional UPDATE stamps
`reminder_sent_at` on every booked, not yet reminded appointment starting tomorrow (clinic-local), the rows
locked as they were read, so a second run or a second worker finds nothing to claim and nothing is sent
twice; one query reads the claimed rows with their patients, one INSERT writes the outbox messages. A
constant number of queries whatever the number.

- Moving an appointment clears its claim (clinic.appointment_services.move_appointment): the patient is
  reminded of the new time, the day before it. A cancelled appointment is not booked, so never reminded.
- Only on a channel the patient consented to (Patient.contact_channel()); without one the appointment is
  claimed all the same (there is no one to tell) and counted.
- Quiet hours: outside message hours the sweep claims nothing (the task does not even run then); the
  appointment waits for the next run in message hours that same day before.
- No health information: the sender, the day and time, and the place or "by video". Never the clinician, the
  discipline, the kind of visit or a group's name (it could say what the visit is about), never the video
  link (it may name the clinician). In the patient's language on file (portal.language).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

from clinic.dates import next_message_hours_start, start_of_day, within_message_hours
from clinic.models import Appointment, OutboxMessage
from patients.models import Patient
from portal.language import language_of
from portal.services import MESSAGE_SUBJECT

REMINDER_AT_PLACE = gettext_noop(
    "%(sender)s: a reminder of your appointment tomorrow, %(day)s at %(time)s, at %(place)s."
)
REMINDER_BY_VIDEO = gettext_noop("%(sender)s: a reminder of your appointment tomorrow, %(day)s at %(time)s, by video.")


@dataclass
class AppointmentReminderResult:
    claimed: int = 0
    sent: int = 0
    no_channel: int = 0
    outside_message_hours: bool = False


def reminder_text(appointment: Appointment, *, language: str) -> tuple[str, str]:
    """Subject and body of the reminder, in `language`: the day, the time and the place or "by video" only."""
    local = timezone.localtime(appointment.starts_at)
    sender = settings.MESSAGE_SENDER
    with translation.override(language):
        values = {
            "sender": sender,
            "day": date_format(local, gettext("l, F j")),
            "time": date_format(local, "TIME_FORMAT"),
            "place": appointment.place,
        }
        body = gettext(REMINDER_BY_VIDEO if appointment.is_telehealth else REMINDER_AT_PLACE) % values
        return gettext(MESSAGE_SUBJECT) % {"sender": sender}, body


def reminder_key(appointment: Appointment) -> str:
    """One reminder per appointment and start time: a moved appointment's reminder is a new message."""
    return f"appointment-reminder:{appointment.pk}:{appointment.starts_at.isoformat()}"


def send_appointment_reminders(*, now: datetime | None = None) -> AppointmentReminderResult:
    """Claim and remind every booked appointment starting tomorrow (clinic-local), once each."""
    now = now or timezone.now()
    result = AppointmentReminderResult()
    if not within_message_hours(now):
        result.outside_message_hours = True
        return result
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    with transaction.atomic():
        claimed = claim(start=start_of_day(tomorrow), end=start_of_day(tomorrow + timedelta(days=1)), now=now)
        result.claimed = len(claimed)
        if not claimed:
            return result
        appointments = (
            Appointment.objects.filter(id__in=claimed)
            .select_related("patient")
            .only(
                "id",
                "kind",
                "starts_at",
                "place",
                "patient__id",
                *(f"patient__{name}" for name in Patient.MESSAGING_FIELDS),
            )
        )
        messages = []
        for appointment in appointments:
            contact = appointment.patient.contact_channel()
            if contact is None:
                result.no_channel += 1
                continue
            subject, body = reminder_text(appointment, language=language_of(appointment.patient))
            messages.append(
                OutboxMessage(
                    channel=contact[0],
                    to_address=contact[1],
                    patient_id=appointment.patient_id,
                    subject=subject,
                    body=body,
                    dedupe_key=reminder_key(appointment),
                    created_at=now,
                    next_attempt_at=next_message_hours_start(now),  # now: the sweep runs in message hours
                )
            )
        # The claim already makes each message unique; the dedupe key backs it up.
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
        result.sent = len(messages)
    return result


def claim(*, start: datetime, end: datetime, now: datetime) -> list[int]:
    """Stamp `reminder_sent_at` on the booked, not yet reminded appointments starting in [start, end), and return
    their ids. The rows are locked as they are read (a concurrent sweep skips them) and the UPDATE is conditional
    on the stamp still being empty, so each appointment is claimed by one run only. Two queries (the embedded
    SQLite demo has no row locks; it runs one sweep at a time)."""
    due = (
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED, reminder_sent_at__isnull=True, starts_at__gte=start, starts_at__lt=end
        )
        .select_for_update(skip_locked=True)
        .order_by()
    )
    ids = list(due.values_list("id", flat=True))
    Appointment.objects.filter(id__in=ids, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
    return ids
