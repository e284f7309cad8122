"""A PHQ-9 entered in clinic with item 9 above 0: the alert and urgent task are saved with the entry, and the
member of staff is asked to stay with the patient and sees the crisis resources (on behalf: a page of its own;
kiosk: the tablet's thank-you page, which the clinician takes back)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from measures.models import Alert, Response
from tests.measures.responses import phq9


def enter_url(patient, code="phq9"):
    return reverse("measures:enter", args=[patient.public_id, code])


def kiosk_url(patient, code="phq9"):
    return reverse("measures:kiosk", args=[patient.public_id, code])


def safety_url(patient, response):
    return reverse("measures:entered_safety", args=[patient.public_id, response.public_id])


def phq9_form(item9="0"):
    return {f"phq9_{n}": "0" for n in range(1, 9)} | {"phq9_9": item9, "phq9_difficulty": "1"}


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_on_behalf_item_9_above_0_asks_the_staff_member_to_stay_with_the_patient(
    signed_in, physician, coordinator, patient
):
    client = signed_in(coordinator)
    response = client.post(enter_url(patient), phq9_form(item9="1"), follow=True)
    saved = Response.objects.get()
    assert response.redirect_chain == [(safety_url(patient, saved), 302)]
    page = text(response)
    assert "Please stay with Mari now" in page
    assert "Call or text <strong>988</strong>" in page and "<strong>911</strong>" in page and "555-0100" in page
    alert = Alert.objects.get(response=saved, kind=Alert.Kind.SAFETY)
    assert f"An urgent task is with <strong>{physician.display_name}</strong>" in page
    assert reverse("team:task", args=[alert.task.public_id]) in page
    assert "PHQ-9 saved" in page  # the usual saved message is still there
    assert AuditEvent.objects.filter(patient=patient, target="safety alert after entry").exists()


def test_on_behalf_without_an_item_9_answer_above_0_goes_to_the_answers_as_before(signed_in, coordinator, patient):
    response = signed_in(coordinator).post(enter_url(patient), phq9_form(item9="0"))
    assert response["Location"] == reverse("measures:detail", args=[patient.public_id, "phq9"])


def test_the_stay_with_the_patient_page_is_only_for_a_safety_alert(signed_in, coordinator, patient):
    calm = phq9(patient, each=0, item9=0).response
    assert signed_in(coordinator).get(safety_url(patient, calm)).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("clinic_admin", 403), ("psychologist", 200)])
def test_the_stay_with_the_patient_page_follows_the_entry_rules(request, signed_in, patient, physician, who, status):
    alerted = phq9(patient, each=0, item9=2).response
    assert signed_in(request.getfixturevalue(who)).get(safety_url(patient, alerted)).status_code == status


def test_another_patients_response_is_not_found_through_this_patient(signed_in, physician, patient, other_patient):
    elsewhere = phq9(other_patient, each=0, item9=2).response
    assert signed_in(physician).get(safety_url(patient, elsewhere)).status_code == 404


def test_the_kiosk_thank_you_page_asks_the_clinician_to_stay_with_the_patient(signed_in, coordinator, patient):
    client = signed_in(coordinator)
    page = text(client.get(client.post(kiosk_url(patient), phq9_form(item9="3"))["Location"]))
    assert "For your clinician:" in page and "please stay with Mari" in page
    assert "988" in page and "911" in page and "555-0100" in page


def test_the_kiosk_thank_you_page_has_no_staff_note_without_an_item_9_answer_above_0(signed_in, coordinator, patient):
    client = signed_in(coordinator)
    page = text(client.get(client.post(kiosk_url(patient), phq9_form())["Location"]))
    assert "For your clinician:" not in page
