"""Tasks created by hand ("New task"): for a patient or for nobody, on the assignee's worklist, refused for a
patient the person may not see (404-like, audited), due dates from the clinic's today, the urgent-to-a-person
rule, the audit event, a double submit creating one task, and constant queries on the page."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import OutboxMessage, TeamTask, TeamTaskEvent
from clinic.roles import Role
from tests.factories import StaffFactory

NEW = reverse("team:task_new")


def form_data(**overrides):
    data = {
        "title": "Call the pharmacy about the refill",
        "details": "",
        "mrn": "",
        "to": "role:coordinator",
        "priority": TeamTask.Priority.NORMAL,
        "due_on": timezone.localdate().isoformat(),
        "token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_a_coordinator_creates_a_task_for_a_patient_and_it_shows_on_the_assignees_worklist(
    signed_in, coordinator, physician, patient
):
    data = form_data(mrn=patient.mrn, to=f"person:{physician.pk}", details="Ask about the 30-day supply.")
    response = signed_in(coordinator).post(NEW, data)
    task = TeamTask.objects.get()
    assert response.status_code == 302
    assert (task.patient, task.assignee, task.source) == (patient, physician, TeamTask.Source.OTHER)
    assert task.events.get().kind == TeamTaskEvent.Kind.CREATED and task.events.get().by == coordinator
    worklist = signed_in(physician).get(reverse("team:worklist")).content.decode()
    assert "Call the pharmacy about the refill" in worklist


def test_a_coordinator_creates_a_task_about_nobody_for_a_role(signed_in, coordinator):
    colleague = StaffFactory(username="coord.two", role=Role.COORDINATOR)
    response = signed_in(coordinator).post(NEW, form_data())
    task = TeamTask.objects.get()
    assert response.status_code == 302
    assert task.patient is None and task.assignee is None and task.assignee_role == Role.COORDINATOR
    assert "Call the pharmacy about the refill" in signed_in(colleague).get(reverse("team:worklist")).content.decode()


def test_creating_a_task_writes_one_audit_event_naming_the_patient(signed_in, coordinator, physician, patient):
    signed_in(coordinator).post(NEW, form_data(mrn=patient.mrn, to=f"person:{physician.pk}"))
    event = AuditEvent.objects.get(target="team task created by hand")
    assert (event.actor, event.patient_id, event.action) == (coordinator, patient.pk, Action.CREATE)


def test_a_patient_the_person_may_not_see_is_refused_like_a_404_and_audited(signed_in, outsider, patient):
    response = signed_in(outsider).post(NEW, form_data(mrn=patient.mrn, to=f"person:{outsider.pk}"))
    assert response.status_code == 400
    assert "No patient with this MRN that you may see" in response.content.decode()
    assert not TeamTask.objects.exists()
    refusal = AuditEvent.objects.refused().get()
    assert refusal.patient_id == patient.pk and patient.mrn not in refusal.target


def test_an_unknown_mrn_gets_the_same_message(signed_in, coordinator):
    response = signed_in(coordinator).post(NEW, form_data(mrn="NO-SUCH-1"))
    assert response.status_code == 400
    assert "No patient with this MRN that you may see" in response.content.decode()
    assert AuditEvent.objects.refused().get().patient_id is None


def test_the_charts_link_for_an_outsider_is_a_404(signed_in, outsider, patient):
    assert signed_in(outsider).get(NEW, {"patient": str(patient.public_id)}).status_code == 404
    assert signed_in(outsider).get(NEW, {"patient": "not-a-uuid"}).status_code == 404


def test_the_charts_link_prefills_the_patient(signed_in, physician, patient):
    chart = signed_in(physician).get(reverse("patients:chart", args=[patient.public_id])).content.decode()
    assert f"{NEW}?patient={patient.public_id}" in chart
    page = signed_in(physician).get(NEW, {"patient": str(patient.public_id)}).content.decode()
    assert f'value="{patient.mrn}"' in page


def test_a_past_due_date_is_refused_and_what_was_typed_is_kept(signed_in, coordinator):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = signed_in(coordinator).post(NEW, form_data(due_on=yesterday, details="Keep these words"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose a due date from today on." in page
    assert "Call the pharmacy about the refill" in page and "Keep these words" in page and yesterday in page
    assert not TeamTask.objects.exists()


def test_due_today_is_the_clinics_today_at_the_edges_of_the_day(clinic_day_edge, signed_in, coordinator):
    today = clinic_day_edge
    yesterday = today - datetime.timedelta(days=1)
    client = signed_in(coordinator)
    assert client.post(NEW, form_data(due_on=yesterday.isoformat())).status_code == 400
    assert client.post(NEW, form_data(due_on=today.isoformat())).status_code == 302
    assert TeamTask.objects.get().due_on == today


def test_a_form_without_its_token_still_creates_the_task(signed_in, coordinator):
    assert signed_in(coordinator).post(NEW, form_data(token="")).status_code == 302
    assert TeamTask.objects.count() == 1


def test_an_urgent_task_for_a_role_is_refused_with_the_reason(signed_in, coordinator):
    response = signed_in(coordinator).post(NEW, form_data(priority=TeamTask.Priority.URGENT, to="role:clinician"))
    assert response.status_code == 400
    assert "An urgent task goes to a named person" in response.content.decode()
    assert not TeamTask.objects.exists()


def test_an_urgent_task_for_a_person_is_told_outside_the_app_and_escalates(signed_in, coordinator, physician, patient):
    data = form_data(mrn=patient.mrn, to=f"person:{physician.pk}", priority=TeamTask.Priority.URGENT)
    signed_in(coordinator).post(NEW, data)
    task = TeamTask.objects.get()
    assert task.escalate_at is not None
    message = OutboxMessage.objects.get(staff=physician)
    assert patient.full_name not in message.body and patient.mrn not in message.body


def test_a_clinician_may_not_give_a_patients_task_to_someone_off_the_care_team(signed_in, physician, outsider, patient):
    response = signed_in(physician).post(NEW, form_data(mrn=patient.mrn, to=f"person:{outsider.pk}"))
    assert response.status_code == 400
    assert "is not on this patient&#x27;s care team" in response.content.decode()
    assert not TeamTask.objects.exists()


def test_the_same_form_sent_twice_creates_one_task(signed_in, coordinator):
    client = signed_in(coordinator)
    data = form_data()
    assert client.post(NEW, data).status_code == 302
    assert client.post(NEW, data).status_code == 302
    assert TeamTask.objects.count() == 1


def test_clinic_admins_read_the_worklist_but_create_no_task(signed_in, clinic_admin):
    assert signed_in(clinic_admin).get(NEW).status_code == 403
    assert signed_in(clinic_admin).post(NEW, form_data()).status_code == 403
    assert not TeamTask.objects.exists()


def test_the_worklist_links_to_new_task(signed_in, coordinator):
    assert NEW in signed_in(coordinator).get(reverse("team:worklist")).content.decode()


def test_a_nul_character_is_a_form_error_not_a_500(signed_in, coordinator):
    assert signed_in(coordinator).post(NEW, form_data(title="a\x00b", mrn="1\x002")).status_code == 400


@pytest.mark.parametrize("staff", [3, 30])
def test_the_new_task_page_runs_constant_queries(signed_in, coordinator, django_assert_max_num_queries, staff):
    for n in range(staff):
        StaffFactory(username=f"staff.{n}", role=Role.CLINICIAN)
    client = signed_in(coordinator)
    client.get(NEW)
    with django_assert_max_num_queries(8):
        assert client.get(NEW).status_code == 200
