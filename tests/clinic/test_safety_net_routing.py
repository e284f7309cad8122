"""Routing urgent work (clinic/safety_net.py): the lead if present and not away, else the clinician on duty
now, else the medical lead; never "any clinician" while a clinician exists. Told by the outbox, once."""

from datetime import timedelta

import pytest
import time_machine

from clinic.models import OutboxMessage, TeamTask, TeamTaskEvent, User
from clinic.roles import Discipline, Role
from clinic.safety_net import raise_routed_task, route_urgent
from tests.clock import SATURDAY_NIGHT, WEDNESDAY_MORNING
from tests.factories import PatientFactory, StaffFactory, mark_away, put_on_duty


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(WEDNESDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def duty_clinician(db):
    return put_on_duty(
        StaffFactory(username="np.duty", first_name="Dana", last_name="Duty", role=Role.CLINICIAN,
                     discipline=Discipline.NURSE_PRACTITIONER)
    )  # fmt: skip


def urgent(patient, key="test:1"):
    return raise_routed_task(
        title="Urgent: contact the patient", source=TeamTask.Source.ALERT, source_key=key, patient=patient,
        priority=TeamTask.Priority.URGENT,
    )  # fmt: skip


def test_the_lead_who_is_present_gets_it(patient, physician, duty_clinician, medical_lead):
    assert route_urgent(patient).person == physician
    assert urgent(patient).assignee == physician


def test_a_lead_who_is_away_is_passed_over_for_the_clinician_on_duty(patient, physician, duty_clinician):
    mark_away(physician)
    routed = route_urgent(patient)
    assert routed.person == duty_clinician
    assert "away" in routed.why


def test_a_patient_with_no_lead_goes_to_the_clinician_on_duty(db, duty_clinician, medical_lead):
    assert urgent(PatientFactory()).assignee == duty_clinician


def test_a_gap_in_the_rota_goes_to_the_medical_lead(patient, physician, medical_lead):
    mark_away(physician)
    task = urgent(patient)
    assert task.assignee == medical_lead
    assert "medical lead" in task.events.get(kind=TeamTaskEvent.Kind.CREATED).note


def test_a_clinician_on_duty_who_is_away_is_a_gap(db, duty_clinician, medical_lead):
    mark_away(duty_clinician)
    assert urgent(PatientFactory()).assignee == medical_lead


def test_with_no_medical_lead_named_the_longest_serving_physician_gets_it(db):
    first = StaffFactory(role=Role.CLINICIAN, discipline=Discipline.PHYSICIAN)
    StaffFactory(role=Role.CLINICIAN, discipline=Discipline.PHYSICIAN)
    StaffFactory(role=Role.CLINICIAN, discipline=Discipline.NURSE)
    User.objects.filter(pk=first.pk).update(date_joined=WEDNESDAY_MORNING - timedelta(days=900))
    assert urgent(PatientFactory()).assignee == first


def test_after_hours_the_after_hours_clinician_is_on_duty(db, clock, duty_clinician, medical_lead):
    clock.move_to(SATURDAY_NIGHT)
    night = put_on_duty(StaffFactory(username="dr.night", role=Role.CLINICIAN))
    assert urgent(PatientFactory()).assignee == night


def test_an_urgent_task_tells_its_person_once_with_no_patient_data(patient, physician):
    task = urgent(patient)
    urgent(patient)  # a retried request: the same key
    message = OutboxMessage.objects.get()
    assert (message.staff, message.to_address, message.channel) == (physician, physician.email, "email")
    assert str(task.public_id) in message.body
    for private in (patient.given_name, patient.family_name, patient.mrn):
        assert private not in message.body and private not in message.subject
    assert message.subject == "An urgent task is waiting for you in Haven"


def test_a_clinician_who_chose_texts_gets_a_text(patient, physician):
    physician.mobile_phone, physician.notify_by = "+15550101", User.Notify.SMS
    physician.save()
    urgent(patient)
    assert list(OutboxMessage.objects.values_list("channel", "to_address")) == [("sms", "+15550101")]


def test_a_clinician_who_chose_both_gets_both(patient, physician):
    physician.mobile_phone, physician.notify_by = "+15550101", User.Notify.BOTH
    physician.save()
    urgent(patient)
    assert sorted(OutboxMessage.objects.values_list("channel", flat=True)) == ["email", "sms"]


def test_a_review_level_task_follows_the_chain_but_sends_nothing(patient, physician, duty_clinician):
    mark_away(physician)
    task = raise_routed_task(
        title="Review", source=TeamTask.Source.ALERT, source_key="review:1", patient=patient,
        priority=TeamTask.Priority.HIGH,
    )  # fmt: skip
    assert task.assignee == duty_clinician
    assert task.escalate_at is None
    assert not OutboxMessage.objects.exists()


def test_an_urgent_task_in_clinic_hours_escalates_after_30_minutes(patient, physician):
    assert urgent(patient).escalate_at == WEDNESDAY_MORNING + timedelta(minutes=30)


def test_an_urgent_task_after_hours_escalates_after_60_minutes(patient, physician, clock):
    clock.move_to(SATURDAY_NIGHT)
    assert urgent(patient).escalate_at == SATURDAY_NIGHT + timedelta(minutes=60)


def test_the_clinician_who_found_it_themselves_gets_no_task(patient, physician):
    task = raise_routed_task(
        title="x", source=TeamTask.Source.RED_FLAG, source_key="k", patient=patient,
        priority=TeamTask.Priority.URGENT, exclude=physician,
    )  # fmt: skip
    assert task is None
    assert not TeamTask.objects.exists()
