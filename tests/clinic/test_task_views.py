"""The task page and its actions (done, hand on, reopen): who may open it (404 otherwise), who may act
(admins read only), the history shown, audit events, and no 500 from any input."""

import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from clinic.models import TeamTask, TeamTaskEvent
from clinic.roles import Role
from clinic.services import create_task
from tests.factories import CareTeamMemberFactory

Kind = TeamTaskEvent.Kind


@pytest.fixture
def task(patient, physician):
    return create_task(
        title="Review the sleep diary",
        source=TeamTask.Source.MENTION,
        source_key="t:views",
        patient=patient,
        assignee=physician,
        details="Mari wrote it all down.",
        link=f"/patients/{patient.public_id}/",
    )


def url(name, task):
    return reverse(f"team:{name}", args=[task.public_id])


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "clinic_admin"])
def test_the_team_coordinators_and_admins_open_a_patient_task(request, signed_in, task, who):
    response = signed_in(request.getfixturevalue(who)).get(url("task", task))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Review the sleep diary" in page and "Mari wrote it all down." in page
    assert "Open where this task comes from" in page
    audit = AuditEvent.objects.filter(target="team task").get()
    assert audit.patient_id == task.patient_id


@pytest.mark.parametrize("action", ["task", "task_done", "task_reopen", "task_reassign"])
def test_a_clinician_off_the_team_gets_404_for_every_task_url(signed_in, outsider, task, action):
    client = signed_in(outsider)
    response = client.get(url(action, task)) if action == "task" else client.post(url(action, task))
    assert response.status_code == 404
    assert TeamTask.objects.get(pk=task.pk).events.count() == 1


def test_an_unknown_task_is_404(signed_in, physician):
    assert signed_in(physician).get(reverse("team:task", args=[uuid.uuid4()])).status_code == 404


def test_a_task_without_a_patient_is_for_its_person_its_role_and_the_coordinators(
    signed_in, physician, outsider, coordinator, clinic_admin
):
    for_coordinators = create_task(title="Fax", source="other", source_key="f", assignee_role=Role.COORDINATOR)
    for_clinicians = create_task(title="Rota", source="other", source_key="r", assignee_role=Role.CLINICIAN)
    assert signed_in(physician).get(url("task", for_coordinators)).status_code == 404
    assert signed_in(outsider).get(url("task", for_clinicians)).status_code == 200
    assert signed_in(coordinator).get(url("task", for_clinicians)).status_code == 200
    assert signed_in(clinic_admin).get(url("task", for_coordinators)).status_code == 200


@pytest.mark.parametrize("action", ["task_done", "task_reopen", "task_reassign"])
def test_clinic_admins_read_tasks_but_change_nothing(signed_in, clinic_admin, task, action):
    client = signed_in(clinic_admin)
    page = client.get(url("task", task)).content.decode()
    assert "Mark as done" not in page and "Hand it on" not in page
    assert client.post(url(action, task), {"to": f"role:{Role.COORDINATOR}"}).status_code == 403
    assert task.events.count() == 1


def test_marking_done_closes_the_task_once_and_goes_back_to_the_worklist(signed_in, physician, task):
    client = signed_in(physician)
    response = client.post(url("task_done", task), {"done-note": "Reviewed with her"})
    assert response.status_code == 302 and response["Location"] == reverse("team:worklist")
    client.post(url("task_done", task))
    task.refresh_from_db()
    assert task.status == TeamTask.Status.DONE
    assert list(task.events.values_list("kind", "note")) == [(Kind.CREATED, ""), (Kind.DONE, "Reviewed with her")]
    assert AuditEvent.objects.filter(target="team task done", patient=task.patient).count() == 1


def test_a_teammate_hands_the_task_to_a_coordinator_and_the_history_says_so(signed_in, psychologist, coordinator, task):
    client = signed_in(psychologist)
    response = client.post(url("task_reassign", task), {"to": f"person:{coordinator.pk}", "note": "Book it"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.assignee, task.status) == (coordinator, TeamTask.Status.OPEN)
    page = client.get(url("task", task)).content.decode()
    history = page.split('id="history-heading"', 1)[1]
    assert history.index("Created") < history.index("Reassigned") and "Book it" in history
    assert f"Reassigned</strong> for {coordinator.display_name}" in history


def test_handing_on_to_a_role_and_reopening_after_done(signed_in, physician, coordinator, task):
    client = signed_in(physician)
    client.post(url("task_reassign", task), {"to": f"role:{Role.COORDINATOR}"})
    client = signed_in(coordinator)
    client.post(url("task_done", task), {})
    response = client.post(url("task_reopen", task), {"reopen-note": "Not booked after all"})
    assert response.status_code == 302 and response["Location"] == url("task", task)
    task.refresh_from_db()
    assert task.status == TeamTask.Status.OPEN
    assert list(task.events.values_list("kind", flat=True)) == [Kind.CREATED, Kind.REASSIGNED, Kind.DONE, Kind.REOPENED]


@pytest.mark.parametrize(
    "choice",
    ["", "person:999999", "role:admin", "role:nonsense", "person:abc", "person", "\x00"],
)
def test_a_choice_that_was_not_offered_is_refused_without_change(signed_in, physician, outsider, task, choice):
    response = signed_in(physician).post(url("task_reassign", task), {"to": choice})
    assert response.status_code == 400
    assert task.events.count() == 1


def test_a_clinician_may_not_hand_a_task_to_a_clinician_off_the_team(signed_in, physician, outsider, task):
    response = signed_in(physician).post(url("task_reassign", task), {"to": f"person:{outsider.pk}"})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.assignee == physician


def test_a_coordinator_may_hand_a_task_to_any_clinician(signed_in, coordinator, outsider, task):
    response = signed_in(coordinator).post(url("task_reassign", task), {"to": f"person:{outsider.pk}"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == outsider


def test_a_clinician_handing_on_the_task_that_gave_them_the_chart_goes_back_to_the_worklist(
    signed_in, outsider, physician, patient
):
    task = create_task(title="Urgent", source="alert", source_key="u", patient=patient, assignee=outsider)
    response = signed_in(outsider).post(url("task_reassign", task), {"to": f"role:{Role.CLINICIAN}"})
    assert response.status_code == 302 and response["Location"] == reverse("team:worklist")


def test_a_note_with_a_nul_character_is_a_form_error_not_a_500(signed_in, physician, task):
    response = signed_in(physician).post(url("task_done", task), {"done-note": "a\x00b"})
    assert response.status_code == 400
    assert task.events.count() == 1


def test_the_task_page_runs_the_same_queries_for_a_short_or_long_history(
    signed_in, physician, psychologist, task, django_assert_max_num_queries
):
    client = signed_in(physician)
    client.get(url("task", task))
    with django_assert_max_num_queries(16) as short:
        client.get(url("task", task))
    for n in range(15):
        task.reassign(to=psychologist if n % 2 == 0 else physician, by=physician, note=f"round {n}")
    CareTeamMemberFactory(member=physician)  # another patient changes nothing either
    with django_assert_max_num_queries(16) as long:
        response = client.get(url("task", task))
    assert "round 14" in response.content.decode()
    assert len(short) == len(long), [q["sql"][:90] for q in long.captured_queries]
