"""Background work of interop/: keeping the dashboard's figures fresh (interop/dashboard_snapshot.py)."""

from celery import shared_task

from clinic.tasks import RETRY_POLICY
from interop.dashboard_snapshot import refresh_figures
from interop.dashboard_sql import figures_available


@shared_task(**RETRY_POLICY)
def refresh_dashboard_figures() -> bool:
    """Idempotent: a second run only works the same figures out again."""
    if not figures_available():  # the embedded SQLite demo has no dashboard figures
        return False
    refresh_figures()
    return True
