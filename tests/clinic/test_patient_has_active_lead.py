"""Patient.has_active_lead is kept by the database (clinic migration 0012): whatever writes the care team, the
staff accounts or the patient, it says whether an active staff member leads the patient's team. The
coordinators' "needs a lead clinician" list is read from it, so a wrong value would hide a patient."""

import pytest

from clinic.care_team_services import end_lead, make_lead, remove_member
from clinic.models import CareTeamMember
from clinic.worklists import patients_needing_a_care_team
from patients.models import Patient
from tests.factories import CareTeamMemberFactory, PatientFactory

pytestmark = pytest.mark.django_db


def has_active_lead(patient) -> bool:
    return Patient.objects.values_list("has_active_lead", flat=True).get(pk=patient.pk)


def test_a_new_patient_has_no_lead_until_one_is_named_and_is_listed_until_then(coordinator, physician):
    patient = PatientFactory()
    assert not has_active_lead(patient)
    assert patient in patients_needing_a_care_team()
    make_lead(patient=patient, member=physician, by=coordinator)
    assert has_active_lead(patient)
    assert patient not in patients_needing_a_care_team()


def test_ending_the_lead_role_or_removing_the_lead_leaves_the_patient_without_one(coordinator, physician, psychologist):
    first, second = PatientFactory(), PatientFactory()
    for patient in (first, second):
        make_lead(patient=patient, member=physician, by=coordinator)
    end_lead(patient=first, member=physician, by=coordinator, reason="Moving to part-time.")
    remove_member(patient=second, member=physician, by=coordinator, reason="Left the team.")
    assert not has_active_lead(first) and not has_active_lead(second)
    assert {first, second} <= set(patients_needing_a_care_team())


def test_a_lead_whose_account_is_switched_off_no_longer_counts_and_counts_again_when_it_is_back(physician):
    patient = PatientFactory()
    CareTeamMemberFactory(patient=patient, member=physician, is_lead=True)
    physician.is_active = False
    physician.save()
    assert not has_active_lead(patient)
    assert patient in patients_needing_a_care_team()
    physician.is_active = True
    physician.save(update_fields=["is_active"])
    assert has_active_lead(patient)


def test_a_stale_copy_of_the_patient_saved_back_cannot_undo_it(physician):
    patient = PatientFactory()
    stale = Patient.objects.get(pk=patient.pk)  # read before the lead is named: has_active_lead False in memory
    CareTeamMemberFactory(patient=patient, member=physician, is_lead=True)
    stale.given_name = "Renamed"
    stale.save()
    assert has_active_lead(patient)


def test_a_bulk_insert_of_care_teams_marks_every_patient_it_leads(physician, psychologist):
    led, not_led = PatientFactory.create_batch(3), PatientFactory()
    CareTeamMember.objects.bulk_create(
        [CareTeamMember(patient=p, member=physician, is_lead=True) for p in led]
        + [CareTeamMember(patient=not_led, member=psychologist, is_lead=False)]
    )
    assert [has_active_lead(p) for p in led] == [True, True, True]
    assert not has_active_lead(not_led)
