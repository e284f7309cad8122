"""Entering a questionnaire in clinic: on the patient's behalf (one form) or on a tablet handed to the
patient (kiosk, no staff chrome). Both save through measures.services, so alerts fire the same way."""

import uuid

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.models import TeamTask
from measures.models import Alert, Response
from tests.measures.responses import phq9


def choose_url(patient):
    return reverse("measures:choose", args=[patient.public_id])


def enter_url(patient, code="phq9"):
    return reverse("measures:enter", args=[patient.public_id, code])


def kiosk_url(patient, code="phq9"):
    return reverse("measures:kiosk", args=[patient.public_id, code])


def phq9_form(each="1", item9="0", **changes):
    data = {f"phq9_{n}": each for n in range(1, 9)} | {"phq9_9": item9, "phq9_difficulty": "1"}
    return {key: value for key, value in (data | changes).items() if value is not None}


@pytest.mark.parametrize(
    ("who", "status"),
    [("physician", 200), ("psychologist", 200), ("coordinator", 200), ("clinic_admin", 403), ("outsider", 404)],
)
def test_it_lets_the_team_and_coordinators_enter_a_questionnaire(request, signed_in, patient, who, status):
    client = signed_in(request.getfixturevalue(who))
    for url in (choose_url(patient), enter_url(patient)):
        assert client.get(url).status_code == status, url
    assert client.post(enter_url(patient), phq9_form()).status_code == (302 if status == 200 else status)
    # The tablet comes last: handing it over locks the session to the tablet pages.
    assert client.get(kiosk_url(patient)).status_code == status
    assert client.post(kiosk_url(patient), phq9_form()).status_code == (302 if status == 200 else status)
    assert Response.objects.filter(patient=patient).count() == (2 if status == 200 else 0)


def test_it_hides_another_teams_patient_with_a_404(signed_in, physician, other_patient):
    client = signed_in(physician)
    assert client.get(enter_url(other_patient)).status_code == 404
    assert client.post(kiosk_url(other_patient), phq9_form()).status_code == 404
    assert not Response.objects.exists()


def test_it_offers_every_active_instrument_both_ways(signed_in, coordinator, patient):
    page = signed_in(coordinator).get(choose_url(patient)).content.decode()
    for code in ("peg", "phq9", "gad7", "pcptsd5", "auditc"):
        assert enter_url(patient, code) in page and kiosk_url(patient, code) in page
    assert "Hand the tablet to the patient" in page and "Enter on the patient's behalf" in page


def test_an_unknown_instrument_is_a_404(signed_in, physician, patient):
    assert signed_in(physician).get(enter_url(patient, "nonesuch")).status_code == 404


def test_entering_on_behalf_records_the_source_and_who_typed_it_and_raises_the_same_alerts(
    signed_in, physician, psychologist, patient
):
    response = signed_in(psychologist).post(enter_url(patient), phq9_form(item9="1"))
    assert response.status_code == 302
    saved = Response.objects.get()
    # Item 9 above 0: the member of staff is asked to stay with the patient (tests/measures/test_entry_safety.py).
    assert response["Location"] == reverse("measures:entered_safety", args=[patient.public_id, saved.public_id])
    assert (saved.source, saved.entered_by, saved.total, saved.valid) == (
        Response.Source.ON_BEHALF,
        psychologist,
        9,
        True,
    )
    assert saved.answers["phq9_9"] == 1
    alert = Alert.objects.get(response=saved, kind=Alert.Kind.SAFETY)
    task = TeamTask.objects.get(pk=alert.task_id)
    assert (task.priority, task.assignee) == (TeamTask.Priority.URGENT, physician)
    event = AuditEvent.objects.get(patient=patient, action=Action.CREATE)
    assert event.target == "questionnaire entered on behalf: phq9"


