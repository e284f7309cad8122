"""The dashboard's figures, worked out at most every FRESH_FOR and kept in the cache (Redis) in between.

Every figure counts the whole clinic: at 50,000 patients working them out takes most of a second, which a page
opened by several people, several times a day, should not spend each time. So the figures are a snapshot: a beat
task works them out every REFRESH_SECONDS, a page that finds none (or one older than FRESH_FOR, or from another
day) works them out itself, and a reader can ask for them again at once. The page says when they were worked out.
The lists of patients behind each figure are always read live.

The snapshot holds counts only, never a patient. Without Redis the page works them out every time (slower, never
wrong). The intervals are the app's own choice.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from interop.dashboard_report import Report, clinic_report

logger = logging.getLogger(__name__)

SNAPSHOT_KEY = "interop:dashboard:figures"
FRESH_FOR = datetime.timedelta(minutes=10)
REFRESH_SECONDS = 5 * 60  # the beat task's cadence: a snapshot is always there and never older than FRESH_FOR


@dataclass(frozen=True)
class Figures:
    report: Report
    worked_out_at: datetime.datetime

    def fresh(self, now: datetime.datetime) -> bool:
        same_day = timezone.localdate(self.worked_out_at) == timezone.localdate(now)
        return same_day and datetime.timedelta(0) <= now - self.worked_out_at < FRESH_FOR


def current_figures(*, now: datetime.datetime | None = None) -> Figures:
    """The snapshot when it is fresh, else the figures worked out now (and kept)."""
    now = now or timezone.now()
    held = held_figures()
    if held is not None and held.fresh(now):
        return held
    return refresh_figures(now=now)


def refresh_figures(*, now: datetime.datetime | None = None) -> Figures:
    """Work every figure out now and keep the snapshot: four queries (interop.dashboard_report)."""
    figures = Figures(report=clinic_report(), worked_out_at=now or timezone.now())
    try:
        cache.set(SNAPSHOT_KEY, figures, timeout=int(FRESH_FOR.total_seconds()) * 2)
    except Exception:  # Redis down: the figures are still right, only worked out again next time
        logger.warning("the dashboard's figures could not be kept in the cache")
    return figures


def held_figures() -> Figures | None:
    try:
        held = cache.get(SNAPSHOT_KEY)
    except Exception:
        logger.warning("the dashboard's figures could not be read from the cache")
        return None
    return held if isinstance(held, Figures) else None
