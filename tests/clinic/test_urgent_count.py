"""The top bar's urgent count (clinic.worklists.urgent_task_count, hand-written SQL for speed) says exactly what
the worklist's urgent section holds (tasks_for(user).urgent()), for every kind of task and person."""

import pytest

from clinic.models import TeamTask
from clinic.roles import Role
from clinic.worklists import tasks_for, urgent_task_count
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URGENT, OPEN = TeamTask.Priority.URGENT, TeamTask.Status.OPEN


def task(**fields) -> TeamTask:
    fields = {"title": "Call back", "priority": URGENT, "source": TeamTask.Source.ALERT, **fields}
    return TeamTask.objects.create(**fields)


def both(user) -> tuple[int, int]:
    return urgent_task_count(user, cap=100), tasks_for(user).urgent().count()


def test_the_count_matches_the_worklist_for_every_kind_of_urgent_task(physician, psychologist, coordinator, patient):
    elsewhere = PatientFactory()  # no one of the cast is on this patient's team
    task(patient=patient, assignee=physician)  # theirs
    task(patient=elsewhere, assignee=physician)  # theirs, about a patient they see through it
    task(patient=elsewhere, assignee_role=Role.CLINICIAN)  # any clinician, seen through the task above
    task(patient=patient, assignee_role=Role.CLINICIAN)  # any clinician, about their team's patient
    task(patient=PatientFactory(), assignee_role=Role.CLINICIAN)  # another team's: not theirs
    task(assignee_role=Role.CLINICIAN)  # about nobody: every clinician's
    task(patient=patient, assignee_role=Role.COORDINATOR)  # the coordinators'
    task(patient=patient, assignee=psychologist)  # a colleague's
    task(patient=patient, assignee=physician, priority=TeamTask.Priority.HIGH)  # not urgent
    task(patient=patient, assignee=physician, status=TeamTask.Status.DONE)  # done
    for person in (physician, psychologist, coordinator):
        counted, listed = both(person)
        assert counted == listed, person.username
    assert both(physician) == (5, 5)
    assert both(coordinator)[0] == 5  # every unassigned task, of every role: they route them


def test_the_count_stops_at_the_cap(physician, patient):
    for _ in range(4):
        task(patient=patient, assignee=physician)
    assert urgent_task_count(physician, cap=3) == 3


def test_an_inactive_person_has_none(physician, patient):
    task(patient=patient, assignee=physician)
    physician.is_active = False
    assert urgent_task_count(physician, cap=100) == 0
