"""Unacknowledged red flags on the patient banner of every chart page, prominently, until acknowledged."""

import pytest
from django.urls import reverse

from patients.models import RedFlag
from patients.problem_services import record_exam_red_flag


def banner(response) -> str:
    return response.content.decode().split('class="patient-banner', 1)[1].split("</section>", 1)[0]


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def ack_url(patient, flag):
    return reverse("patients:red_flag_acknowledge", args=[patient.public_id, flag.public_id])


def intake_flag(patient, code="bladder_bowel_control", level="emergency"):
    return RedFlag.objects.create(patient=patient, code=code, level=level, source=RedFlag.Source.INTAKE)


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("physician", "patients:chart"),
        ("psychologist", "patients:classification"),
        ("coordinator", "patients:edit_details"),
        ("clinic_admin", "patients:access_report"),
        ("physician", "patients:red_flags"),
    ],
)
def test_every_chart_page_shows_an_unacknowledged_emergency_flag_at_the_top_of_the_banner(
    request, signed_in, patient, who, page
):
    intake_flag(patient)
    response = signed_in(request.getfixturevalue(who)).get(reverse(page, args=[patient.public_id]))
    assert response.status_code == 200
    shown = banner(response)
    assert "Red flag: new trouble controlling bladder or bowels" in shown
    assert shown.index('role="alert"') < shown.index("Red flag:") < shown.index("Maria Garcia-López")
    assert "reported by the patient at intake" in shown
    assert "<dt>Red flags</dt><dd>1 not acknowledged</dd>" in shown
    assert response.content.decode().count('class="patient-banner has-urgent"') == 1


def test_a_review_flag_shows_without_an_alarm(signed_in, physician, patient):
    intake_flag(patient, code="history_of_cancer", level="review")
    shown = banner(signed_in(physician).get(chart_url(patient)))
    assert "Red flag: history of cancer" in shown
    assert 'role="alert"' not in shown
    assert "banner-alert-review" in shown
    assert "has-urgent" not in signed_in(physician).get(chart_url(patient)).content.decode()


def test_emergency_flags_come_before_review_flags_and_show_who_found_them(signed_in, physician, psychologist, patient):
    intake_flag(patient, code="history_of_cancer", level="review")
    record_exam_red_flag(patient=patient, by=psychologist, code="anal_sphincter_laxity")
    shown = banner(signed_in(physician).get(chart_url(patient)))
    assert shown.index("Red flag: unexpected laxity of the anal sphincter") < shown.index("Red flag: history of cancer")
    assert "found at examination by Elin Lindqvist, PhD" in shown


def test_team_clinicians_get_the_acknowledge_form_in_the_banner_and_others_do_not(
    signed_in, physician, coordinator, clinic_admin, patient
):
    flag = intake_flag(patient)
    assert ack_url(patient, flag) in banner(signed_in(physician).get(chart_url(patient)))
    for person in (coordinator, clinic_admin):
        shown = banner(signed_in(person).get(chart_url(patient)))
        assert ack_url(patient, flag) not in shown
        assert "A clinician on the care team acknowledges this red flag." in shown


def test_an_acknowledged_flag_leaves_the_banner_but_stays_on_the_chart(signed_in, physician, patient):
    flag = intake_flag(patient)
    client = signed_in(physician)
    response = client.post(
        ack_url(patient, flag), {"action": "reached", "note": "Sent to the emergency department.", "next": "/"}
    )
    assert response["Location"] == "/"
    page = client.get(chart_url(patient))
    assert "Red flag:" not in banner(page)
    assert "<dt>Red flags</dt>" not in banner(page)
    assert "Sent to the emergency department." in page.content.decode().split('id="red-flags"', 1)[1]


def test_the_banner_shows_at_most_ten_flags_and_says_there_are_more(signed_in, physician, patient):
    for _ in range(12):
        intake_flag(patient, code="leg_weakness")
    shown = banner(signed_in(physician).get(chart_url(patient)))
    assert shown.count("Red flag: new or worsening weakness in the legs") == 10
    assert "More red flags are not acknowledged" in shown
    assert reverse("patients:red_flags", args=[patient.public_id]) in shown
    assert "<dt>Red flags</dt><dd>10+ not acknowledged</dd>" in shown


def test_another_patients_flags_never_show(signed_in, physician, patient, other_patient):
    intake_flag(other_patient)
    assert "Red flag:" not in banner(signed_in(physician).get(chart_url(patient)))
