"""The access rules (clinic/access/): for referrals, tasks, questionnaire schedules and medication lines, the list
rule (``*_visible_to(user)``) holds exactly the objects the single-object rule (``may_see_*``) allows, for each
kind of person: a clinician on the team, a clinician on no team, one given an open task about the patient (and
once that task is closed), a coordinator and a clinic admin. Each test also says which objects that is, so two
rules that agreed on the wrong answer would still fail."""

import pytest
from django.utils import timezone

from clinic.access.medication_lines import may_see_medication_line, medication_lines_visible_to
from clinic.access.referrals import may_see_referral, referrals_visible_to
from clinic.access.schedules import may_see_schedule, schedules_visible_to
from clinic.access.tasks import may_see_task, tasks_visible_to
from clinic.models import Referral, TeamTask
from clinic.roles import Role
from clinic.services import create_task
from measures.models import MeasurementSchedule
from measures.scheduling import start_default_schedule
from medications.models import Medication
from tests.factories import referral_in_state
from tests.medications.medkit import add_line

pytestmark = pytest.mark.django_db

RULES = {
    "referrals": (Referral, referrals_visible_to, may_see_referral),
    "tasks": (TeamTask, tasks_visible_to, may_see_task),
    "schedules": (MeasurementSchedule, schedules_visible_to, may_see_schedule),
    "medication lines": (Medication, medication_lines_visible_to, may_see_medication_line),
}


def agreed(user, kind: str) -> set:
    """What the list rule holds, after checking that the single-object rule allows exactly that."""
    model, visible_to, may_see = RULES[kind]
    listed = set(visible_to(user))
    allowed = {row for row in model.objects.select_related("patient") if may_see(user, row)}
    assert listed == allowed, kind
    return listed


@pytest.fixture
def world(patient, physician, other_patient, other_team_lead):
    """Two patients, each with a referral, the default schedules, a medication line and a task for the team."""
    rows = {}
    for person, lead in ((patient, physician), (other_patient, other_team_lead)):
        rows[person] = {
            "referrals": {referral_in_state("sent", patient=person, by=lead)},
            "schedules": set(start_default_schedule(patient=person, start_on=timezone.localdate())),
            "medication lines": {add_line(person, lead, "gabapentin", 300, doses=3)},
            "tasks": {
                create_task(
                    title="Follow-up", source="other", source_key=f"rules:{person.pk}", patient=person, assignee=lead
                )
            },
        }
    return rows


def of(world, *patients, kind: str) -> set:
    return set().union(*(world[person][kind] for person in patients)) if patients else set()


@pytest.mark.parametrize("kind", ["referrals", "schedules", "medication lines", "tasks"])
def test_a_team_clinician_sees_their_patients_objects_only(world, physician, patient, kind):
    assert agreed(physician, kind) == of(world, patient, kind=kind)


@pytest.mark.parametrize("kind", ["referrals", "schedules", "medication lines", "tasks"])
def test_a_clinician_on_no_team_sees_none(world, outsider, kind):
    assert agreed(outsider, kind) == set()


@pytest.mark.parametrize("kind", ["referrals", "schedules", "medication lines", "tasks"])
@pytest.mark.parametrize("member", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_see_everyones(request, world, patient, other_patient, member, kind):
    user = request.getfixturevalue(member)
    assert agreed(user, kind) == of(world, patient, other_patient, kind=kind)


@pytest.mark.parametrize("kind", ["referrals", "schedules", "medication lines"])
def test_an_open_task_about_the_patient_shows_the_patients_objects_until_it_is_closed(world, outsider, patient, kind):
    task = create_task(
        title="Urgent: contact the patient", source="alert", source_key="rules:duty", patient=patient,
        assignee=outsider, priority=TeamTask.Priority.URGENT,
    )  # fmt: skip
    assert agreed(outsider, kind) == of(world, patient, kind=kind)
    task.mark_done(by=outsider)
    assert agreed(outsider, kind) == set()


def test_an_open_task_shows_every_task_about_that_patient_and_closing_it_hides_them_all(world, outsider, patient):
    task = create_task(
        title="Urgent: contact the patient", source="alert", source_key="rules:duty", patient=patient,
        assignee=outsider, priority=TeamTask.Priority.URGENT,
    )  # fmt: skip
    assert agreed(outsider, "tasks") == of(world, patient, kind="tasks") | {task}
    task.mark_done(by=outsider)
    assert agreed(outsider, "tasks") == set()


@pytest.fixture
def tasks_about_nobody(world, physician, psychologist, outsider):
    def about_nobody(key, **to):
        return create_task(title=key, source="other", source_key=f"nobody:{key}", **to)

    return {
        "physician's": about_nobody("physician's", assignee=physician),
        "psychologist's": about_nobody("psychologist's", assignee=psychologist),
        "outsider's": about_nobody("outsider's", assignee=outsider),
        "any clinician's": about_nobody("any clinician's", assignee_role=Role.CLINICIAN),
        "any coordinator's": about_nobody("any coordinator's", assignee_role=Role.COORDINATOR),
    }


def test_a_task_about_nobody_is_its_assignees_or_while_unassigned_its_roles(
    world, tasks_about_nobody, physician, outsider, patient
):
    nobody = tasks_about_nobody
    assert agreed(physician, "tasks") == of(world, patient, kind="tasks") | {
        nobody["physician's"],
        nobody["any clinician's"],
    }
    assert agreed(outsider, "tasks") == {nobody["outsider's"], nobody["any clinician's"]}


def test_a_task_about_nobody_given_to_a_person_leaves_the_roles_list(tasks_about_nobody, physician, psychologist):
    shared = tasks_about_nobody["any clinician's"]
    shared.reassign(to=psychologist, by=physician)
    assert shared not in agreed(physician, "tasks")
    assert shared in agreed(psychologist, "tasks")


@pytest.mark.parametrize("member", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_see_tasks_about_nobody_too(request, world, tasks_about_nobody, member):
    user = request.getfixturevalue(member)
    assert set(tasks_about_nobody.values()) <= agreed(user, "tasks")
    assert len(agreed(user, "tasks")) == TeamTask.objects.count()


@pytest.mark.parametrize("kind", ["referrals", "schedules", "medication lines", "tasks"])
def test_an_inactive_account_sees_nothing(world, physician, kind):
    physician.is_active = False
    assert agreed(physician, kind) == set()


def test_a_closed_task_about_a_teams_patient_stays_visible_to_the_team(world, physician, patient):
    task = next(iter(world[patient]["tasks"]))
    task.mark_done(by=physician, note="Booked.")
    assert task in agreed(physician, "tasks")
