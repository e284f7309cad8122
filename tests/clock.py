"""Pinned clinic clocks for what the patient is told about time (portal/safety.py): a Wednesday morning in
clinic hours and a Saturday night after hours, in the clinic's own time zone (whatever CLINIC_TIME_ZONE is),
with the clinic's hours set here (08:00-18:00, Monday to Friday) so the tests never depend on the machine."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings


def clinic_time(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(settings.TIME_ZONE))


def wednesday_morning() -> datetime:
    return clinic_time(2026, 12, 9, 10, 0)


def saturday_night() -> datetime:
    return clinic_time(2026, 12, 12, 22, 0)


# The words the patient reads at each (portal/safety.py): Monday's opening is the next one after Saturday night.
IN_HOURS_WORDS = "Someone from your care team will contact you today."
AFTER_HOURS_WORDS = "Our clinic is closed right now. Your care team will see this when we open on Monday at 8:00 am."
UNSAFE_MEANWHILE = "If you feel unsafe before then, please do not wait for us: call or text 988, or call 911."


@pytest.fixture
def clinic_hours(settings):
    settings.CLINIC_OPENS_AT, settings.CLINIC_CLOSES_AT = "08:00", "18:00"
    settings.CLINIC_OPEN_DAYS = [0, 1, 2, 3, 4]


@pytest.fixture
def in_clinic_hours(clinic_hours):
    """Request it first: everything the test makes then happens on a Wednesday at 10:00, clinic time."""
    with time_machine.travel(wednesday_morning(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def after_hours(clinic_hours):
    """Request it first: everything the test makes then happens on a Saturday at 22:00, clinic time."""
    with time_machine.travel(saturday_night(), tick=False) as traveller:
        yield traveller


# The same two moments as constants, for tests that pin the clock themselves.
WEDNESDAY_MORNING = wednesday_morning()
SATURDAY_NIGHT = saturday_night()


# The edges of the clinic's day, for tests that "today" is the clinic's date at every hour (tests/clinic/
# test_local_date.py): (zone, local wall time). Half an hour either side of midnight, on both of New York's
# daylight-saving days (2026-03-08 has 23 hours, 2026-11-01 has 25), and in clinics whose date differs from
# UTC's at that moment (Kiritimati, UTC+14; Honolulu, UTC-10; New York at 23:30 is already tomorrow in UTC).
DAY_EDGES = {
    "new-york-23:30": ("America/New_York", (2026, 12, 9, 23, 30)),
    "new-york-00:30": ("America/New_York", (2026, 12, 10, 0, 30)),
    "new-york-spring-forward-00:30": ("America/New_York", (2026, 3, 8, 0, 30)),
    "new-york-spring-forward-23:30": ("America/New_York", (2026, 3, 8, 23, 30)),
    "new-york-fall-back-00:30": ("America/New_York", (2026, 11, 1, 0, 30)),
    "new-york-fall-back-23:30": ("America/New_York", (2026, 11, 1, 23, 30)),
    "kiritimati-00:30": ("Pacific/Kiritimati", (2026, 12, 9, 0, 30)),
    "kiritimati-23:30": ("Pacific/Kiritimati", (2026, 12, 9, 23, 30)),
    "honolulu-23:30": ("Pacific/Honolulu", (2026, 12, 9, 23, 30)),
    "honolulu-00:30": ("Pacific/Honolulu", (2026, 12, 10, 0, 30)),
}


@pytest.fixture(params=list(DAY_EDGES.values()), ids=list(DAY_EDGES))
def clinic_day_edge(request, settings):
    """Request it first: the clinic is in the edge's time zone and the clock stands still at its local wall
    time, for everything the test makes and reads. Yields the clinic's date there ("today")."""
    zone, wall = request.param
    settings.TIME_ZONE = zone
    with time_machine.travel(datetime(*wall, tzinfo=ZoneInfo(zone)), tick=False):
        yield date(*wall[:3])
