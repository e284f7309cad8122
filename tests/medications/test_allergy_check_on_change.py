"""Changing a line's drug to one that matches a recorded allergy: the same warning naming it as when adding, the
same "I have checked the allergy" box, nothing saved until it is ticked, and the change audited as usual with the
confirmation beside it. A change that keeps the drug is not warned again."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from medications.models import Medication, MedicationChange
from medications.services.lines import (
    ALLERGY_CHECKED_ON_CHANGE,
    AllergyNotChecked,
    change_medication,
)
from patients.allergy_services import record_allergy
from tests.medications.medkit import add_line, edit_data

MORPHINE_HIVES = {"substance": "morphine", "reaction": "hives", "severity": "severe", "source": "clinician_verified"}
WARNING = "Mari has a recorded allergy to morphine: hives (severe). Check before prescribing."


def edit_url(line):
    return reverse("medications:medication_edit", args=[line.patient.public_id, line.public_id])


@pytest.fixture
def oxycodone(patient, physician):
    return add_line(patient, physician, "oxycodone", 5, units=2, doses=4)


def to_morphine(line, **extra) -> dict:
    return edit_data(line, drug_code="morphine", strength="15", why="Switching opioid", **extra)


# --------------------------------------------------------------------------- the service


def test_the_service_refuses_a_new_drug_matching_an_allergy_unless_checked(patient, physician, oxycodone):
    record_allergy(patient=patient, by=physician, values=MORPHINE_HIVES)
    with pytest.raises(AllergyNotChecked) as raised:
        change_medication(
            medication=oxycodone, by=physician, values={"drug_code": "morphine"}, why="Switch", expected_version=1
        )
    assert [allergy.substance for allergy in raised.value.allergies] == ["morphine"]
    oxycodone.refresh_from_db()
    assert (oxycodone.drug_code, oxycodone.version) == ("oxycodone", 1)
    assert not MedicationChange.objects.filter(kind=MedicationChange.Kind.CHANGED).exists()


def test_checked_the_change_is_saved_and_audited_with_the_confirmation(patient, physician, oxycodone):
    record_allergy(patient=patient, by=physician, values=MORPHINE_HIVES)
    changed = change_medication(
        medication=oxycodone,
        by=physician,
        values={"drug_code": "morphine"},
        why="Switch",
        expected_version=1,
        allergy_checked=True,
    )
    assert (changed.drug_code, changed.version) == ("morphine", 2)
    targets = list(AuditEvent.objects.filter(patient=patient).order_by("id").values_list("target", flat=True))
    assert targets[-2:] == ["medication changed: drug_code", ALLERGY_CHECKED_ON_CHANGE]


def test_a_change_that_keeps_a_matching_drug_is_not_warned_again(patient, physician):
    record_allergy(patient=patient, by=physician, values=MORPHINE_HIVES)
    line = add_line(patient, physician, "morphine", 15, doses=2, allergy_checked=True)
    changed = change_medication(
        medication=line, by=physician, values={"doses_per_day": 3}, why="Dose review", expected_version=1
    )
    assert changed.doses_per_day == 3
    assert not AuditEvent.objects.filter(target=ALLERGY_CHECKED_ON_CHANGE).exists()


# --------------------------------------------------------------------------- the page


def test_the_change_page_warns_naming_the_allergy_and_keeps_what_was_typed(signed_in, patient, physician, oxycodone):
    record_allergy(patient=patient, by=physician, values=MORPHINE_HIVES)
    response = signed_in(physician).post(edit_url(oxycodone), to_morphine(oxycodone))
    page = response.content.decode()
    assert response.status_code == 400
    assert WARNING in page
    assert "I have checked the allergy" in page and "Nothing was saved yet." in page
    assert '<option value="morphine" selected>' in page and 'value="15"' in page and "Switching opioid" in page
    assert "Save the change" in page
    oxycodone.refresh_from_db()
    assert (oxycodone.drug_code, oxycodone.version) == ("oxycodone", 1)
    assert AuditEvent.objects.filter(patient=patient, target="medication list: allergy warning shown").exists()


def test_ticking_the_confirmation_saves_the_change_and_audits_it(signed_in, patient, physician, oxycodone):
    record_allergy(patient=patient, by=physician, values=MORPHINE_HIVES)
    client = signed_in(physician)
    response = client.post(edit_url(oxycodone), to_morphine(oxycodone, allergy_checked="on"))
    assert response.status_code == 302
    assert Medication.objects.get().drug_code == "morphine"
    assert AuditEvent.objects.get(patient=patient, target=ALLERGY_CHECKED_ON_CHANGE).actor == physician
    assert MedicationChange.objects.get(kind=MedicationChange.Kind.CHANGED).reason == "Switching opioid"


def test_a_new_drug_matching_no_allergy_is_saved_without_a_warning(signed_in, patient, physician, oxycodone):
    record_allergy(patient=patient, by=physician, values=MORPHINE_HIVES | {"substance": "penicillin"})
    response = signed_in(physician).post(edit_url(oxycodone), to_morphine(oxycodone))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(target=ALLERGY_CHECKED_ON_CHANGE).exists()


def test_someone_who_may_not_change_the_line_sees_no_warning(signed_in, patient, physician, psychologist, oxycodone):
    record_allergy(patient=patient, by=physician, values=MORPHINE_HIVES)
    response = signed_in(psychologist).post(edit_url(oxycodone), to_morphine(oxycodone))
    assert response.status_code == 403
    assert "recorded allergy" not in response.content.decode()
