"""Celery tasks for measurement schedules: thin adapters around the sweeps in measures/sweeps.py.

They take no arguments (the sweeps find their own rows), are idempotent (unique invitations per
patient and day, dedupe keys on messages and tasks, an advisory lock per sweep) and return counts
only, never patient data.
"""

from dataclasses import asdict

from celery import shared_task

from clinic.tasks import RETRY_POLICY, in_message_hours_only
from measures import sweeps, visits


@shared_task(**RETRY_POLICY)
@in_message_hours_only
def sweep_due_measures_task() -> dict:
    """Create today's invitations (beat: hourly in message hours; outside them nothing is sent)."""
    return asdict(sweeps.sweep_due_measures())


@shared_task(**RETRY_POLICY)
@in_message_hours_only
def sweep_reminders_task() -> dict:
    """Send held-back invitations and reminders, and flag patients not reached (beat: every 15 minutes in message
    hours; outside them nothing is sent)."""
    return asdict(sweeps.sweep_reminders())


@shared_task(**RETRY_POLICY)
@in_message_hours_only
def sweep_visit_measures_task() -> dict:
    """Ask what the visit protocol asks before booked appointments, re-time or close invitations whose visit
    moved or was cancelled (beat: hourly in message hours, before the interval sweep; outside them nothing)."""
    return asdict(visits.sweep_visit_measures())
