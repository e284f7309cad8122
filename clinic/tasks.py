"""Celery tasks: thin adapters that take ids, call a service and return.

Each is idempotent (the services claim their rows), acknowledged late and retried with backoff
on database hiccups; message content never travels through the broker, only ids.
"""

from dataclasses import asdict

from celery import shared_task
from django.db import OperationalError

from clinic import referral_services, services

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
def record_heartbeat() -> None:
    services.record_heartbeat()


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
