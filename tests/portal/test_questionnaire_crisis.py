"""PHQ-9 item 9 above 0 in the portal: the alert and its urgent task are saved with the answer, and the very
next screen shows the crisis resources at the top (988, 911, the clinic), on every page after it to the end,
with the care team's reply honest about time (in clinic hours: today; after hours: the next opening)."""

import pytest
from django.conf import settings
from django.urls import reverse

from clinic.models import TeamTask
from measures.models import Alert, Response
from tests.clock import AFTER_HOURS_WORDS, IN_HOURS_WORDS, UNSAFE_MEANWHILE
from tests.portal.journey import (
    PEG_ANSWERS,
    PHQ9_LOW,
    answer_all,
    invite,
    open_link,
    question_url,
    review_url,
    send,
    start,
    tap,
)

HOME = reverse("portal:home")
THANKS = reverse("portal:thanks")
CARD = "Support is here for you, any time"


@pytest.fixture
def invited(patient):
    return invite(patient, codes=("phq9", "peg"))


@pytest.fixture
def opened(client, invited):
    open_link(client, invited[1])
    return client


@pytest.fixture
def phq9(opened, invited):
    return start(opened, invited[0], "phq9")


def text(response) -> str:
    return " ".join(response.content.decode().split())


def answer_up_to_item_9(client, phq9, item9):
    """Items 1-8 at 0, then item 9; returns the page that follows the item-9 answer."""
    for number in range(1, 9):
        tap(client, phq9, number, 0)
    return client.post(question_url(phq9, 9), {"answer": str(item9)}, follow=True)


def card_comes_first(page: str) -> bool:
    """The crisis card is at the top of the page, before its navigation and heading."""
    return CARD in page and page.index(CARD) < page.index('class="portal-nav"')


def test_the_very_next_screen_after_item_9_above_0_shows_the_crisis_resources_at_the_top(
    in_clinic_hours, opened, phq9, physician
):
    response = answer_up_to_item_9(opened, phq9, 1)
    assert response.redirect_chain[-1][0] == reverse("portal:question", args=[phq9.public_id, 10])
    html = response.content.decode()
    page = text(response)
    assert CARD in page and page.index(CARD) < page.index('id="question"')
    assert 'href="tel:988"' in html and 'href="sms:988"' in html and 'href="tel:911"' in html
    assert "555-0100" in page
    assert IN_HOURS_WORDS in page


def test_the_alert_and_urgent_task_exist_before_the_questionnaire_is_sent(in_clinic_hours, opened, phq9, physician):
    answer_up_to_item_9(opened, phq9, 2)
    alert = Alert.objects.get()
    assert (alert.kind, alert.task.priority, alert.task.assignee) == (
        Alert.Kind.SAFETY,
        TeamTask.Priority.URGENT,
        physician,
    )
    assert Response.objects.get(pk=phq9.pk).completed_at is None


def test_the_answer_the_alert_and_the_task_are_saved_together_or_not_at_all(opened, phq9, physician, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the task could not be created")

    monkeypatch.setattr("measures.services.raise_routed_task", broken)
    with pytest.raises(RuntimeError):
        tap(opened, phq9, 9, 1)
    assert Response.objects.get(pk=phq9.pk).answers == {}
    assert not Alert.objects.exists() and not TeamTask.objects.exists()


def test_the_crisis_resources_stay_on_every_page_to_the_end(in_clinic_hours, opened, invited, phq9, physician):
    answer_up_to_item_9(opened, phq9, 1)
    tap(opened, phq9, 10, 0)
    assert card_comes_first(text(opened.get(review_url(phq9))))
    send(opened, phq9)
    peg = Response.objects.get(invitation=invited[0], instrument__code="peg")
    page = text(opened.get(reverse("portal:question", args=[peg.public_id, 1])))
    assert CARD in page and page.index(CARD) < page.index('id="question"')  # the next questionnaire too
    assert CARD in text(opened.get(HOME))
    answer_all(opened, peg, PEG_ANSWERS)
    send(opened, peg)
    thanks = text(opened.get(THANKS))
    assert CARD in thanks and IN_HOURS_WORDS in thanks


def test_after_hours_the_patient_is_told_when_the_clinic_will_see_it_and_what_to_do_now(
    after_hours, opened, phq9, physician
):
    page = text(answer_up_to_item_9(opened, phq9, 3))
    assert AFTER_HOURS_WORDS in page and UNSAFE_MEANWHILE in page
    assert IN_HOURS_WORDS not in page
    assert f"at {settings.CLINIC_NAME} when we open:" in page  # nobody answers the clinic's phone at night


def test_nothing_changes_before_item_9_or_when_it_is_0(opened, phq9, physician):
    tap(opened, phq9, 1, 3)
    assert CARD not in text(opened.get(reverse("portal:question", args=[phq9.public_id, 2])))
    response = answer_up_to_item_9(opened, phq9, 0)
    assert CARD not in text(response)
    assert not Alert.objects.exists()


def test_changing_item_9_back_to_0_keeps_the_support_on_screen(in_clinic_hours, opened, phq9, physician):
    tap(opened, phq9, 9, 1)
    tap(opened, phq9, 9, 0)
    assert CARD in text(opened.get(review_url(phq9)))  # the team has been told: the card stays honest
    assert Alert.objects.count() == 1


def test_the_question_page_with_the_crisis_card_runs_a_bounded_number_of_queries(
    opened, phq9, physician, django_assert_max_num_queries
):
    tap(opened, phq9, 9, 1)
    with django_assert_max_num_queries(9):
        response = opened.get(reverse("portal:question", args=[phq9.public_id, 10]))
    assert CARD in text(response)


def test_saved_for_later_after_item_9_shows_the_resources_with_the_honest_reply(after_hours, opened, phq9, physician):
    tap(opened, phq9, 9, 1)
    page = text(opened.post(reverse("portal:later")))
    assert CARD in page and AFTER_HOURS_WORDS in page


def test_the_calm_page_without_a_session_shows_no_card(client, invited, phq9, physician):
    client.cookies.clear()
    assert CARD not in text(client.get(reverse("portal:question", args=[phq9.public_id, 10])))


def test_the_phq9_answers_still_send_and_score(in_clinic_hours, opened, invited, phq9, physician):
    answer_all(opened, phq9, {**PHQ9_LOW, "phq9_9": 1})
    send(opened, phq9)
    saved = Response.objects.get(pk=phq9.pk)
    assert (saved.total, saved.completed_at is not None) == (1, True)
