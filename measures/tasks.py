"""Celery tasks for measurement schedules: thin adapters around the sweeps in measures/sweeps.py.

They take no arguments (the sweeps find their own rows), are idempotent (unique invitations per
patient and day, dedupe keys on messages and tasks, an advisory lock per sweep) and return counts
only, never patient data.
"""

from dataclasses import asdict

from celery import shared_task

from clinic.dates import within_message_hours
from clinic.tasks import RETRY_POLICY
from measures import sweeps


@shared_task(**RETRY_POLICY)
def sweep_due_measures_task() -> dict:
    """Create today's invitations (beat: hourly in message hours; outside them nothing is sent)."""
    if not within_message_hours():
        return {"outside_message_hours": True}
    return asdict(sweeps.sweep_due_measures())


@shared_task(**RETRY_POLICY)
def sweep_reminders_task() -> dict:
    """Send held-back invitations and reminders, and flag patients not reached (beat: every 15 minutes in message
    hours; outside them nothing is sent)."""
    if not within_message_hours():
        return {"outside_message_hours": True}
    return asdict(sweeps.sweep_reminders())
