"""Reminders to log: the patient chooses daily or weekly reminders in the portal (`set_log_reminder`, their own
link: no staff ``by``), and the system's sweep sends those due (Celery beat, every 15 minutes in message hours:
`sweep_log_reminders`, set-based and idempotent: a reminder is claimed before its message is written).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from careplans.models import CarePlan, LogReminder
from clinic.dates import start_of_day
from clinic.models import OutboxMessage
from patients.models import Patient
from portal.language import language_of
from portal.models import PatientLink
from portal.services import LINK_DAYS, link_message
from portal.tokens import new_token, token_hash

# App choice: reminders arrive in the early evening (clinic time zone), when the day's activity is done.
REMINDER_TIME = time(18, 0)
REMINDER_BATCH = 2000


def next_reminder_at(frequency: str, weekday: int, *, after: datetime) -> datetime | None:
    """The first reminder time strictly after `after` (None for no reminders)."""
    if frequency == LogReminder.Frequency.NONE:
        return None
    local = timezone.localtime(after)
    day = local.date()
    for offset in range(8):
        candidate_day = day + timedelta(days=offset)
        if frequency == LogReminder.Frequency.WEEKLY and candidate_day.weekday() != weekday:
            continue
        candidate = timezone.make_aware(datetime.combine(candidate_day, REMINDER_TIME))
        if candidate > after:
            return candidate
    raise AssertionError("a weekday repeats within 8 days")  # pragma: no cover


def reminder_for(patient) -> LogReminder:
    """The patient's reminder choice, or an unsaved "no reminders" one."""
    found = LogReminder.objects.filter(patient=patient).first()
    return found or LogReminder(patient=patient)


@transaction.atomic
def set_log_reminder(*, patient, frequency: str, weekday: int = 0, now: datetime | None = None) -> LogReminder:
    """The patient's choice: daily, weekly on `weekday` (0 = Monday), or none; the next one is due at the
    next reminder time. The patient's own, from the portal (no staff ``by``, so no staff check).
    Preconditions: values cleaned by ReminderForm."""
    now = now or timezone.now()
    reminder, _ = LogReminder.objects.update_or_create(
        patient=patient,
        defaults={
            "frequency": frequency,
            "weekday": weekday if frequency == LogReminder.Frequency.WEEKLY else 0,
            "next_due_at": next_reminder_at(frequency, weekday, after=now),
            "updated_at": now,
        },
    )
    return reminder


@dataclass
class ReminderSweepResult:
    due: int = 0
    claimed: int = 0
    sent: int = 0
    held_for_tomorrow: int = 0
    no_channel: int = 0
    no_plan: int = 0


CLAIM_SQL = """
UPDATE {reminder} AS r
SET next_due_at = v.next_due_at,
    last_sent_on = CASE WHEN v.send THEN %(today)s::date ELSE r.last_sent_on END,
    updated_at = %(now)s
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(id bigint, due timestamptz, next_due_at timestamptz, send boolean)
WHERE r.id = v.id AND r.next_due_at = v.due
RETURNING r.id
"""


def reminder_key(reminder_id: int, due: datetime) -> str:
    return f"log-reminder:{reminder_id}:{due.isoformat()}"


