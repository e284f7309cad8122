"""The measures services write the audit event of the change they make, whoever calls them (a page, a task, a
command, the admin): called directly with no request, a change writes exactly one event naming who did it, to
which patient, and what; a change that is refused writes none."""

import datetime

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.access import Refused
from measures.models import MeasurementSchedule
from measures.scheduling import set_schedule_active, start_default_schedule, update_schedule

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def the_event():
    event = AuditEvent.objects.get()
    return event.actor, event.patient, event.action, event.target


# --- Schedules -------------------------------------------------------------------------------------------------


@pytest.fixture
def peg_schedule(patient, physician):
    start_default_schedule(patient=patient, start_on=today())  # the app's own start: no person, no event
    return MeasurementSchedule.objects.get(patient=patient, instrument_code="peg")


def test_the_apps_own_start_of_the_protocol_is_not_audited(peg_schedule):
    assert not AuditEvent.objects.exists()


def test_a_clinician_starting_the_protocol_is_audited_once(patient, physician):
    start_default_schedule(patient=patient, start_on=today(), by=physician)
    assert the_event() == (physician, patient, Action.CREATE, "questionnaire schedule: default protocol")
    event = AuditEvent.objects.get()
    assert (event.path, event.ip) == ("", None)


def test_changing_a_schedule_is_audited_once_with_the_instruments_name(patient, psychologist, peg_schedule):
    later = today() + datetime.timedelta(days=3)
    update_schedule(schedule=peg_schedule, every_days=21, next_due_on=later, active=True, by=psychologist)
    assert the_event() == (psychologist, patient, Action.UPDATE, "questionnaire schedule: PEG")


def test_pausing_a_schedule_is_audited_once_with_the_instruments_name(patient, physician, peg_schedule):
    set_schedule_active(schedule=peg_schedule, active=False, by=physician, today=today())
    assert the_event() == (physician, patient, Action.UPDATE, "questionnaire schedule: PEG")


def test_a_refused_schedule_change_writes_no_event(patient, coordinator, peg_schedule):
    later = today() + datetime.timedelta(days=3)
    with pytest.raises(Refused):
        update_schedule(schedule=peg_schedule, every_days=21, next_due_on=later, active=True, by=coordinator)
    with pytest.raises(Refused):
        set_schedule_active(schedule=peg_schedule, active=False, by=coordinator, today=today())
    with pytest.raises(Refused):
        start_default_schedule(patient=patient, start_on=today(), by=coordinator)
    assert not AuditEvent.objects.exists()
