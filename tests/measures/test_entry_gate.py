"""PC-PTSD-5 entered in clinic (REFERENCE.md 1.5): after "No" to the exposure question the screen stops, so
the in-clinic forms do not ask items 1-5 (the page marks them "only if YES" and hides them once NO is ticked),
and whatever was ticked there is neither stored nor counted as missing. ``not_asked`` is the shared rule."""

import pytest
from django.urls import reverse

from measures.definitions import get_definition
from measures.entry import not_asked
from measures.models import Response

ITEMS = [f"pcptsd5_{n}" for n in range(1, 6)]


def enter_url(patient):
    return reverse("measures:enter", args=[patient.public_id, "pcptsd5"])


def kiosk_url(patient):
    return reverse("measures:kiosk", args=[patient.public_id, "pcptsd5"])


@pytest.mark.parametrize(
    ("answers", "skipped"),
    [
        ({"pcptsd5_exposure": 0}, set(ITEMS)),
        ({"pcptsd5_exposure": 0, "pcptsd5_1": 1}, set(ITEMS)),
        ({"pcptsd5_exposure": 1}, set()),
        ({}, set()),
        ({"pcptsd5_exposure": None}, set()),
        ({"pcptsd5_exposure": 7}, set()),  # not an option: nothing is skipped, the form says what is wrong
        ({"pcptsd5_exposure": False}, set()),  # never read as NO
    ],
)
def test_only_a_no_at_the_gate_skips_the_items(answers, skipped):
    assert not_asked(get_definition("pcptsd5"), answers) == skipped


def test_an_instrument_without_a_gate_skips_nothing():
    assert not_asked(get_definition("phq9"), {"phq9_1": 0}) == frozenset()


@pytest.mark.parametrize("url", [enter_url, kiosk_url])
def test_no_at_the_gate_saves_only_the_gate_answer_and_scores_0(signed_in, physician, patient, url):
    form = {"pcptsd5_exposure": "0"} | dict.fromkeys(ITEMS, "1")
    response = signed_in(physician).post(url(patient), form)
    assert response.status_code == 302
    saved = Response.objects.get()
    assert saved.answers == {"pcptsd5_exposure": 0}
    assert (saved.total, saved.valid, saved.positive) == (0, True, False)


def test_no_at_the_gate_ignores_a_broken_answer_on_an_item_it_skips(signed_in, physician, patient):
    form = {"pcptsd5_exposure": "0", "pcptsd5_2": "9"}
    response = signed_in(physician).post(enter_url(patient), form)
    assert response.status_code == 302
    assert Response.objects.get().answers == {"pcptsd5_exposure": 0}


def test_yes_at_the_gate_needs_every_item(signed_in, physician, patient):
    response = signed_in(physician).post(enter_url(patient), {"pcptsd5_exposure": "1", "pcptsd5_1": "1"})
    assert response.status_code == 400
    assert not Response.objects.exists()


@pytest.mark.parametrize("url", [enter_url, kiosk_url])
def test_the_form_marks_the_items_as_only_if_yes(signed_in, physician, patient, url):
    page = signed_in(physician).get(url(patient)).content.decode()
    assert "Answer the questions below only if the answer to question 1 is YES." in page
    assert page.count("(only if question 1 is YES)") == 5
    assert page.count('class="item-group item-gated"') == 5
    assert 'class="item-radio gate-stop" type="radio" name="pcptsd5_exposure" value="0"' in page
