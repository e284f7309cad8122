"""Escalation until someone acts (clinic/safety_net.py): on duty, then the medical lead, each step recorded
and told once; a repeated sweep does nothing twice; acknowledging stops it."""

from datetime import timedelta

import pytest
import time_machine

from clinic.models import OutboxMessage, TeamTask, TeamTaskEvent
from clinic.roles import Discipline, Role
from clinic.safety_net import AckAction, acknowledge_task, escalate_due_tasks, escalate_task, raise_routed_task
from clinic.tasks import escalate_urgent_tasks
from tests.clock import SATURDAY_NIGHT, WEDNESDAY_MORNING
from tests.factories import PatientFactory, StaffFactory, put_on_duty


@pytest.fixture
def clock():
    with time_machine.travel(WEDNESDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def duty_clinician(db, clock):
    return put_on_duty(StaffFactory(username="np.duty", role=Role.CLINICIAN, discipline=Discipline.NURSE_PRACTITIONER))


def urgent(patient, key="test:1"):
    return raise_routed_task(
        title="Urgent", source=TeamTask.Source.ALERT, source_key=key, patient=patient, priority="urgent"
    )


def messages_to(person) -> int:
    return OutboxMessage.objects.filter(staff=person).count()


def test_nothing_escalates_before_its_time(clock, patient, physician, duty_clinician):
    task = urgent(patient)
    clock.shift(timedelta(minutes=29))
    assert escalate_due_tasks() == 0
    task.refresh_from_db()
    assert (task.assignee, task.escalation_step) == (physician, 0)


def test_the_lead_then_the_clinician_on_duty_then_the_medical_lead(
    clock, patient, physician, duty_clinician, medical_lead
):
    task = urgent(patient)
    clock.shift(timedelta(minutes=31))
    assert escalate_due_tasks() == 1
    task.refresh_from_db()
    assert (task.assignee, task.escalation_step) == (duty_clinician, 1)
    assert messages_to(duty_clinician) == 1
    clock.shift(timedelta(minutes=31))
    assert escalate_due_tasks() == 1
    task.refresh_from_db()
    assert (task.assignee, task.escalation_step) == (medical_lead, 2)
    assert messages_to(medical_lead) == 1
    escalated = task.events.filter(kind=TeamTaskEvent.Kind.ESCALATED).order_by("at")
    assert [e.to_assignee for e in escalated] == [duty_clinician, medical_lead]
    assert "Not acknowledged in 31 minutes" in escalated[0].note


def test_with_the_medical_lead_it_reminds_them_at_each_interval(clock, db, medical_lead):
    task = urgent(PatientFactory())  # no lead, nobody on duty: the medical lead has it
    assert task.assignee == medical_lead
    for step in (1, 2):
        clock.shift(timedelta(minutes=31))
        assert escalate_due_tasks() == 1
        assert messages_to(medical_lead) == 1 + step
    task.refresh_from_db()
    assert task.assignee == medical_lead


def test_a_repeated_sweep_escalates_and_tells_nothing_twice(clock, patient, physician, duty_clinician, medical_lead):
    task = urgent(patient)
    clock.shift(timedelta(minutes=31))
    assert escalate_due_tasks() == 1
    assert escalate_due_tasks() == 0
    redelivered = escalate_task(task_id=task.pk, step=0, now=WEDNESDAY_MORNING + timedelta(minutes=31))
    assert redelivered is False  # the claim for step 0 was taken
    assert OutboxMessage.objects.count() == 2  # the lead at creation, the clinician on duty at step 1
    assert task.events.filter(kind=TeamTaskEvent.Kind.ESCALATED).count() == 1


def test_the_celery_task_runs_the_sweep(clock, patient, physician, duty_clinician):
    urgent(patient)
    clock.shift(timedelta(minutes=31))
    assert escalate_urgent_tasks.apply().get() == 1


def test_after_hours_it_waits_an_hour(clock, db, medical_lead):
    clock.move_to(SATURDAY_NIGHT)
    night = put_on_duty(StaffFactory(username="dr.night", role=Role.CLINICIAN))
    urgent(PatientFactory())
    clock.shift(timedelta(minutes=59))
    assert escalate_due_tasks() == 0
    clock.shift(timedelta(minutes=2))
    assert escalate_due_tasks() == 1
    assert TeamTask.objects.get().assignee == medical_lead
    assert messages_to(night) == 1


def test_acknowledging_records_what_was_done_and_stops_the_escalation(
    clock, patient, physician, duty_clinician, medical_lead
):
    task = urgent(patient)
    assert acknowledge_task(task=task, by=physician, action=AckAction.REACHED, note="Phoned at 10:10.")
    clock.shift(timedelta(hours=3))
    assert escalate_due_tasks() == 0
    task.refresh_from_db()
    assert (task.status, task.acknowledged_by, task.acknowledged_action) == ("done", physician, "reached")
    assert task.events.get(kind=TeamTaskEvent.Kind.ACKNOWLEDGED).note == "Reached the patient. Phoned at 10:10."
    assert not acknowledge_task(task=task, by=duty_clinician, action=AckAction.REACHED, note="")


def test_reviewed_with_no_contact_needs_a_reason(clock, patient, physician):
    task = urgent(patient)
    with pytest.raises(ValueError):
        acknowledge_task(task=task, by=physician, action=AckAction.REVIEWED, note=" ")
    task.refresh_from_db()
    assert task.is_open


def test_acknowledging_the_task_acknowledges_the_alert_behind_it(clock, patient, physician):
    from measures.models import Alert
    from measures.services import latest_instrument, save_answer, start_response, submit_response

    response = start_response(patient=patient, instrument=latest_instrument("phq9"))
    for n in range(1, 10):
        response = save_answer(response=response, item_code=f"phq9_{n}", value=1 if n == 9 else 0)
    submit_response(response=response)
    alert = Alert.objects.get(kind=Alert.Kind.SAFETY)
    assert alert.task.priority == "urgent" and alert.task.assignee == physician
    acknowledge_task(task=alert.task, by=physician, action=AckAction.SAFETY_PLAN, note="")
    alert.refresh_from_db()
    assert alert.acknowledged_by == physician
    assert alert.acknowledgement == "Made a safety plan with the patient."
