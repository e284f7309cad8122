"""Daily sweeps that catch up: run once per clinic-local day, at or after their time, whatever beat missed.

Celery beat only queues a run at its moment; a run it cannot queue (Redis down, beat restarting) is skipped
and never made up. So the daily sweeps (``settings.DAILY_SWEEPS``: name, task, local time) are not on beat's
calendar. Beat runs ``clinic.tasks.run_daily_sweeps`` every minute instead; it compares each sweep's
``SweepRun`` row in Postgres with the clinic's local date (``timezone.localdate()``, ``CLINIC_TIME_ZONE``)
and queues the ones not yet run today whose time has come. A run missed at 06:40 happens at the first check
after the outage; a check that is itself lost is followed by another a minute later.

Each run takes its ``SweepRun`` row's lock (skipping it when another run holds it), runs the sweep and
records the date in the same transaction: two checks or two workers at once run a sweep once, and a sweep
that fails (or a worker killed mid-run) records nothing, so the next check runs it again. The sweeps are
idempotent on their own (claimed rows, unique task keys), so even a repeat would create nothing twice.
"""

import logging
from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from clinic.models import SweepRun

logger = logging.getLogger(__name__)


def daily_time(spec: dict) -> time:
    return time.fromisoformat(spec["at"])


def due_daily_sweeps(*, now: datetime | None = None) -> list[str]:
    """The daily sweeps whose local time has come today and that have not run for today; one query."""
    local = timezone.localtime(now or timezone.now())
    ran = dict(SweepRun.objects.filter(name__in=list(settings.DAILY_SWEEPS)).values_list("name", "ran_for"))
    return [
        name
        for name, spec in settings.DAILY_SWEEPS.items()
        if local.time() >= daily_time(spec) and (ran.get(name) is None or ran[name] < local.date())
    ]


def run_daily_sweep(name: str, *, now: datetime | None = None) -> bool:
    """Run the daily sweep ``name`` if it has not run for today (clinic-local); True when this call ran it.

    Runs the sweep in this process, inside the transaction that holds the sweep's row lock and records the
    date, so a concurrent call returns False at once and a failed run records nothing.
    """
    spec = settings.DAILY_SWEEPS[name]
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.time() < daily_time(spec):
        return False
    SweepRun.objects.bulk_create([SweepRun(name=name)], ignore_conflicts=True)
    with transaction.atomic():
        run = SweepRun.objects.select_for_update(skip_locked=True).filter(name=name).first()
        if run is None or (run.ran_for is not None and run.ran_for >= local.date()):
            return False  # another run holds it, or it already ran today
        import_string(spec["task"])()  # a Celery task object called directly runs here, synchronously
        run.ran_for, run.last_ran_at = local.date(), now
        run.save(update_fields=["ran_for", "last_ran_at"])
    logger.info("daily sweep %s ran for %s", name, local.date())
    return True
