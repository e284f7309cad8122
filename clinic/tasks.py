"""Celery tasks: thin adapters that take ids, call a service and return.

Each is idempotent (the services claim their rows), acknowledged late and retried with backoff
on database hiccups; message content never travels through the broker, only ids.
"""

from celery import shared_task
from django.db import OperationalError

from clinic import services

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
