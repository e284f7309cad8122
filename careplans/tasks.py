"""Celery tasks for care plans: thin adapters around the set-based sweeps in the services.

Each takes no arguments (the sweep finds its own rows), is idempotent (rows are claimed by a
conditional UPDATE or a unique task key) and returns counts only, never patient data. In this
module because Celery's autodiscovery imports each app's ``tasks`` module.
"""

from dataclasses import asdict

from celery import shared_task

from careplans import sprint_services
from careplans.logs import reminders
from clinic.tasks import RETRY_POLICY, in_message_hours_only


@shared_task(**RETRY_POLICY)
def sweep_sprint_reviews() -> int:
    """Give each sprint ending within 3 days a review task for its lead clinician (sprints are claimed
    through ``review_task_created_at``; each task has a unique source key)."""
    return sprint_services.create_sprint_review_tasks()


@shared_task(**RETRY_POLICY)
@in_message_hours_only
def sweep_log_reminders_task() -> dict:
    """Send the check-in reminders that are due (each claimed by a conditional UPDATE on its due time); in
    message hours only: a reminder due in the night waits for the morning's first run."""
    return asdict(reminders.sweep_log_reminders())
