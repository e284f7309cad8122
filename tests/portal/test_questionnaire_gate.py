"""PC-PTSD-5 in the portal (REFERENCE.md 1.5): after "No" to the exposure question the screen stops. Items
1-5 are not asked, not listed for review, not counted as missing, and the response scores 0."""

import pytest
from django.urls import reverse

from measures.models import Response
from tests.portal.journey import invite, open_link, question_url, review_url, send, start, tap

YES, NO = 1, 0
HOME = reverse("portal:home")


@pytest.fixture
def invited(patient):
    return invite(patient, codes=("pcptsd5", "peg"))


@pytest.fixture
def opened(client, invited):
    open_link(client, invited[1])
    return client


@pytest.fixture
def ptsd(opened, invited):
    return start(opened, invited[0], "pcptsd5")


def text(response) -> str:
    return " ".join(response.content.decode().split())


def fresh(response) -> Response:
    return Response.objects.get(pk=response.pk)


def test_no_to_the_exposure_question_goes_straight_to_the_review(opened, ptsd):
    response = tap(opened, ptsd, 1, NO)
    assert response["Location"] == review_url(ptsd)
    page = text(opened.get(review_url(ptsd)))
    assert "That is all the questions for this part" in page
    assert "Had nightmares about the event(s)" not in page
    assert "Not answered yet" not in page and "Send my answers" in page


def test_the_items_after_no_are_not_asked_even_by_address(opened, ptsd):
    tap(opened, ptsd, 1, NO)
    for number in range(2, 7):
        assert opened.get(question_url(ptsd, number))["Location"] == review_url(ptsd)
    assert tap(opened, ptsd, 3, YES)["Location"] == review_url(ptsd)  # a stale page: nothing saved
    assert fresh(ptsd).answers == {"pcptsd5_exposure": NO}


def test_sending_after_no_scores_0_with_nothing_missing(opened, invited, ptsd):
    tap(opened, ptsd, 1, NO)
    send(opened, ptsd)
    saved = fresh(ptsd)
    assert (saved.total, saved.valid, saved.positive, saved.completed_at is not None) == (0, True, False, True)
    assert "incomplete" not in saved.flags


def test_yes_asks_the_five_items_in_order(opened, ptsd):
    assert tap(opened, ptsd, 1, YES)["Location"] == question_url(ptsd, 2)
    for number in range(2, 6):
        assert tap(opened, ptsd, number, YES)["Location"] == question_url(ptsd, number + 1)
    assert tap(opened, ptsd, 6, NO)["Location"] == review_url(ptsd)
    send(opened, ptsd)
    assert (fresh(ptsd).total, fresh(ptsd).positive) == (4, True)


def test_changing_no_to_yes_from_the_review_asks_the_items_then(opened, ptsd):
    tap(opened, ptsd, 1, NO)
    response = opened.post(question_url(ptsd, 1), {"answer": str(YES), "then": "review"})
    assert response["Location"] == f"{question_url(ptsd, 2)}?then=review"
    page = text(opened.get(review_url(ptsd)))
    assert "You answered 1 of 6 questions" in page


def test_changing_yes_to_no_leaves_the_earlier_answers_out_of_the_score(opened, ptsd):
    tap(opened, ptsd, 1, YES)
    for number in range(2, 7):
        tap(opened, ptsd, number, YES)
    tap(opened, ptsd, 1, NO)
    send(opened, ptsd)
    assert (fresh(ptsd).total, fresh(ptsd).valid) == (0, True)


def test_the_home_page_counts_only_the_questions_asked(opened, ptsd):
    assert "Not started. 6 questions" in text(opened.get(HOME))
    tap(opened, ptsd, 1, NO)
    assert "1 of 1 answered" in text(opened.get(HOME))
