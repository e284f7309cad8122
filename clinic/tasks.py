"""Celery tasks: thin adapters that take ids, call a service and return.

Each is idempotent (the services claim their rows), acknowledged late and retried with backoff
on database hiccups; message content never travels through the broker, only ids.
"""

from dataclasses import asdict
from functools import wraps

from celery import shared_task
from django.db import OperationalError

from clinic import referral_services, services, sweeps
from clinic.dates import within_message_hours

OUTSIDE_MESSAGE_HOURS = {"outside_message_hours": True}


def in_message_hours_only(sweep):
    """For a task that texts or emails patients: outside the clinic's message hours it sends nothing and says so;
    the due rows wait for the first run of the morning (clinic.dates.within_message_hours)."""

    @wraps(sweep)
    def wrapped(*args, **kwargs):
        return sweep(*args, **kwargs) if within_message_hours() else OUTSIDE_MESSAGE_HOURS

    return wrapped


RETRY_POLICY = dict(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)


@shared_task(**RETRY_POLICY)
def deliver_outbox_message(message_id: int) -> bool:
    return services.deliver_message(message_id=message_id)


@shared_task(**RETRY_POLICY)
def sweep_outbox() -> int:
    """Queue delivery of every due outbox message (beat runs this every OUTBOX_SWEEP_SECONDS)."""
    ids = services.claim_due_messages()
    for message_id in ids:
        deliver_outbox_message.delay(message_id)
    return len(ids)


@shared_task(**RETRY_POLICY)
def record_heartbeat(name: str = "worker") -> None:
    """A heartbeat under ``name``: the worker's own comes from its bootstep (clinic/celery.py); tests send
    one under another name as a marker that a solo worker has run everything queued before it."""
    services.record_heartbeat(name=name)


@shared_task(**RETRY_POLICY)
def track_referrals() -> dict:
    """One coordinator task per late referral (beat: daily); returns counts only."""
    return asdict(referral_services.track_referrals())


@shared_task(**RETRY_POLICY)
def sweep_escalations() -> int:
    """Flag patients whose treatment is rising while function is not improving (daily; clinic/escalation.py)."""
    from clinic.escalation_services import sweep_escalations as sweep

    return len(sweep().flagged)


@shared_task(**RETRY_POLICY)
def escalate_urgent_tasks() -> int:
    """Pass on every urgent task nobody acknowledged in time (beat: every minute; clinic/safety_net.py)."""
    from clinic.safety_net import escalate_due_tasks

    return escalate_due_tasks()


@shared_task(**RETRY_POLICY)
def run_daily_sweeps() -> list[str]:
    """Queue each daily sweep not yet run for the clinic's local date whose time has come (beat: every
    minute; clinic/sweeps.py): a run beat missed while Redis was down happens at the next check."""
    due = sweeps.due_daily_sweeps()
    for name in due:
        run_daily_sweep.delay(name)
    return due


@shared_task(**RETRY_POLICY)
def run_daily_sweep(name: str) -> bool:
    """Run one daily sweep once for today (its row locked, the date recorded in the same transaction)."""
    return sweeps.run_daily_sweep(name)


@shared_task(**RETRY_POLICY)
@in_message_hours_only
def send_appointment_reminders() -> dict:
    """The day-before appointment reminders (each appointment claimed by a conditional UPDATE on
    ``reminder_sent_at``); in message hours only (clinic/appointment_reminders.py)."""
    from clinic.appointment_reminders import send_appointment_reminders as sweep

    return asdict(sweep())
