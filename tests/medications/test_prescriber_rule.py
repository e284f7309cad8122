"""A medication line names as its prescriber only a prescriber of the clinic (User.is_prescriber: a physician or
nurse practitioner), checked by the form and again by the service."""

import pytest
from django.urls import reverse

from clinic.roles import Discipline, Role
from medications.forms import PRESCRIBER_CHOICE
from medications.models import Medication
from medications.services.lines import change_medication
from tests.factories import CareTeamMemberFactory, StaffFactory
from tests.medications.medkit import add_line, form_data, nurse_practitioner, pharmacist  # noqa: F401 (fixtures)


@pytest.fixture
def physical_therapist(patient):
    person = StaffFactory(
        username="pt.berg",
        first_name="Lars",
        last_name="Berg",
        credentials="DPT",
        role=Role.CLINICIAN,
        discipline=Discipline.PHYSICAL_THERAPIST,
    )
    CareTeamMemberFactory(patient=patient, member=person)
    return person


def add_url(patient):
    return reverse("medications:medication_add", args=[patient.public_id])


def duloxetine(**overrides):
    return form_data(drug_code="duloxetine", strength="30", units_per_dose="1", doses_per_day="1", **overrides)


@pytest.mark.parametrize("named", ["psychologist", "pharmacist", "physical_therapist", "coordinator"])
def test_the_form_refuses_naming_someone_who_is_not_a_prescriber(
    request, signed_in, patient, physical_therapist, named
):
    someone = request.getfixturevalue(named)

    response = signed_in(physical_therapist).post(add_url(patient), duloxetine(prescriber=str(someone.pk)))

    assert response.status_code == 400
    assert PRESCRIBER_CHOICE.encode() in response.content
    assert not Medication.objects.exists()


def test_the_form_refuses_a_prescriber_whose_account_is_closed(signed_in, patient, physician, physical_therapist):
    physician.is_active = False
    physician.save(update_fields=["is_active"])
    client = signed_in(physical_therapist)

    response = client.post(add_url(patient), duloxetine(prescriber=str(physician.pk)))

    assert response.status_code == 400
    assert not Medication.objects.exists()


def test_a_physical_therapist_may_record_a_line_naming_the_physician(signed_in, patient, physician, physical_therapist):
    response = signed_in(physical_therapist).post(add_url(patient), duloxetine(prescriber=str(physician.pk)))

    assert response.status_code == 302
    assert Medication.objects.get().prescriber == physician


def test_the_service_refuses_a_line_naming_a_non_prescriber(patient, physical_therapist, psychologist):
    with pytest.raises(ValueError, match="Only a prescriber of the clinic"):
        add_line(patient, physical_therapist, "duloxetine", 30, doses=1, prescriber=psychologist)
    assert not Medication.objects.exists()


def test_the_service_refuses_changing_the_prescriber_to_a_non_prescriber(patient, physician, psychologist):
    line = add_line(patient, physician, "duloxetine", 30, doses=1)

    with pytest.raises(ValueError, match="Only a prescriber of the clinic"):
        change_medication(
            medication=line,
            by=physician,
            values={"prescriber": psychologist},
            why="typo",
            expected_version=line.version,
        )
    line.refresh_from_db()
    assert line.prescriber == physician


def test_a_line_keeps_a_prescriber_who_has_since_left_when_other_fields_change(request, patient, physician):
    prescriber = request.getfixturevalue("nurse_practitioner")
    line = add_line(patient, physician, "duloxetine", 30, doses=1)
    physician.is_active = False
    physician.save(update_fields=["is_active"])

    changed = change_medication(
        medication=line,
        by=prescriber,
        values={"prescriber": physician, "benefit": "Sleeping better"},
        why="review",
        expected_version=line.version,
    )

    assert changed.prescriber == physician and changed.benefit == "Sleeping better"
