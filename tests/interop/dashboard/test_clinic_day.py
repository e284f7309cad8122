"""The dashboard's "today" is the clinic's date (CLINIC_TIME_ZONE), at the edges of the day: at 23:30 clinic
time an agreement whose review is due today is still current, and a PDMP check done exactly one interval ago is
still within it; at 00:30 the next day neither is."""

import datetime

import pytest
import time_machine

from interop.dashboard_safety import patients_in
from tests.clock import clinic_time
from tests.interop.dashboard import build

pytestmark = pytest.mark.django_db

LATE = clinic_time(2026, 12, 9, 23, 30)
JUST_AFTER_MIDNIGHT = clinic_time(2026, 12, 10, 0, 30)
REVIEW_DAY = datetime.date(2026, 12, 9)


def on_an_opioid_reviewed_on_the_9th():
    person = build.patients(1)[0]
    build.opioid(person)
    build.agreement(person, review_in_days=0)
    build.pdmp(person, days=90)
    return person


@pytest.mark.parametrize(("moment", "current"), [(LATE, True), (JUST_AFTER_MIDNIGHT, False)])
def test_a_review_due_today_counts_until_the_clinics_midnight(moment, current):
    with time_machine.travel(LATE, tick=False):
        build.policy(pdmp_days=90)
        person = on_an_opioid_reviewed_on_the_9th()
    assert person.treatment_agreements.get().review_on == REVIEW_DAY

    with time_machine.travel(moment, tick=False):
        assert (person in patients_in("agreement")) is current
        assert (person in patients_in("pdmp")) is current
