"""Pinned clinic clocks for what the patient is told about time (portal/safety.py): a Wednesday morning in
clinic hours and a Saturday night after hours, in the clinic's own time zone (whatever CLINIC_TIME_ZONE is),
with the clinic's hours set here (08:00-18:00, Monday to Friday) so the tests never depend on the machine."""

from datetime import datetime
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
