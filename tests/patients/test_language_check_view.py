"""The compassionate language check endpoint (POST /patients/language-check/) and the pages that use it:
advisory suggestions for the text being written; login and CSRF required; the text is neither stored, audited
nor logged; a huge text is checked up to a cap; never blocks saving."""

import logging
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from patients.models import Encounter
from patients.visit_views import LANGUAGE_CHECK_MAX

URL = reverse("patients:language_check")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_address_names_no_patient():
    assert URL == "/patients/language-check/"


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "clinic_admin", "outsider"])
def test_it_suggests_a_kinder_alternative_to_any_signed_in_staff_member(request, signed_in, who):
    response = signed_in(request.getfixturevalue(who)).post(URL, {"text": "I told her nothing can be done."})
    assert response.status_code == 200
    page = text_of(response)
    assert "<mark>nothing can be done</mark>" in page
    assert "Try: <q>no medical cure doesn&#x27;t mean no solutions</q>" in page
    assert "Why: It takes away hope." in page
    assert "a suggestion only: you can save as written" in page


def test_it_lists_every_phrase_found_in_order_with_its_context(signed_in, physician):
    text = "Degenerative discs. Sadly there's nothing wrong with you, so accept your pain."
    page = text_of(signed_in(physician).post(URL, {"text": text}))
    found = re.findall(r"<mark>(.*?)</mark>", page)
    assert found == ["Degenerative", "there&#x27;s nothing wrong with you", "accept your pain"]
    assert "we can&#x27;t measure pain with tests" in page
    assert "normal changes with age" in page
    assert "(the app's wording)" in page  # "accept your pain" has no alternative in the issue
    assert "Sadly <mark>" in page


def test_it_answers_nothing_for_kind_or_empty_text(signed_in, physician):
    client = signed_in(physician)
    for text in ["Walked the dog twice this week.", "", "   "]:
        response = client.post(URL, {"text": text})
        assert response.status_code == 200
        assert response.content.strip() == b""
    assert client.post(URL, {}).content.strip() == b""


def test_it_checks_a_huge_text_only_up_to_the_cap_and_says_so(signed_in, physician):
    early = "nothing can be done. "
    filler = "x" * (LANGUAGE_CHECK_MAX + 5_000)
    text = early + filler + " degenerative"
    response = signed_in(physician).post(URL, {"text": text})
    assert response.status_code == 200
    page = text_of(response)
    assert "<mark>nothing can be done</mark>" in page
    assert "degenerative" not in page
    assert f"Only the first {LANGUAGE_CHECK_MAX:,} characters were checked." in page
    assert len(response.content) < 5_000


def test_it_shows_a_bounded_number_of_suggestions(signed_in, physician):
    response = signed_in(physician).post(URL, {"text": "degenerative " * 200})
    page = text_of(response)
    assert page.count("<mark>") == 25
    assert "And 175 more." in page


def test_it_escapes_the_text_it_echoes(signed_in, physician):
    page = signed_in(physician).post(URL, {"text": "<script>alert(1)</script> nothing can be done"}).content.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_it_refuses_get(signed_in, physician):
    assert signed_in(physician).get(URL, {"text": "nothing can be done"}).status_code == 405


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.post(URL, {"text": "nothing can be done"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_needs_the_csrf_token(physician, password):
    client = Client(enforce_csrf_checks=True)
    client.force_login(physician)
    assert client.post(URL, {"text": "nothing can be done"}).status_code == 403


def test_it_neither_stores_audits_nor_logs_the_text(signed_in, physician, caplog):
    before = Encounter.objects.count()
    with caplog.at_level(logging.DEBUG):
        response = signed_in(physician).post(URL, {"text": "Private words: nothing can be done"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert not AuditEvent.objects.exists()
    assert Encounter.objects.count() == before
    assert "Private words" not in caplog.text


# --------------------------------------------------------------------------- the pages that use it


def test_the_script_is_served_from_the_app_and_loaded_on_staff_pages(signed_in, physician, patient):
    assert finders.find("js/language_check.js")
    page = signed_in(physician).get(reverse("patients:new_visit", args=[patient.public_id])).content.decode()
    assert re.search(r'<script src="/static/js/language_check\.js" defer></script>', page)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page), "no inline scripts (CSP)"
    assert " style=" not in page, "no inline styles (CSP)"


def test_every_note_box_of_the_visit_form_carries_the_check(signed_in, physician, patient):
    page = signed_in(physician).get(reverse("patients:new_visit", args=[patient.public_id])).content.decode()
    for name in ["priorities", "findings", "assessment", "plan", "free_text"]:
        assert re.search(rf'<textarea name="{name}"[^>]*data-language-check="{URL}"', page), name


def test_a_flagged_phrase_never_blocks_saving(signed_in, physician, patient):
    data = {
        "occurred_on": "2024-05-01",
        "kind": "follow_up",
        "assessment": "There's nothing wrong with you; degenerative changes.",
        "tests-TOTAL_FORMS": "0",
        "tests-INITIAL_FORMS": "0",
    }
    response = signed_in(physician).post(reverse("patients:new_visit", args=[patient.public_id]), data)
    assert response.status_code == 302
    assert Encounter.objects.get().assessment == data["assessment"]
