"""The patient rule (clinic/access/patients.py): patients_visible_to, may_see_patient and get_patient_for_user
agree; and every object type in clinic/access/ has its rule in both forms."""

import importlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from clinic.access import get_patient_for_user, may_see_patient, patients_visible_to
from tests.factories import CareTeamMemberFactory

CAST = ["physician", "psychologist", "coordinator", "outsider", "clinic_admin"]


def can_open(user, patient) -> bool:
    try:
        return get_patient_for_user(user, patient.public_id) == patient
    except Http404:
        return False


def test_team_clinicians_see_their_patient_and_not_others(physician, psychologist, patient, other_patient):
    for clinician in (physician, psychologist):
        assert list(patients_visible_to(clinician)) == [patient]
        assert get_patient_for_user(clinician, patient.public_id) == patient
        with pytest.raises(Http404):
            get_patient_for_user(clinician, other_patient.public_id)


def test_a_clinician_on_no_team_sees_no_patient(outsider, patient, other_patient):
    assert not patients_visible_to(outsider).exists()
    with pytest.raises(Http404):
        get_patient_for_user(outsider, patient.public_id)


def test_joining_a_team_opens_that_patient_only(outsider, patient, other_patient):
    CareTeamMemberFactory(patient=other_patient, member=outsider)

    assert list(patients_visible_to(outsider)) == [other_patient]
    assert can_open(outsider, other_patient)
    assert not can_open(outsider, patient)


@pytest.mark.parametrize("member", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_see_every_patient(request, member, patient, other_patient):
    user = request.getfixturevalue(member)

    assert set(patients_visible_to(user)) == {patient, other_patient}
    assert can_open(user, patient) and can_open(user, other_patient)


@pytest.mark.parametrize("member", CAST)
def test_an_inactive_account_sees_no_patient(request, member, patient, other_patient):
    user = request.getfixturevalue(member)
    user.is_active = False

    assert not patients_visible_to(user).exists()
    assert not can_open(user, patient)
    assert not can_open(user, other_patient)


def test_an_anonymous_visitor_sees_no_patient(patient):
    assert not patients_visible_to(AnonymousUser()).exists()
    with pytest.raises(Http404):
        get_patient_for_user(AnonymousUser(), patient.public_id)


def test_an_unknown_id_is_a_404_even_for_an_admin(clinic_admin):
    with pytest.raises(Http404):
        get_patient_for_user(clinic_admin, "6f1c0f2e-5a55-4c7e-9d3a-0d5f3b7f2a11")


@pytest.mark.parametrize("member", CAST)
def test_the_list_rule_and_the_single_patient_rule_agree(request, member, patient, other_patient):
    user = request.getfixturevalue(member)
    listed = set(patients_visible_to(user))

    for someone in (patient, other_patient):
        assert can_open(user, someone) == (someone in listed), someone


@pytest.mark.parametrize("member", CAST)
def test_the_single_object_check_agrees_with_the_list_for_a_patient_from_elsewhere(
    request, member, patient, other_patient
):
    from patients.models import Patient

    user = request.getfixturevalue(member)
    listed = set(patients_visible_to(user))

    for someone in (patient, other_patient):
        assert may_see_patient(user, Patient.objects.get(pk=someone.pk)) == (someone in listed), someone


OBJECT_RULES = {
    "visit_notes": ("visit_notes_visible_to", "may_see_visit_note"),
    "psychotherapy_notes": ("psychotherapy_notes_visible_to", "may_see_psychotherapy_note"),
    "plans": ("plans_visible_to", "may_see_plan"),
    "medication_lines": ("medication_lines_visible_to", "may_see_medication_line"),
    "referrals": ("referrals_visible_to", "may_see_referral"),
    "tasks": ("tasks_visible_to", "may_see_task"),
    "schedules": ("schedules_visible_to", "may_see_schedule"),
}


@pytest.mark.parametrize("module", sorted(OBJECT_RULES))
def test_every_object_type_has_one_module_with_its_list_and_single_object_rule(module):
    rules = importlib.import_module(f"clinic.access.{module}")
    for name in OBJECT_RULES[module]:
        assert callable(getattr(rules, name)), f"clinic.access.{module}.{name}"


def test_the_list_rule_is_one_query_whatever_the_caseload(physician, django_assert_num_queries):
    for _ in range(20):
        CareTeamMemberFactory(member=physician)

    with django_assert_num_queries(1):
        assert len(list(patients_visible_to(physician))) == 21


def test_a_clinician_with_an_open_task_about_a_patient_may_open_the_chart_until_it_is_done(outsider, patient):
    from clinic.services import create_task

    task = create_task(title="Urgent alert", source="alert", source_key="t:1", patient=patient, assignee=outsider)
    assert get_patient_for_user(outsider, patient.public_id) == patient
    task.mark_done(by=outsider)
    with pytest.raises(Http404):
        get_patient_for_user(outsider, patient.public_id)


def test_a_service_asking_about_a_patient_from_elsewhere_checks_the_team_itself(outsider, physician, patient):
    """A task, a command or the admin hands services a patient that did not come through get_patient_for_user:
    the team rule is then checked against the database, not assumed."""
    from clinic.access import is_on_team, is_team_clinician, may_chart
    from patients.models import Patient

    from_elsewhere = Patient.objects.get(pk=patient.pk)
    assert not is_on_team(outsider, from_elsewhere)
    assert not is_team_clinician(outsider, from_elsewhere)
    assert not may_chart(outsider, from_elsewhere)
    assert is_on_team(physician, Patient.objects.get(pk=patient.pk))
    assert may_chart(physician, Patient.objects.get(pk=patient.pk))


def test_a_patient_reached_through_the_rule_is_on_the_team_with_no_further_query(
    physician, patient, django_assert_num_queries
):
    from clinic.access import is_on_team

    reached = get_patient_for_user(physician, patient.public_id)
    with django_assert_num_queries(0):
        assert is_on_team(physician, reached)
