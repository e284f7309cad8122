import time
from functools import cache

from django.conf import settings

from clinic.middleware import seconds_left
from clinic.safety_net import AckAction
from clinic.worklists import urgent_task_count

URGENT_COUNT_CAP = 99


def haven(request):
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "embedded_demo": settings.EMBEDDED_DEMO,
        "demo_mode": settings.EMBEDDED_DEMO or settings.TASKS_IN_PROCESS,
        "urgent_task_count": urgent_task_counter(request),
        "ack_actions": AckAction.choices,
        "session_seconds_left": session_clock(request),
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }


def session_clock(request):
    """Seconds left in the signed-in person's session, for the idle warning (no query: the session is read
    anyway); None for someone not signed in."""

    def left() -> int | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return seconds_left(request.session, now=time.time())

    return left


def urgent_task_counter(request):
    """The signed-in person's open urgent tasks, for the top bar: one small query, run only when a
    page shows it (the template calls this), capped so it never counts a long list."""

    @cache
    def count() -> int:
        user = getattr(request, "user", None)
        if user is None:
            return 0
        return urgent_task_count(user, cap=URGENT_COUNT_CAP + 1)  # the urgent tasks at the top of their worklist

    return count
