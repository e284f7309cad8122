"""Review, "Send my answers", the next questionnaire of the bundle, and the thank-you page with the
crisis resources (PHQ-9 item 9 above 0) and "your numbers"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import TeamTask
from measures.models import Alert, Invitation, Response
from measures.services import latest_instrument, save_answer, start_response, submit_response
from portal.models import PatientLink
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

THANKS = reverse("portal:thanks")
HOME = reverse("portal:home")
CLOSED = "This link is no longer open"
CRISIS = (
    "988",
    "Suicide &amp; Crisis Lifeline",
    "call 911",
    "555-0100",
    "someone from your care team will contact you",
)


@pytest.fixture
def invited(patient):
    return invite(patient)


@pytest.fixture
def invitation(invited):
    return invited[0]


@pytest.fixture
def opened(client, invited):
    open_link(client, invited[1])
    return client


def text(response) -> str:
    return " ".join(response.content.decode().split())


def crisis_card(page: str) -> bool:
    return "Support is here for you, any time" in page


def do_peg(client, invitation, answers=PEG_ANSWERS):
    peg = start(client, invitation, "peg")
    answer_all(client, peg, answers)
    return send(client, peg)


def do_phq9(client, invitation, answers):
    phq9 = Response.objects.get(invitation=invitation, instrument__code="phq9")
    answer_all(client, phq9, answers)
    return phq9, send(client, phq9)


# --------------------------------------------------------------------------- the whole journey


def test_the_patient_answers_peg_then_phq9_and_is_thanked(opened, invitation, patient, physician):
    # PEG: three taps, the review, and "Send my answers".
    peg = start(opened, invitation, "peg")
    answer_all(opened, peg, PEG_ANSWERS)
    review = text(opened.get(review_url(peg)))
    assert "You answered all 3 questions" in review
    assert 'Change<span class="visually-hidden"> your answer to question 2</span>' in review
    sent = send(opened, peg)

    # On to the PHQ-9, started for the patient, with a calm word that the PEG went.
    phq9 = Response.objects.get(invitation=invitation, instrument__code="phq9")
    assert sent["Location"] == question_url(phq9, 1)
    assert "Thank you! Your PEG answers are sent. Next: PHQ-9." in text(opened.get(sent["Location"]))

    answer_all(opened, phq9, PHQ9_LOW)
    assert "You answered all 10 questions" in text(opened.get(review_url(phq9)))
    done = send(opened, phq9)
    assert done["Location"] == THANKS

    page = text(opened.get(THANKS))
    assert "Thank you, Mari" in page
    assert not crisis_card(page)

    stored = {r.instrument.code: r for r in Response.objects.filter(invitation=invitation)}
    assert stored["peg"].answers == PEG_ANSWERS and stored["peg"].completed_at is not None
    assert float(stored["peg"].total) == 5.0
    assert stored["phq9"].answers == PHQ9_LOW and stored["phq9"].total == 0
    assert Invitation.objects.get(pk=invitation.pk).completed_at is not None
    assert not Alert.objects.exists()


def test_sending_is_audited_once_as_a_creation_by_the_patient(opened, invitation, patient):
    do_peg(opened, invitation)
    created = AuditEvent.objects.filter(action=Action.CREATE)
    assert list(created.values_list("actor", "patient", "target")) == [
        (None, patient.pk, "questionnaire PEG answers sent")
    ]


def test_the_review_lists_each_answer_with_a_change_link(opened, invitation):
    peg = start(opened, invitation, "peg")
    answer_all(opened, peg, PEG_ANSWERS)
    page = text(opened.get(review_url(peg)))
    for number in (1, 2, 3):
        assert f'href="{question_url(peg, number)}?then=review"' in page
    assert "Your answer: </span>6" in page
    assert "Krebs EE" in page  # attribution


def test_the_review_asks_for_the_missing_answers_first(opened, invitation):
    peg = start(opened, invitation, "peg")
    tap(opened, peg, 1, 3)
    page = text(opened.get(review_url(peg)))
    assert "You answered 1 of 3 questions" in page
    assert "Send my answers" not in page
    assert f'href="{question_url(peg, 2)}?then=review"' in page


def test_sending_with_answers_missing_goes_to_the_first_missing_question_and_sends_nothing(opened, invitation):
    peg = start(opened, invitation, "peg")
    tap(opened, peg, 1, 3)
    response = send(opened, peg)
    assert response["Location"] == question_url(peg, 2) + "?then=review"
    assert "please answer this question" in text(opened.get(response["Location"]))
    assert Response.objects.get(pk=peg.pk).completed_at is None
    assert Response.objects.get(pk=peg.pk).answers == {"peg_1": 3}


def test_a_sent_questionnaire_review_says_so_calmly(opened, invitation):
    do_peg(opened, invitation)
    peg = Response.objects.get(invitation=invitation, instrument__code="peg")
    response = opened.get(review_url(peg))
    assert response.status_code == 302
    assert "These answers were already sent. Thank you!" in text(opened.get(response["Location"]))


# --------------------------------------------------------------------------- double submission


def test_a_double_submit_creates_one_alert_and_one_task(opened, invitation, physician):
    do_peg(opened, invitation)
    phq9, first = do_phq9(opened, invitation, {**PHQ9_LOW, "phq9_9": 2})
    second = send(opened, phq9)
    assert first["Location"] == THANKS
    assert second["Location"] == THANKS  # the link has closed: the second tap lands on the thanks too
    assert Alert.objects.count() == 1
    assert TeamTask.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.CREATE, target="questionnaire PHQ-9 answers sent").count() == 1
    assert crisis_card(text(opened.get(THANKS)))


def test_a_double_submit_of_the_first_questionnaire_sends_it_once(opened, invitation):
    peg = start(opened, invitation, "peg")
    answer_all(opened, peg, PEG_ANSWERS)
    first, second = send(opened, peg), send(opened, peg)
    assert first["Location"] == second["Location"]
    completed_at = Response.objects.get(pk=peg.pk).completed_at
    assert completed_at is not None
    assert Response.objects.filter(invitation=invitation).count() == 2


# --------------------------------------------------------------------------- crisis resources


def test_crisis_resources_show_when_item_9_is_above_0(in_clinic_hours, opened, invitation, physician):
    do_peg(opened, invitation)
    do_phq9(opened, invitation, {**PHQ9_LOW, "phq9_9": 1})
    page = text(opened.get(THANKS))
    assert crisis_card(page)
    card = page[page.index("Support is here for you") :]
    for words in CRISIS:
        assert words.lower() in card.lower()
    assert 'href="tel:988"' in page and 'href="sms:988"' in page and 'href="tel:911"' in page
    alert = Alert.objects.get()
    assert (alert.kind, alert.task.assignee, alert.task.priority) == (
        Alert.Kind.SAFETY,
        physician,
        TeamTask.Priority.URGENT,
    )


@pytest.mark.parametrize("others", [0, 3])
def test_crisis_resources_do_not_show_when_item_9_is_0(opened, invitation, physician, others):
    do_peg(opened, invitation)
    do_phq9(opened, invitation, {**{f"phq9_{n}": others for n in range(1, 9)}, "phq9_9": 0, "phq9_difficulty": 2})
    page = text(opened.get(THANKS))
    assert not crisis_card(page)
    assert not Alert.objects.filter(kind=Alert.Kind.SAFETY).exists()


def test_a_severe_phq9_without_item_9_gets_a_review_task_but_no_crisis_card(opened, invitation, physician):
    do_peg(opened, invitation)
    do_phq9(opened, invitation, {**{f"phq9_{n}": 3 for n in range(1, 9)}, "phq9_9": 0, "phq9_difficulty": 3})
    assert list(Alert.objects.values_list("kind", flat=True)) == [Alert.Kind.SEVERE]
    assert not crisis_card(text(opened.get(THANKS)))


def test_item_9_above_0_alerts_even_when_the_patient_stops_before_sending(opened, invitation, physician):
    do_peg(opened, invitation)
    phq9 = Response.objects.get(invitation=invitation, instrument__code="phq9")
    tap(opened, phq9, 9, 1)  # answered first, everything else still missing
    later = text(opened.post(reverse("portal:later")))
    assert "Your answers are saved" in later
    assert crisis_card(later)
    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.SAFETY and alert.task.priority == TeamTask.Priority.URGENT
    assert Response.objects.get(pk=phq9.pk).completed_at is None


def test_the_crisis_words_are_calm_and_never_blaming(opened, invitation, physician):
    do_peg(opened, invitation)
    do_phq9(opened, invitation, {**PHQ9_LOW, "phq9_9": 3})
    page = text(opened.get(THANKS)).lower()
    for words in ("nothing wrong with you", "live with it", "nothing can be done", "you should", "you must"):
        assert words not in page


# --------------------------------------------------------------------------- your numbers


def past_response(patient, code, answers, days_ago):
    response = start_response(patient=patient, instrument=latest_instrument(code))
    for item, value in answers.items():
        response = save_answer(response=response, item_code=item, value=value)
    submit_response(response=response)
    Response.objects.filter(pk=response.pk).update(completed_at=timezone.now() - timedelta(days=days_ago))


def test_your_numbers_compare_this_time_with_the_first_time_in_plain_words(opened, invitation, patient, physician):
    past_response(patient, "peg", {"peg_1": 9, "peg_2": 9, "peg_3": 9}, days_ago=90)
    past_response(patient, "peg", {"peg_1": 2, "peg_2": 2, "peg_3": 2}, days_ago=30)  # not the baseline
    past_response(patient, "phq9", {**PHQ9_LOW, "phq9_1": 1}, days_ago=60)
    do_peg(opened, invitation)  # 6, 5, 4: a mean of 5, lower than the 9 at the start
    do_phq9(opened, invitation, {**PHQ9_LOW, "phq9_1": 2, "phq9_2": 1})  # 3, higher than the 1 at the start
    page = text(opened.get(THANKS))
    assert "Your numbers" in page
    assert "Your pain&#x27;s effect on daily life is lower than when you started." in page
    assert "Your score for low mood is higher than when you started." in page
    assert "Numbers go up and down from week to week." in page


def test_a_first_time_shows_no_numbers(opened, invitation):
    do_peg(opened, invitation)
    do_phq9(opened, invitation, PHQ9_LOW)
    assert "Your numbers" not in text(opened.get(THANKS))


@pytest.mark.parametrize("history", [1, 40])
def test_the_thank_you_page_runs_a_bounded_number_of_queries(
    opened, invitation, patient, history, django_assert_max_num_queries
):
    for days_ago in range(history):
        past_response(patient, "peg", {"peg_1": 7, "peg_2": 7, "peg_3": 7}, days_ago=100 + days_ago)
    do_peg(opened, invitation)
    do_phq9(opened, invitation, PHQ9_LOW)
    with django_assert_max_num_queries(8):
        page = text(opened.get(THANKS))
    assert "lower than when you started" in page


# --------------------------------------------------------------------------- the link closes


def test_a_completed_invitation_closes_the_link_but_not_the_patients_session(opened, invited, invitation):
    do_peg(opened, invitation)
    do_phq9(opened, invitation, PHQ9_LOW)
    assert PatientLink.objects.get(pk=invitation.link_id).completed_at is not None
    assert "Nothing to fill in right now" in text(opened.get(HOME))  # signed in still: nothing left to answer
    assert CLOSED in text(opened.get(reverse("portal:open", args=[invited[1]])))
    opened.cookies.clear()  # another browser: the completed link signs no one in
    open_link(opened, invited[1])
    assert CLOSED in text(opened.get(HOME))


def test_the_thank_you_page_needs_this_browser_to_have_finished(client, opened, invited, invitation):
    do_peg(opened, invitation)
    do_phq9(opened, invitation, PHQ9_LOW)
    client.cookies.clear()
    assert CLOSED in text(client.get(THANKS))


def test_the_thank_you_page_is_not_shown_before_the_invitation_is_complete(opened, invitation):
    do_peg(opened, invitation)
    assert CLOSED in text(opened.get(THANKS))


def test_the_thank_you_page_is_audited_as_the_patient(opened, invitation, patient):
    do_peg(opened, invitation)
    do_phq9(opened, invitation, PHQ9_LOW)
    opened.get(THANKS)
    event = AuditEvent.objects.order_by("id").last()
    assert (event.actor, event.patient, event.action, event.target) == (None, patient, Action.VIEW, "thank-you page")


# --------------------------------------------------------------------------- save and finish later


def test_save_and_finish_later_keeps_the_answers_and_ends_the_session(opened, invitation):
    peg = start(opened, invitation, "peg")
    tap(opened, peg, 1, 4)
    page = text(opened.post(reverse("portal:later")))
    assert "Your answers are saved" in page
    assert "open the same link we sent you again" in page
    assert not crisis_card(page)
    assert CLOSED in text(opened.get(HOME))
    assert Response.objects.get(pk=peg.pk).answers == {"peg_1": 4}
    assert PatientLink.objects.get(pk=invitation.link_id).is_usable()
