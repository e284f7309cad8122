import pytest
from django.db import transaction

from clinic.models import TeamTask
from measures.models import Alert, Response
from measures.services import AnswerRefused, latest_instrument, save_answer, start_response, submit_response
from tests.factories import PatientFactory, put_on_duty

PHQ9_CALM = {f"phq9_{n}": 0 for n in range(1, 10)}


@pytest.fixture
def phq9_response(patient, physician):
    return start_response(patient=patient, instrument=latest_instrument("phq9"))


def answer_all(response, answers):
    for code, value in answers.items():
        response = save_answer(response=response, item_code=code, value=value)
    return response


def test_it_saves_each_answer_as_it_is_given(phq9_response):
    save_answer(response=phq9_response, item_code="phq9_1", value=2)
    save_answer(response=phq9_response, item_code="phq9_2", value=1)
    assert Response.objects.get(pk=phq9_response.pk).answers == {"phq9_1": 2, "phq9_2": 1}


def test_it_refuses_an_answer_that_is_not_an_option_and_keeps_the_others(phq9_response):
    save_answer(response=phq9_response, item_code="phq9_1", value=2)
    with pytest.raises(AnswerRefused, match="choose one of the answers"):
        save_answer(response=phq9_response, item_code="phq9_2", value=7)
    assert Response.objects.get(pk=phq9_response.pk).answers == {"phq9_1": 2}


def test_it_scores_and_stores_the_score_with_the_instrument_version(phq9_response):
    answer_all(phq9_response, {**PHQ9_CALM, "phq9_1": 3, "phq9_2": 3, "phq9_3": 3, "phq9_4": 3, "phq9_5": 3})
    submission = submit_response(response=phq9_response)
    stored = Response.objects.get(pk=phq9_response.pk)
    assert (stored.total, stored.band, stored.valid) == (15, "moderately severe", True)
    assert stored.instrument.version == "PHQ-9 (Kroenke 2001)"
    assert submission.alerts == [] and not submission.needs_crisis_resources


def test_it_alerts_on_item_9_whatever_the_total_with_an_urgent_task_for_the_lead(phq9_response, physician):
    answer_all(phq9_response, {**PHQ9_CALM, "phq9_9": 1})
    submission = submit_response(response=phq9_response)
    assert submission.needs_crisis_resources
    alert = Alert.objects.get(response=phq9_response)
    assert alert.kind == Alert.Kind.SAFETY
    assert (alert.task.assignee, alert.task.priority) == (physician, TeamTask.Priority.URGENT)


def test_it_alerts_on_item_9_even_when_other_answers_are_missing(phq9_response, physician):
    save_answer(response=phq9_response, item_code="phq9_9", value=2)
    submission = submit_response(response=phq9_response)
    assert submission.response.total is None and "incomplete" in submission.response.flags
    assert [a.kind for a in submission.alerts] == [Alert.Kind.SAFETY]


def test_a_retried_submission_creates_one_alert_and_one_task(phq9_response, physician):
    answer_all(phq9_response, {**PHQ9_CALM, "phq9_9": 3})
    submit_response(response=phq9_response)
    submit_response(response=phq9_response)
    assert Alert.objects.count() == 1
    assert TeamTask.objects.count() == 1


def test_the_alert_is_written_in_the_same_transaction_as_the_answer(phq9_response, physician):
    with pytest.raises(RuntimeError), transaction.atomic():
        save_answer(response=phq9_response, item_code="phq9_9", value=1)
        raise RuntimeError("the request failed after the answer was saved")
    assert not Alert.objects.exists() and not TeamTask.objects.exists()
    assert Response.objects.get(pk=phq9_response.pk).answers == {}


def test_a_severe_score_alert_is_written_in_the_same_transaction_as_the_submission(patient, physician):
    response = start_response(patient=patient, instrument=latest_instrument("gad7"))
    answer_all(response, {f"gad7_{n}": 3 for n in range(1, 8)})
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_response(response=response)
        raise RuntimeError("the request failed after scoring")
    assert not Alert.objects.exists() and not TeamTask.objects.exists()
    assert Response.objects.get(pk=response.pk).completed_at is None


def test_a_severe_band_creates_a_review_task_for_the_on_duty_clinician_when_there_is_no_lead(db, outsider):
    put_on_duty(outsider)
    response = start_response(patient=PatientFactory(), instrument=latest_instrument("gad7"))
    answer_all(response, {f"gad7_{n}": 3 for n in range(1, 8)})
    submission = submit_response(response=response)
    assert [a.kind for a in submission.alerts] == [Alert.Kind.SEVERE]
    assert (submission.alerts[0].task.assignee, submission.alerts[0].task.priority) == (outsider, "high")


def test_an_item_9_answer_alerts_the_moment_it_is_saved_even_if_never_sent(phq9_response, physician):
    save_answer(response=phq9_response, item_code="phq9_9", value=1)
    alert = Alert.objects.get(response=phq9_response)
    assert alert.kind == Alert.Kind.SAFETY and alert.task.priority == TeamTask.Priority.URGENT
    assert Response.objects.get(pk=phq9_response.pk).completed_at is None


def test_sending_after_an_item_9_answer_does_not_alert_twice(phq9_response, physician):
    answer_all(phq9_response, {**PHQ9_CALM, "phq9_9": 2})
    submit_response(response=phq9_response)
    assert Alert.objects.filter(kind=Alert.Kind.SAFETY).count() == 1
    assert TeamTask.objects.count() == 1


def test_screens_and_bands_wait_until_the_answers_are_sent(patient, physician):
    response = start_response(patient=patient, instrument=latest_instrument("gad7"))
    answer_all(response, {f"gad7_{n}": 3 for n in range(1, 8)})
    assert not Alert.objects.exists()
    submit_response(response=response)
    assert list(Alert.objects.values_list("kind", flat=True)) == [Alert.Kind.SEVERE]


@pytest.mark.parametrize("total_answers, alerts", [((1, 1, 0), []), ((1, 1, 1), [Alert.Kind.POSITIVE_SCREEN])])
def test_an_audit_c_with_no_sex_recorded_is_reviewed_from_the_lowest_cut_off(patient, physician, total_answers, alerts):
    response = start_response(patient=patient, instrument=latest_instrument("auditc"))
    answer_all(response, dict(zip(("auditc_1", "auditc_2", "auditc_3"), total_answers, strict=True)))
    submission = submit_response(response=response)
    assert submission.response.positive is None  # the screen itself cannot be called without sex
    assert [alert.kind for alert in submission.alerts] == alerts


def test_an_audit_c_with_sex_recorded_uses_its_own_cut_off(patient, physician):
    response = start_response(patient=patient, instrument=latest_instrument("auditc"))
    answer_all(response, {"auditc_1": 1, "auditc_2": 1, "auditc_3": 1})
    submission = submit_response(response=response, context={"sex": "male"})
    assert submission.response.positive is False and submission.alerts == []
