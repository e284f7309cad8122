"""Team tasks and their history (clinic.models.TeamTask): created, done, reassigned, reopened, each one
event; a repeated action changes nothing; the access a task gives follows its assignee."""

import pytest
from django.http import Http404

from clinic.access import get_patient_for_user
from clinic.models import TeamTask, TeamTaskEvent
from clinic.roles import Role
from clinic.services import create_task

Kind = TeamTaskEvent.Kind


def make_task(patient=None, **kwargs):
    fields = dict(title="Phone about the sleep diary", source=TeamTask.Source.OTHER, source_key="t:1", patient=patient)
    return create_task(**(fields | kwargs))


def kinds(task) -> list[str]:
    return list(task.events.values_list("kind", flat=True))


def test_create_task_writes_the_created_event_once(physician, patient):
    task = make_task(patient, assignee=physician, by=physician, details="More words", link="/somewhere/")
    again = make_task(patient, assignee=physician, by=physician)
    assert again.pk == task.pk
    event = task.events.get()
    assert (event.kind, event.by, event.to_assignee, event.at) == (Kind.CREATED, physician, physician, task.created_at)
    assert (task.details, task.link) == ("More words", "/somewhere/")


def test_a_sweep_task_is_created_by_nobody_for_a_role(patient):
    task = make_task(patient, assignee_role=Role.COORDINATOR)
    event = task.events.get()
    assert (event.by, event.to_assignee, event.to_role) == (None, None, Role.COORDINATOR)
    assert task.assigned_to == "Any care coordinator"


def test_mark_done_closes_once_with_one_event(physician, patient):
    task = make_task(patient, assignee=physician)
    assert task.mark_done(by=physician, note="Called her back") is True
    assert task.mark_done(by=physician) is False
    task.refresh_from_db()
    assert (task.status, task.done_by) == (TeamTask.Status.DONE, physician)
    assert kinds(task) == [Kind.CREATED, Kind.DONE]
    assert task.events.last().note == "Called her back"


def test_reopen_opens_a_closed_task_again_once(physician, patient):
    task = make_task(patient, assignee=physician)
    assert task.reopen(by=physician) is False  # already open
    task.mark_done(by=physician)
    assert task.reopen(by=physician, note="She called again") is True
    assert task.reopen(by=physician) is False
    task.refresh_from_db()
    assert (task.status, task.done_at, task.done_by) == (TeamTask.Status.OPEN, None, None)
    assert kinds(task) == [Kind.CREATED, Kind.DONE, Kind.REOPENED]


def test_reassign_keeps_the_same_open_row_and_records_to_whom(physician, psychologist, coordinator, patient):
    task = make_task(patient, assignee=physician)
    assert task.reassign(to=psychologist, by=physician, note="Over to you") is True
    assert task.reassign(to=psychologist, by=physician) is False  # already theirs
    assert task.reassign(to_role=Role.COORDINATOR, by=psychologist) is True
    assert task.reassign(to_role=Role.COORDINATOR, by=coordinator) is False
    task.refresh_from_db()
    assert (task.status, task.assignee, task.assignee_role) == (TeamTask.Status.OPEN, None, Role.COORDINATOR)
    events = list(task.events.all())
    assert [e.kind for e in events] == [Kind.CREATED, Kind.REASSIGNED, Kind.REASSIGNED]
    assert (events[1].to_assignee, events[1].by, events[1].note) == (psychologist, physician, "Over to you")
    assert (events[2].to_assignee, events[2].to_role) == (None, Role.COORDINATOR)


def test_a_closed_task_cannot_be_reassigned(physician, psychologist, patient):
    task = make_task(patient, assignee=physician)
    task.mark_done(by=physician)
    assert task.reassign(to=psychologist, by=physician) is False
    assert kinds(task) == [Kind.CREATED, Kind.DONE]


def test_reassign_needs_a_person_or_a_role(physician, patient):
    task = make_task(patient, assignee=physician)
    with pytest.raises(ValueError):
        task.reassign(by=physician)
    with pytest.raises(ValueError):
        task.reassign(to=physician, to_role=Role.CLINICIAN, by=physician)


def test_handing_a_task_to_a_clinician_off_the_team_lets_them_open_the_chart_until_it_moves_on(
    coordinator, outsider, physician, patient
):
    task = make_task(patient, assignee_role=Role.COORDINATOR)
    with pytest.raises(Http404):
        get_patient_for_user(outsider, patient.public_id)
    task.reassign(to=outsider, by=coordinator)
    assert get_patient_for_user(outsider, patient.public_id) == patient
    task.reassign(to=physician, by=coordinator)
    with pytest.raises(Http404):
        get_patient_for_user(outsider, patient.public_id)


def test_most_pressing_first_puts_urgent_first_and_due_date_sorting_keeps_urgent_first_on_a_day(physician):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    make_task(title="normal today", source_key="a", assignee=physician, due_on=today)
    make_task(
        title="urgent tomorrow", source_key="b", assignee=physician, priority="urgent", due_on=today + timedelta(1)
    )
    make_task(title="high yesterday", source_key="c", assignee=physician, priority="high", due_on=today - timedelta(1))
    make_task(title="urgent today", source_key="d", assignee=physician, priority="urgent", due_on=today)
    pressing = [t.title for t in TeamTask.objects.most_pressing_first()]
    assert pressing == ["urgent today", "urgent tomorrow", "high yesterday", "normal today"]
    by_due = [t.title for t in TeamTask.objects.by_due_date()]
    assert by_due == ["high yesterday", "urgent today", "normal today", "urgent tomorrow"]