def test_the_form_labels_every_item_as_a_radio_group(signed_in, physician, patient):
    page = signed_in(physician).get(enter_url(patient)).content.decode()
    assert page.count('<fieldset class="item-group') == 10
    assert "<legend" in page and 'type="radio"' in page
    assert "Little interest or pleasure in doing things" in page
    assert '<label class="item-label" for="id_phq9_1_0">Not at all</label>' in page
    assert "(optional)" in page  # the difficulty item


def test_it_keeps_what_was_typed_and_says_which_questions_need_an_answer(signed_in, physician, patient):
    response = signed_in(physician).post(enter_url(patient), phq9_form(item9=None, phq9_3="2"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 question still needs an answer" in page
    assert "Please choose an answer for this question." in page
    assert 'value="2" id="id_phq9_3_2" checked' in page
    assert 'href="#q-phq9_9"' in page
    assert not Response.objects.exists()


def test_it_refuses_a_value_that_is_not_one_of_the_answers(signed_in, physician, patient):
    response = signed_in(physician).post(enter_url(patient), phq9_form(phq9_1="7"))
    assert response.status_code == 400
    assert b"Please choose one of the answers shown." in response.content
    assert not Response.objects.exists()


def test_a_gate_answered_no_needs_no_more_answers(signed_in, physician, patient):
    response = signed_in(physician).post(enter_url(patient, "pcptsd5"), {"pcptsd5_exposure": "0"})
    assert response.status_code == 302
    assert Response.objects.get().total == 0


def test_the_audit_c_form_asks_for_the_cut_off_context(signed_in, physician, patient):
    form = {"auditc_1": "2", "auditc_2": "1", "auditc_3": "0", "context_sex": "female"}
    signed_in(physician).post(enter_url(patient, "auditc"), form)
    saved = Response.objects.get()
    assert (saved.total, saved.positive, saved.context) == (3, True, {"sex": "female"})


def test_the_kiosk_page_has_no_staff_chrome(signed_in, physician, patient):
    page = signed_in(physician).get(kiosk_url(patient)).content.decode()
    assert "Hello, Mari" in page
    assert "Sign out" not in page and 'class="topbar"' not in page and patient.mrn not in page
    assert "item-label" in page and "I'm done" in page


def test_the_kiosk_saves_the_patients_answers_and_thanks_them(signed_in, physician, patient):
    client = signed_in(physician)
    response = client.post(kiosk_url(patient), phq9_form())
    saved = Response.objects.get()
    assert (saved.source, saved.entered_by) == (Response.Source.KIOSK, None)
    assert response["Location"] == reverse("measures:kiosk_done", args=[patient.public_id, saved.public_id])
    page = client.get(response["Location"]).content.decode()
    assert "Please hand the tablet back to your clinician" in page
    assert "You don't have to carry this alone" not in page


def test_the_kiosk_shows_crisis_resources_after_item_9_above_0(signed_in, coordinator, patient):
    client = signed_in(coordinator)
    response = client.post(kiosk_url(patient), phq9_form(item9="2"))
    page = client.get(response["Location"]).content.decode()
    assert "You don't have to carry this alone" in page and "988" in page and "911" in page
    assert Alert.objects.filter(kind=Alert.Kind.SAFETY).count() == 1


def test_the_kiosk_keeps_answers_on_a_mistake(signed_in, physician, patient):
    response = signed_in(physician).post(kiosk_url(patient), phq9_form(phq9_1=None, phq9_2="3"))
    assert response.status_code == 400
    assert b'value="3" id="id_phq9_2_3" checked' in response.content
    assert b"Please choose an answer for this question." in response.content


def test_the_kiosk_thank_you_page_is_only_for_this_patients_kiosk_responses(
    signed_in, physician, patient, other_patient
):
    portal_response = phq9(patient, 1).response
    client = signed_in(physician)
    url = reverse("measures:kiosk_done", args=[patient.public_id, portal_response.public_id])
    assert client.get(url).status_code == 404
    assert client.get(reverse("measures:kiosk_done", args=[patient.public_id, uuid.uuid4()])).status_code == 404
