"""The measures services write the audit event of the change they make, whoever calls them (a page, a task, a
command, the admin): called directly with no request, a change writes exactly one event naming who did it, to
which patient, and what; a change that is refused writes none."""

import datetime

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.access import Refused
from measures.entry import record_in_clinic
from measures.models import MeasurementSchedule, Response
from measures.scheduling import set_schedule_active, start_default_schedule, update_schedule
from measures.services import AnswerRefused, acknowledge_alert, latest_instrument
from tests.measures.responses import phq9

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


# --- Acknowledging an alert ---------------------------------------------------------------------------------


@pytest.fixture
def safety_alert(patient, physician):
    return phq9(patient, 1, item9=2).alerts[0]  # the patient's own answers: nobody to audit


def test_acknowledging_an_alert_is_audited_once_without_the_note(patient, psychologist, safety_alert):
    acknowledge_alert(alert=safety_alert, by=psychologist, note="Phoned.", action="reached")
    assert the_event() == (psychologist, patient, Action.UPDATE, "alert acknowledged: PHQ-9 safety")


def test_acknowledging_it_again_changes_and_audits_nothing(patient, physician, psychologist, safety_alert):
    acknowledge_alert(alert=safety_alert, by=psychologist, note="Phoned.", action="reached")
    acknowledge_alert(alert=safety_alert, by=physician, note="Phoned too.", action="reached")
    assert the_event()[0] == psychologist


def test_a_refused_acknowledgement_writes_no_event(coordinator, safety_alert):
    with pytest.raises(Refused):
        acknowledge_alert(alert=safety_alert, by=coordinator, note="Phoned.", action="reached")
    assert not AuditEvent.objects.exists()


# --- Entering answers in clinic -------------------------------------------------------------------------------

PHQ9 = {f"phq9_{n}": 1 for n in range(1, 10)}


def enter(patient, by, *, source=Response.Source.ON_BEHALF, answers=PHQ9):
    return record_in_clinic(
        patient=patient, instrument=latest_instrument("phq9"), answers=answers, source=source, by=by
    )


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Response.Source.ON_BEHALF, "questionnaire entered on behalf: phq9"),
        (Response.Source.KIOSK, "questionnaire on clinic tablet: phq9"),
    ],
)
def test_answers_entered_in_clinic_are_audited_once_with_their_source(patient, physician, coordinator, source, target):
    enter(patient, coordinator, source=source)
    assert the_event() == (coordinator, patient, Action.CREATE, target)


def test_refused_or_invalid_answers_write_no_event(patient, physician, outsider, coordinator):
    with pytest.raises(Refused):
        enter(patient, outsider)
    with pytest.raises(AnswerRefused):
        enter(patient, coordinator, answers={"phq9_1": 99})
    assert not AuditEvent.objects.exists()
