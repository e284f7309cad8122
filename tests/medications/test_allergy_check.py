"""Adding a medication line that matches a recorded allergy: the warning names it, the prescriber must tick
"I have checked the allergy" to save, and both the warning and the confirmation are audited."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from medications.models import Medication
from medications.rules import drugs
from medications.services.lines import AllergyNotChecked, matching_allergies
from patients.allergy_services import end_allergy, record_allergy
from tests.medications.medkit import add_line, form_data

OXYCODONE_RASH = {"substance": "OxyCodone", "reaction": "rash", "severity": "moderate", "source": "patient_reported"}
CHECKED_TARGET = "medication added: allergy warning checked by the prescriber"


def add_url(patient):
    return reverse("medications:medication_add", args=[patient.public_id])


@pytest.mark.parametrize(
    ("substance", "code", "matches"),
    [
        ("oxycodone", "oxycodone", True),
        ("OXYCODONE", "oxycodone", True),
        ("fentanyl", "fentanyl_transdermal", True),  # in the name "Fentanyl (transdermal patch)"
        ("codeine", "oxycodone", False),
        ("penicillin", "oxycodone", False),
    ],
)
def test_the_simple_rule_matches_the_code_or_a_part_of_the_name_ignoring_case(
    physician, patient, substance, code, matches
):
    record_allergy(patient=patient, by=physician, values=OXYCODONE_RASH | {"substance": substance})
    assert bool(matching_allergies(patient, drugs.by_code(code))) is matches


def test_an_ended_allergy_no_longer_matches(physician, patient):
    allergy = record_allergy(patient=patient, by=physician, values=OXYCODONE_RASH)
    end_allergy(allergy=allergy, by=physician, reason="entered_in_error")
    assert matching_allergies(patient, drugs.by_code("oxycodone")) == []


def test_the_service_refuses_to_save_a_matching_line_unless_checked(physician, patient):
    record_allergy(patient=patient, by=physician, values=OXYCODONE_RASH)
    with pytest.raises(AllergyNotChecked) as raised:
        add_line(patient, physician, "oxycodone", 5, units=2, doses=4)
    assert [allergy.substance for allergy in raised.value.allergies] == ["OxyCodone"]
    assert not Medication.objects.exists()


def test_the_page_warns_naming_the_allergy_and_keeps_what_was_typed(signed_in, physician, patient):
    record_allergy(patient=patient, by=physician, values=OXYCODONE_RASH)
    response = signed_in(physician).post(add_url(patient), form_data(reason="Flare of back pain"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Mari has a recorded allergy to OxyCodone: rash (moderate). Check before prescribing." in page
    assert "I have checked the allergy" in page
    assert "own simple check" in page and "not a drug-allergy database" in page
    assert 'value="Flare of back pain"' in page
    assert not Medication.objects.exists()
    assert AuditEvent.objects.filter(patient=patient, target="medication list: allergy warning shown").exists()


def test_ticking_the_confirmation_saves_the_line_and_audits_it(signed_in, physician, patient):
    record_allergy(patient=patient, by=physician, values=OXYCODONE_RASH)
    response = signed_in(physician).post(add_url(patient), form_data(allergy_checked="on"))
    assert response.status_code == 302
    assert Medication.objects.get().drug_code == "oxycodone"
    assert AuditEvent.objects.get(patient=patient, target=CHECKED_TARGET).actor == physician


def test_a_drug_matching_no_allergy_saves_without_a_warning(signed_in, physician, patient):
    record_allergy(patient=patient, by=physician, values=OXYCODONE_RASH | {"substance": "penicillin"})
    response = signed_in(physician).post(add_url(patient), form_data())
    assert response.status_code == 302
    assert Medication.objects.exists()
    assert not AuditEvent.objects.filter(target=CHECKED_TARGET).exists()
