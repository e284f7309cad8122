"""Celery task for sprint reviews: a thin adapter around the set-based sweep in careplans/plan_services.py.

It takes no arguments (the sweep finds its own rows), is idempotent (each sprint is claimed through
``review_task_created_at`` and each task has a unique source key) and returns a count, never patient data.
"""

from celery import shared_task

from careplans import plan_services
from clinic.tasks import RETRY_POLICY


@shared_task(**RETRY_POLICY)
def sweep_sprint_reviews() -> int:
    """Give each sprint ending within 3 days a review task for its lead clinician (beat: hourly)."""
    return plan_services.create_sprint_review_tasks()
