"""One question per screen: /p/q/<response public id>/<number>/. Each tap is a plain form POST that
saves the answer at once and moves on; only the patient's own invitation's responses are reachable."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import TeamTask
from measures.models import Alert, Response
from measures.services import latest_instrument, save_answer, start_response, submit_response
from tests.portal.journey import PHQ9_LOW, invite, open_link, question_url, review_url, start, tap


@pytest.fixture
def invited(patient):
    return invite(patient)


@pytest.fixture
def opened(client, invited):
    open_link(client, invited[1])
    return client


@pytest.fixture
def phq9(opened, invited):
    return start(opened, invited[0], "phq9")


@pytest.fixture
def peg(opened, invited):
    return start(opened, invited[0], "peg")


def text(response) -> str:
    return " ".join(response.content.decode().split())


def answers(response) -> dict:
    return Response.objects.get(pk=response.pk).answers


# --------------------------------------------------------------------------- the page


def test_it_shows_the_stem_the_question_and_the_frequency_options_as_buttons(opened, phq9):
    page = text(opened.get(question_url(phq9, 1)))
    assert "Over the last 2 weeks, how often have you been bothered by any of the following problems?" in page
    assert '<h1 id="question" class="portal-item" lang="en">Little interest or pleasure in doing things</h1>' in page
    for value, label in enumerate(["Not at all", "Several days", "More than half the days", "Nearly every day"]):
        assert f'name="answer" value="{value}"' in page
        assert label in page
    assert 'class="portal-options"' in page


def test_it_shows_progress_as_a_real_progress_bar(opened, phq9):
    page = text(opened.get(question_url(phq9, 3)))
    assert '<label for="progress">Question 3 of 10</label>' in page
    assert '<progress id="progress" max="10" value="3"></progress>' in page
    assert "part 2 of 2" in page


def test_the_difficulty_item_stands_alone_without_the_stem(opened, phq9):
    page = text(opened.get(question_url(phq9, 10)))
    assert "If you checked off any problems" in page
    assert "Over the last 2 weeks" not in page


def test_a_0_to_10_scale_is_a_grid_of_11_buttons_with_both_ends_labelled(opened, peg):
    page = text(opened.get(question_url(peg, 1)))
    assert 'class="portal-scale"' in page
    assert all(f'name="answer" value="{value}"' in page for value in range(11))
    assert "0 = No pain" in page
    assert "10 = Pain as bad as you can imagine" in page


def test_it_shows_the_attribution_under_the_question(opened, phq9):
    assert "Developed by Drs. Robert L. Spitzer" in text(opened.get(question_url(phq9, 1)))


def test_it_offers_back_and_save_and_finish_later(opened, phq9):
    page = text(opened.get(question_url(phq9, 3)))
    assert f'href="{question_url(phq9, 2)}"' in page
    assert f'action="{reverse("portal:later")}"' in page
    assert "Save and finish later" in page
    first = text(opened.get(question_url(phq9, 1)))
    assert f'href="{reverse("portal:home")}"' in first


def test_each_question_page_view_is_audited_as_the_patient(opened, phq9, patient):
    before = AuditEvent.objects.count()
    opened.get(question_url(phq9, 1))
    event = AuditEvent.objects.order_by("id").last()
    assert AuditEvent.objects.count() == before + 1
    assert (event.actor, event.patient, event.action, event.target) == (
        None,
        patient,
        Action.VIEW,
        "questionnaire PHQ-9",
    )


# --------------------------------------------------------------------------- answering


def test_a_tap_saves_the_answer_at_once_and_goes_to_the_next_question(opened, phq9):
    response = tap(opened, phq9, 1, 2)
    assert response.status_code == 302
    assert response["Location"] == question_url(phq9, 2)
    assert answers(phq9) == {"phq9_1": 2}


def test_the_last_tap_goes_to_the_review(opened, peg):
    response = tap(opened, peg, 3, 4)
    assert response["Location"] == review_url(peg)


def test_going_back_shows_the_answer_given_as_selected_and_keeps_it(opened, phq9):
    tap(opened, phq9, 1, 2)
    tap(opened, phq9, 2, 1)
    page = text(opened.get(question_url(phq9, 1)))
    assert 'value="2" aria-pressed="true"' in page
    assert 'value="0" aria-pressed="false"' in page
    assert "(your answer)" in page
    assert answers(phq9) == {"phq9_1": 2, "phq9_2": 1}


def test_changing_an_answer_keeps_the_others(opened, phq9):
    tap(opened, phq9, 1, 2)
    tap(opened, phq9, 2, 1)
    tap(opened, phq9, 1, 0)
    assert answers(phq9) == {"phq9_1": 0, "phq9_2": 1}


def test_a_change_from_the_review_returns_to_the_review(opened, phq9):
    response = tap(opened, phq9, 4, 3, then="review")
    assert response["Location"] == review_url(phq9)
    page = text(opened.get(question_url(phq9, 4) + "?then=review"))
    assert f'href="{review_url(phq9)}"' in page
    assert 'name="then" value="review"' in page


def test_answers_are_there_when_the_link_is_opened_again_later(client, invited, phq9):
    tap(client, phq9, 1, 3)
    tap(client, phq9, 2, 2)
    client.post(reverse("portal:later"))
    assert b"This link is no longer open" in client.get(question_url(phq9, 3)).content
    open_link(client, invited[1])
    response = client.get(reverse("portal:resume", args=[phq9.public_id]))
    assert response["Location"] == question_url(phq9, 3)
    assert answers(phq9) == {"phq9_1": 3, "phq9_2": 2}


@pytest.mark.parametrize("value", ["7", "-1", "1.5", "abc", "", "1e3", "99999999999999999999"])
def test_an_answer_that_is_not_an_option_gets_a_calm_message_and_loses_nothing(opened, phq9, value):
    tap(opened, phq9, 1, 2)
    response = tap(opened, phq9, 2, value)
    assert response.status_code == 400
    page = text(response)
    assert "Please choose one of the answers shown. Your other answers are saved." in page
    assert "Feeling down, depressed, or hopeless" in page
    assert answers(phq9) == {"phq9_1": 2}


def test_a_post_without_an_answer_gets_the_calm_message(opened, phq9):
    response = opened.post(question_url(phq9, 1), {})
    assert response.status_code == 400
    assert answers(phq9) == {}


def test_a_question_number_the_questionnaire_does_not_have_is_not_found(opened, peg):
    assert opened.get(question_url(peg, 4)).status_code == 404
    assert tap(opened, peg, 0, 1).status_code == 404
    assert answers(peg) == {}


def test_a_tap_on_a_sent_questionnaire_changes_nothing_and_says_so_calmly(opened, peg):
    for number in (1, 2, 3):
        tap(opened, peg, number, 5)
    opened.post(review_url(peg))
    response = tap(opened, peg, 1, 0)
    assert response.status_code == 302
    assert answers(peg) == {"peg_1": 5, "peg_2": 5, "peg_3": 5}
    follow = opened.get(response["Location"])
    assert "These answers were already sent. Thank you!" in text(follow)


# --------------------------------------------------------------------------- whose response


def test_another_patients_response_is_not_found(opened, other_patient):
    theirs = start_response(
        patient=other_patient, instrument=latest_instrument("phq9"), invitation=invite(other_patient)[0]
    )
    assert opened.get(question_url(theirs, 1)).status_code == 404
    assert tap(opened, theirs, 1, 3).status_code == 404
    assert opened.post(review_url(theirs)).status_code == 404
    assert Response.objects.get(pk=theirs.pk).answers == {}


def test_a_response_from_another_invitation_of_the_same_patient_is_not_found(opened, patient):
    earlier = invite(patient, due_on=timezone.localdate() - timedelta(days=14))[0]
    theirs = start_response(patient=patient, instrument=latest_instrument("phq9"), invitation=earlier)
    assert opened.get(question_url(theirs, 1)).status_code == 404
    assert tap(opened, theirs, 1, 3).status_code == 404
    assert Response.objects.get(pk=theirs.pk).answers == {}


def test_a_response_with_no_invitation_is_not_found(opened, patient):
    kiosk = start_response(patient=patient, instrument=latest_instrument("phq9"))
    assert opened.get(question_url(kiosk, 1)).status_code == 404


def test_the_not_found_page_is_the_portals_own_calm_page(opened, other_patient):
    theirs = start_response(patient=other_patient, instrument=latest_instrument("peg"))
    page = text(opened.get(question_url(theirs, 1)))
    assert "We could not find that page" in page
    assert "Nothing you did is wrong" in page
    assert "Tom" not in page


def test_without_a_patient_session_a_question_shows_the_calm_closed_page(client, invited, patient):
    response = start_response(patient=patient, instrument=latest_instrument("peg"), invitation=invited[0])
    page = client.get(question_url(response, 1))
    assert b"This link is no longer open" in page.content
    assert tap(client, response, 1, 3).status_code == 200
    assert Response.objects.get(pk=response.pk).answers == {}


# --------------------------------------------------------------------------- safety


def test_item_9_above_0_alerts_at_once_with_an_urgent_task_for_the_lead(opened, phq9, physician):
    tap(opened, phq9, 9, 1)
    alert = Alert.objects.get()
    assert (alert.kind, alert.response_id, alert.acknowledged_at) == (Alert.Kind.SAFETY, phq9.pk, None)
    assert (alert.task.assignee, alert.task.priority) == (physician, TeamTask.Priority.URGENT)
    assert Response.objects.get(pk=phq9.pk).completed_at is None


def test_item_9_at_0_raises_nothing(opened, phq9, physician):
    tap(opened, phq9, 9, 0)
    assert not Alert.objects.exists() and not TeamTask.objects.exists()


def test_answering_item_9_again_raises_one_alert(opened, phq9, physician):
    tap(opened, phq9, 9, 1)
    tap(opened, phq9, 9, 2)
    assert Alert.objects.count() == 1 and TeamTask.objects.count() == 1


def test_other_answers_raise_no_alert_before_sending(opened, phq9, physician):
    for number in range(1, 9):
        tap(opened, phq9, number, 3)  # a severe total, but nothing is judged until it is sent
    assert not Alert.objects.exists()


# --------------------------------------------------------------------------- constant queries


def past_responses(patient, count):
    instrument = latest_instrument("phq9")
    for _ in range(count):
        response = start_response(patient=patient, instrument=instrument)
        for code, value in PHQ9_LOW.items():
            response = save_answer(response=response, item_code=code, value=value)
        submit_response(response=response)


@pytest.mark.parametrize("history", [1, 40])
def test_the_question_page_runs_a_bounded_number_of_queries(
    opened, phq9, patient, history, django_assert_max_num_queries
):
    past_responses(patient, history)
    tap(opened, phq9, 1, 1)
    with django_assert_max_num_queries(8):
        response = opened.get(question_url(phq9, 2))
    assert response.status_code == 200


@pytest.mark.parametrize("history", [1, 40])
def test_an_answer_runs_a_bounded_number_of_queries(opened, phq9, patient, history, django_assert_max_num_queries):
    past_responses(patient, history)
    with django_assert_max_num_queries(12):
        response = tap(opened, phq9, 3, 1)
    assert response.status_code == 302
