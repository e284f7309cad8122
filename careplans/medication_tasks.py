"""Celery task for opioid monitoring: a thin adapter around medication_services.sweep_monitoring.

It takes no arguments (the sweep finds its own rows), is idempotent (one task per source key: kind, patient and
due date; trial; taper and due date) and returns counts only, never patient data.
"""

from dataclasses import asdict

from celery import shared_task

from careplans import medication_services
from clinic.tasks import RETRY_POLICY


@shared_task(**RETRY_POLICY)
def sweep_opioid_monitoring_task() -> dict:
    """Tasks for drug screens, PDMP checks and agreement reviews due, trial reviews and taper follow-ups (daily)."""
    return asdict(medication_services.sweep_monitoring())
