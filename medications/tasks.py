"""Celery tasks for medications and opioid safety: a thin adapter around the set-based sweep
(medications/services/monitoring.py).

Takes no arguments (the sweep finds its own rows), is idempotent (one task per unique source key) and returns
counts only, never patient data. In this module because Celery's autodiscovery imports each app's ``tasks``
module. It runs once a clinic-local day from the daily-sweeps check (settings.DAILY_SWEEPS, clinic/sweeps.py).
"""

from dataclasses import asdict

from celery import shared_task

from clinic.tasks import RETRY_POLICY
from medications.services import monitoring


@shared_task(**RETRY_POLICY)
def sweep_opioid_monitoring_task() -> dict:
    """Tasks for drug screens, PDMP checks and agreement reviews due, trial reviews and taper follow-ups
    (one task per source key: kind, patient and due date; trial; taper and due date)."""
    return asdict(monitoring.sweep_monitoring())
