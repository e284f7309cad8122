"""The portal home with an invitation: the due questionnaires in order, each with its state, a big
Start/Continue button, an honest time estimate and why we ask."""

import pytest
from django.urls import reverse

from audit.models import Action
from measures.models import Response
from portal.services import issue_link
from tests.portal.journey import PEG_ANSWERS, answer_all, invite, open_link, page_events, send, start, tap

HOME = reverse("portal:home")


@pytest.fixture
def invitation(patient):
    return invite(patient)


@pytest.fixture
def opened(client, invitation):
    open_link(client, invitation[1])
    return client


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_it_lists_the_due_questionnaires_in_order_with_time_and_why(opened):
    page = text(opened.get(HOME))
    assert page.index("(PEG)") < page.index("(PHQ-9)")
    assert "It takes about 4 minutes." in page
    assert "Your answers help your care team see how you are doing between visits." in page
    assert "Not started. 3 questions, about 1 minute." in page
    assert "Not started. 10 questions, about 3 minutes." in page
    assert page.count('type="submit">Start') == 2
    assert "Nothing to fill in right now" not in page


def test_it_shows_each_questionnaires_attribution(opened):
    page = text(opened.get(HOME))
    assert "Krebs EE, Lorenz KA, Bair MJ" in page
    assert "No permission required to reproduce, translate, display or distribute." in page


def test_it_shows_progress_and_a_continue_button_for_a_questionnaire_under_way(opened, invitation):
    phq9 = start(opened, invitation[0], "phq9")
    for number in (1, 2, 3):
        tap(opened, phq9, number, 1)
    page = text(opened.get(HOME))
    assert "In progress: 3 of 10 answered." in page
    assert reverse("portal:resume", args=[phq9.public_id]) in page
    assert "Continue" in page


def test_it_marks_a_sent_questionnaire_done(opened, invitation):
    peg = start(opened, invitation[0], "peg")
    answer_all(opened, peg, PEG_ANSWERS)
    send(opened, peg)
    page = text(opened.get(HOME))
    assert "Done. Thank you!" in page
    assert "It takes about 3 minutes." in page


def test_opening_the_home_page_starts_nothing(opened):
    opened.get(HOME)
    assert not Response.objects.exists()
    assert list(page_events().values_list("action", "target")) == [(Action.VIEW, "portal home")]


def test_a_link_without_an_invitation_keeps_the_nothing_to_fill_in_card(client, patient):
    _, token = issue_link(patient=patient)
    open_link(client, token)
    assert "Nothing to fill in right now" in text(client.get(HOME))


def test_starting_a_questionnaire_goes_to_its_first_question(opened, invitation):
    response = opened.post(reverse("portal:start", args=["phq9"]))
    phq9 = Response.objects.get(invitation=invitation[0], instrument__code="phq9")
    assert response["Location"] == reverse("portal:question", args=[phq9.public_id, 1])
    assert phq9.patient == invitation[0].patient and phq9.source == Response.Source.PORTAL


def test_starting_twice_gives_the_same_response(opened, invitation):
    opened.post(reverse("portal:start", args=["peg"]))
    opened.post(reverse("portal:start", args=["peg"]))
    assert Response.objects.filter(invitation=invitation[0]).count() == 1


def test_a_questionnaire_not_in_the_invitation_cannot_be_started(opened):
    response = opened.post(reverse("portal:start", args=["gad7"]))
    assert response.status_code == 404
    assert not Response.objects.exists()


def test_starting_needs_a_patient_session(client, invitation):
    response = client.post(reverse("portal:start", args=["peg"]))
    assert b"This link is no longer open" in response.content
    assert not Response.objects.exists()
