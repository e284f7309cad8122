"""The urgent task's page: acknowledged with what was done by a clinician who may see the patient; the
assignee opens the chart because of the task while it is open, and not once it is closed."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from clinic.models import TeamTask
from clinic.roles import Discipline, Role
from clinic.safety_net import raise_routed_task
from tests.factories import PatientFactory, StaffFactory, put_on_duty


@pytest.fixture
def duty_clinician(db):
    return put_on_duty(StaffFactory(username="np.duty", role=Role.CLINICIAN, discipline=Discipline.NURSE_PRACTITIONER))


@pytest.fixture
def new_patient(db):
    return PatientFactory(given_name="Nora", family_name="Newcomer")


@pytest.fixture
def urgent_task(new_patient, duty_clinician):
    return raise_routed_task(
        title="Intake red flag: contact the patient now", source=TeamTask.Source.ALERT, source_key="t:1",
        patient=new_patient, priority=TeamTask.Priority.URGENT,
    )  # fmt: skip


def task_url(task, action=""):
    return reverse(f"team:task{'_' + action if action else ''}", args=[task.public_id])


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def test_the_clinician_on_duty_opens_the_chart_because_of_the_open_task(signed_in, urgent_task, duty_clinician):
    client = signed_in(duty_clinician)
    assert client.get(task_url(urgent_task)).status_code == 200
    assert client.get(chart_url(urgent_task.patient)).status_code == 200


def test_once_the_task_is_closed_the_former_assignee_sees_neither_the_task_nor_the_chart(
    signed_in, urgent_task, duty_clinician
):
    client = signed_in(duty_clinician)
    response = client.post(task_url(urgent_task, "acknowledge"), {"ack-action": "reached", "ack-note": "Phoned."})
    assert response.status_code == 302
    assert client.get(task_url(urgent_task)).status_code == 404
    page = client.get(chart_url(urgent_task.patient))
    assert page.status_code == 404
    assert b"Newcomer" not in page.content


def test_a_closed_task_about_their_own_patient_stays_visible_to_the_team(signed_in, patient, physician):
    task = raise_routed_task(
        title="Urgent", source=TeamTask.Source.ALERT, source_key="t:2", patient=patient, priority="urgent"
    )
    client = signed_in(physician)
    client.post(task_url(task, "acknowledge"), {"ack-action": "safety_plan"})
    assert client.get(task_url(task)).status_code == 200


def test_acknowledging_records_the_action_and_audits_it(signed_in, urgent_task, duty_clinician):
    signed_in(duty_clinician).post(
        task_url(urgent_task, "acknowledge"), {"ack-action": "emergency", "ack-note": "Ambulance called."}
    )
    urgent_task.refresh_from_db()
    assert (urgent_task.status, urgent_task.acknowledged_action) == ("done", "emergency")
    assert urgent_task.acknowledgement == "Ambulance called."
    assert AuditEvent.objects.filter(
        actor=duty_clinician, patient=urgent_task.patient, target="urgent task acknowledged"
    ).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [({"ack-note": "x"}, "Choose what was done."), ({"ack-action": "reviewed"}, "Say why no contact")],
)
def test_an_acknowledgement_that_does_not_say_what_was_done_is_refused_and_keeps_the_note(
    signed_in, urgent_task, duty_clinician, data, message
):
    response = signed_in(duty_clinician).post(task_url(urgent_task, "acknowledge"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    urgent_task.refresh_from_db()
    assert urgent_task.is_open


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_hand_urgent_work_on_but_do_not_acknowledge_it(request, signed_in, urgent_task, who):
    client = signed_in(request.getfixturevalue(who))
    page = client.get(task_url(urgent_task)).content.decode()
    assert "Acknowledge: what was done?" not in page
    assert client.post(task_url(urgent_task, "acknowledge"), {"ack-action": "reached"}).status_code == 403
    urgent_task.refresh_from_db()
    assert urgent_task.is_open


def test_a_clinician_of_another_team_gets_404(signed_in, urgent_task, other_team_lead, outsider):
    for person in (other_team_lead, outsider):
        client = signed_in(person)
        assert client.get(task_url(urgent_task)).status_code == 404
        assert client.post(task_url(urgent_task, "acknowledge"), {"ack-action": "reached"}).status_code == 404


def test_an_urgent_task_is_not_closed_by_plain_mark_as_done(signed_in, urgent_task, duty_clinician):
    response = signed_in(duty_clinician).post(task_url(urgent_task, "done"), {"done-note": "ok"}, follow=True)
    assert "closed by acknowledging it" in response.content.decode()
    urgent_task.refresh_from_db()
    assert urgent_task.is_open


def test_the_page_shows_when_it_escalates_and_its_history(signed_in, urgent_task, duty_clinician):
    page = signed_in(duty_clinician).get(task_url(urgent_task)).content.decode()
    assert "If nobody acknowledges it by" in page
    assert "The patient has no lead clinician: sent to the clinician on duty." in page
    assert "told by email" in page


def test_handing_an_urgent_task_on_tells_the_new_person(signed_in, urgent_task, coordinator, physician):
    from clinic.models import OutboxMessage

    response = signed_in(coordinator).post(
        task_url(urgent_task, "reassign"), {"to": f"person:{physician.pk}", "note": "Covering."}
    )
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(staff=physician).count() == 1