def sweep_log_reminders(*, now: datetime | None = None, limit: int = REMINDER_BATCH) -> ReminderSweepResult:
    """Send every due check-in reminder once, with a fresh link; set-based and idempotent.

    Called by the system (careplans.tasks, Celery beat), not by a member of staff: there is no ``by`` to check.

    One query finds the due reminders (with the patient's contact columns, whether they have an active
    plan and whether they had a message today); one UPDATE claims them by their `next_due_at` (a row
    another sweep claimed first no longer matches, so running twice sends one message); links and
    outbox messages are inserted in bulk. A constant number of queries whatever the number of patients.

    - The next reminder is the first reminder time after today: at most one reminder a day.
    - No consented channel (`Patient.contact_channel()`) or no active care plan: no message; the
      reminder moves on.
    - The patient already had a message today: this one waits for tomorrow's reminder time.
    - Messages carry no health information: the sender and the link (portal.services.link_message).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = ReminderSweepResult()
    tomorrow = today + timedelta(days=1)
    active_plan = CarePlan.objects.active().filter(patient_id=OuterRef("patient_id"))
    messaged = OutboxMessage.objects.filter(
        patient_id=OuterRef("patient_id"), created_at__gte=start_of_day(today), created_at__lt=start_of_day(tomorrow)
    )
    with transaction.atomic():
        due = list(
            LogReminder.objects.filter(next_due_at__lte=now)
            .exclude(frequency=LogReminder.Frequency.NONE)
            .annotate(has_plan=Exists(active_plan), messaged_today=Exists(messaged))
            .select_related("patient")
            .only(
                "id",
                "frequency",
                "weekday",
                "next_due_at",
                "patient__id",
                *(f"patient__{name}" for name in Patient.MESSAGING_FIELDS),
            )
            .order_by("next_due_at", "id")[:limit]
        )
        result.due = len(due)
        if not due:
            return result
        rows, sending = [], {}
        end_of_today = start_of_day(tomorrow) - timedelta(microseconds=1)
        for reminder in due:
            due_at = reminder.next_due_at
            if due_at is None:  # never: the query asked for reminders due by now (this tells the type checker)
                continue
            contact = reminder.patient.contact_channel()
            send = False
            if not reminder.has_plan:
                result.no_plan += 1
                next_due = next_reminder_at(reminder.frequency, reminder.weekday, after=end_of_today)
            elif contact is None:
                result.no_channel += 1
                next_due = next_reminder_at(reminder.frequency, reminder.weekday, after=end_of_today)
            elif reminder.messaged_today:
                result.held_for_tomorrow += 1
                next_due = next_reminder_at(LogReminder.Frequency.DAILY, 0, after=end_of_today)
            else:
                send = True
                sending[reminder.id] = (reminder, contact, due_at)
                next_due = next_reminder_at(reminder.frequency, reminder.weekday, after=end_of_today)
            rows.append({"id": reminder.id, "due": due_at, "next_due_at": next_due, "send": send})
        with connection.cursor() as cursor:
            cursor.execute(
                CLAIM_SQL.format(reminder=LogReminder._meta.db_table),
                {"rows": json.dumps(rows, default=str), "today": today, "now": now},
            )
            claimed = {row[0] for row in cursor.fetchall()}
        result.claimed = len(claimed)
        sent = [sending[i] for i in sending if i in claimed]
        if not sent:
            return result
        tokens = {reminder.id: new_token() for reminder, _, _ in sent}
        PatientLink.objects.bulk_create(
            [
                PatientLink(
                    patient_id=reminder.patient_id,
                    purpose=PatientLink.Purpose.CHECK_IN,
                    token_hash=token_hash(tokens[reminder.id]),
                    created_at=now,
                    expires_at=now + timedelta(days=LINK_DAYS),
                )
                for reminder, _, _ in sent
            ]
        )
        placeholder = "TOKEN-PLACEHOLDER"
        url = settings.SITE_URL + reverse("portal:open", args=[placeholder])
        # Each patient's message in their language on file (portal.language); each language written once.
        texts = {
            language: link_message(url, language=language) for language in {language_of(r.patient) for r, _, _ in sent}
        }
        messages = [
            OutboxMessage(
                channel=contact[0],
                to_address=contact[1],
                patient_id=reminder.patient_id,
                subject=texts[language_of(reminder.patient)][0],
                body=texts[language_of(reminder.patient)][1].replace(placeholder, tokens[reminder.id]),
                dedupe_key=reminder_key(reminder.id, due_at),
                created_at=now,
                next_attempt_at=now,
            )
            for reminder, contact, due_at in sent
        ]
        # The claim already makes each message unique; the dedupe key backs it up.
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
        result.sent = len(messages)
    return result
