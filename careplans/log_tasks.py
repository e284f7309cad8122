"""Celery task for the check-in reminders: a thin adapter around careplans.log_services.sweep_log_reminders.

It takes no arguments (the sweep finds its own rows), is idempotent (each reminder is claimed by a
conditional UPDATE on its due time; messages carry a dedupe key) and returns counts only, never
patient data.
"""

from dataclasses import asdict

from celery import shared_task

from careplans import log_services
from clinic.tasks import RETRY_POLICY


@shared_task(**RETRY_POLICY)
def sweep_log_reminders_task() -> dict:
    """Send the check-in reminders that are due (beat: every 15 minutes in clinic hours)."""
    return asdict(log_services.sweep_log_reminders())
