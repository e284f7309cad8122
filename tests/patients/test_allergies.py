"""Allergies and intolerances: the services, the chart section, the banner, ending with a reason, the pages."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.access.refusals import Refused
from patients.allergy_services import AlreadyEnded, end_allergy, record_allergy
from patients.models import PatientAllergy

PENICILLIN = {
    "substance": "  Penicillin ",
    "kind": "allergy",
    "reaction": "Hives",
    "severity": "severe",
    "source": "records",
}


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def section(response, anchor: str) -> str:
    return response.content.decode().split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


def banner(response) -> str:
    return response.content.decode().split('class="patient-banner', 1)[1].split("</section>", 1)[0]


def test_it_records_an_allergy_with_who_and_when_and_audits_it_without_the_substance(physician, patient):
    allergy = record_allergy(patient=patient, by=physician, values=PENICILLIN)
    allergy.refresh_from_db()
    assert (allergy.substance, allergy.kind, allergy.severity, allergy.source) == (
        "Penicillin",
        "allergy",
        "severe",
        "records",
    )
    assert allergy.recorded_by == physician and allergy.is_active
    event = AuditEvent.objects.get(patient=patient)
    assert (event.actor, event.action, event.target) == (physician, Action.CREATE, "allergy list: allergy recorded")
    assert "enicillin" not in event.target


@pytest.mark.parametrize("who", ["outsider", "coordinator"])
def test_it_refuses_someone_who_may_not_chart_and_writes_nothing(request, patient, physician, who):
    person = request.getfixturevalue(who)
    with pytest.raises(Refused):
        record_allergy(patient=patient, by=person, values=PENICILLIN)
    allergy = record_allergy(patient=patient, by=physician, values=PENICILLIN)
    with pytest.raises(Refused):
        end_allergy(allergy=allergy, by=person, reason="entered_in_error")
    assert PatientAllergy.objects.get().is_active
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize("bad", [{"substance": "  "}, {"severity": "deadly"}, {"source": ""}, {"colour": "red"}])
def test_it_refuses_values_outside_the_lists(physician, patient, bad):
    with pytest.raises(ValueError):
        record_allergy(patient=patient, by=physician, values=PENICILLIN | bad)
    assert not PatientAllergy.objects.exists()


def test_ending_keeps_the_entry_with_who_when_and_why(physician, psychologist, patient):
    allergy = record_allergy(patient=patient, by=physician, values=PENICILLIN)
    end_allergy(allergy=allergy, by=psychologist, reason="no_longer_applies")
    allergy.refresh_from_db()
    assert (allergy.ended_by, allergy.ended_reason) == (psychologist, "no_longer_applies")
    assert allergy.ended_at is not None and not allergy.is_active
    event = AuditEvent.objects.filter(action=Action.UPDATE).get()
    assert event.target == "allergy list: entry ended (no longer applies)"
    with pytest.raises(AlreadyEnded):
        end_allergy(allergy=allergy, by=physician, reason="entered_in_error")
    with pytest.raises(ValueError):
        end_allergy(allergy=allergy, by=physician, reason="bored")
    assert PatientAllergy.objects.get().ended_reason == "no_longer_applies"


def test_the_banner_says_no_allergies_recorded_not_no_known_allergies(signed_in, physician, patient):
    shown = banner(signed_in(physician).get(chart_url(patient)))
    assert "No allergies recorded" in shown
    assert "known allergies" not in shown.lower()


def test_the_banner_lists_active_allergies_most_severe_first(signed_in, physician, patient):
    record_allergy(patient=patient, by=physician, values=PENICILLIN | {"substance": "latex", "severity": "mild"})
    record_allergy(patient=patient, by=physician, values=PENICILLIN)
    codeine = record_allergy(patient=patient, by=physician, values=PENICILLIN | {"substance": "codeine"})
    end_allergy(allergy=codeine, by=physician, reason="entered_in_error")
    shown = banner(signed_in(physician).get(chart_url(patient)))
    assert "Penicillin (severe), latex (mild)" in shown
    assert "codeine" not in shown and "No allergies recorded" not in shown


def test_the_chart_shows_active_entries_and_keeps_ended_ones_as_history(signed_in, physician, patient):
    record_allergy(patient=patient, by=physician, values=PENICILLIN)
    codeine = record_allergy(
        patient=patient, by=physician, values=PENICILLIN | {"substance": "codeine", "kind": "intolerance"}
    )
    end_allergy(allergy=codeine, by=physician, reason="entered_in_error")
    shown = section(signed_in(physician).get(chart_url(patient)), "allergies")
    current, ended = shown.split('<details class="allergies-ended', 1)
    assert "Penicillin" in current and "Hives" in current and "Severe" in current and "codeine" not in current
    assert "1 ended" in ended and "codeine" in ended and "Entered in error: ended by" in ended
    assert "Record an allergy" in shown


def test_the_chart_offers_no_changes_to_a_coordinator(signed_in, coordinator, physician, patient):
    record_allergy(patient=patient, by=physician, values=PENICILLIN)
    shown = section(signed_in(coordinator).get(chart_url(patient)), "allergies")
    assert "Penicillin" in shown
    assert "Record an allergy" not in shown and ">End<" not in shown


def test_the_add_page_records_an_entry(signed_in, physician, patient):
    url = reverse("patients:allergy_add", args=[patient.public_id])
    client = signed_in(physician)
    assert client.get(url).status_code == 200
    response = client.post(url, PENICILLIN)
    assert response.status_code == 302 and response["Location"].endswith("#allergies")
    assert PatientAllergy.objects.get().substance == "Penicillin"


def test_bad_input_keeps_what_was_typed_with_clear_messages(signed_in, physician, patient):
    url = reverse("patients:allergy_add", args=[patient.public_id])
    response = signed_in(physician).post(
        url, PENICILLIN | {"substance": " ", "reaction": "Swollen lips", "source": "x"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Name the substance." in page and "Choose a source from the list." in page
    assert 'value="Swollen lips"' in page
    assert not PatientAllergy.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("coordinator", 403), ("clinic_admin", 403), ("outsider", 404), ("other_team_lead", 404)]
)
def test_the_pages_refuse_who_may_not_chart_and_hide_the_patient_from_outsiders(
    request, signed_in, physician, patient, who, status
):
    allergy = record_allergy(patient=patient, by=physician, values=PENICILLIN)
    client = signed_in(request.getfixturevalue(who))
    add = reverse("patients:allergy_add", args=[patient.public_id])
    end = reverse("patients:allergy_end", args=[patient.public_id, allergy.public_id])
    assert client.get(add).status_code == status
    assert client.post(add, PENICILLIN).status_code == status
    assert client.get(end).status_code == status
    assert client.post(end, {"reason": "entered_in_error"}).status_code == status
    assert PatientAllergy.objects.get().is_active


def test_the_end_page_needs_a_reason_then_ends_the_entry(signed_in, physician, patient):
    allergy = record_allergy(patient=patient, by=physician, values=PENICILLIN)
    url = reverse("patients:allergy_end", args=[patient.public_id, allergy.public_id])
    client = signed_in(physician)
    response = client.post(url, {})
    assert response.status_code == 400 and "Choose why this entry ends." in response.content.decode()
    response = client.post(url, {"reason": "entered_in_error"})
    assert response.status_code == 302
    allergy.refresh_from_db()
    assert allergy.ended_reason == "entered_in_error"
