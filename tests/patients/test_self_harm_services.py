"""The safety net for self-harm words (patients/self_harm_services.py): an urgent task for a named person by
the routing chain, told outside the app, once per saved text, with no patient words anywhere in it."""

import pytest

from clinic.models import OutboxMessage, TeamTask
from patients.self_harm_services import CHECKIN, INTAKE, NOTHING, check_patient_text, raised_for
from tests.factories import mark_away, put_on_duty


def test_ordinary_words_raise_nothing(patient, physician):
    assert check_patient_text(patient=patient, texts=["My back is killing me"], where=CHECKIN, key="a") is NOTHING
    assert not TeamTask.objects.exists()


def test_self_harm_words_raise_an_urgent_task_for_the_lead_told_outside_the_app(patient, physician):
    check = check_patient_text(patient=patient, texts=["", "I want to end my life"], where=CHECKIN, key="a")
    assert check.matched and check.new
    task = check.task
    assert (task.assignee, task.priority, task.source, task.source_key) == (
        physician,
        TeamTask.Priority.URGENT,
        TeamTask.Source.ALERT,
        "self-harm:checkin:a",
    )
    assert task.escalate_at is not None
    message = OutboxMessage.objects.get(staff=physician)
    for where in (task.title, task.details, message.subject, message.body):
        assert "end my life" not in where


def test_the_same_text_saved_again_raises_nothing_new(patient, physician):
    first = check_patient_text(patient=patient, texts=["I feel suicidal"], where=INTAKE, key="x:life")
    second = check_patient_text(patient=patient, texts=["I feel suicidal today"], where=INTAKE, key="x:life")
    assert (first.new, second.new, second.matched) == (True, False, True)
    assert second.task == first.task and TeamTask.objects.count() == 1


def test_with_the_lead_away_it_goes_to_the_clinician_on_duty(patient, physician, outsider):
    mark_away(physician)
    put_on_duty(outsider)
    check = check_patient_text(patient=patient, texts=["thoughts of harming myself"], where=CHECKIN, key="b")
    assert check.task.assignee == outsider


@pytest.mark.parametrize(("open_only", "found"), [(False, True), (True, False)])
def test_it_says_whether_such_a_task_was_raised_and_is_still_open(patient, physician, open_only, found):
    task = check_patient_text(patient=patient, texts=["suicide"], where=CHECKIN, key="c").task
    TeamTask.objects.filter(pk=task.pk).update(status=TeamTask.Status.DONE)
    assert raised_for(patient_id=patient.id, where=CHECKIN, open_only=open_only) is found
    assert not raised_for(patient_id=patient.id, where=INTAKE)
