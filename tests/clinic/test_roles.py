"""Permissions follow role and discipline (clinic/roles.py, clinic/auth_backends.py) through the
groups created by clinic/migrations/0002_role_groups.py."""

import pytest
from django.contrib.auth.models import Group

from clinic.models import User
from clinic.roles import Discipline, Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def permissions_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def fresh(user) -> User:
    """The user as the next request would load them (permission caches are per object)."""
    return User.objects.get(pk=user.pk)


def person(role=Role.CLINICIAN, discipline=Discipline.NURSE, **fields) -> User:
    return fresh(StaffFactory(role=role, discipline=discipline, **fields))


def test_the_data_migration_creates_the_five_role_groups():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Clinicians", "Coordinators", "Clinic admins", "Prescribers", "Pharmacists"} <= names


def test_the_prescribers_group_grants_only_controlled_substance_prescribing():
    assert permissions_of("Prescribers") == {"clinic.prescribe_controlled_substances"}


def test_the_pharmacists_group_grants_only_medication_annotation():
    assert permissions_of("Pharmacists") == {"clinic.annotate_medications"}


def test_the_clinicians_group_charts_but_does_not_register_or_prescribe():
    perms = permissions_of("Clinicians")
    assert {"patients.view_patient", "clinic.chart_clinical_notes"} <= perms
    assert "patients.register_patient" not in perms
    assert "clinic.prescribe_controlled_substances" not in perms


def test_the_coordinators_group_registers_patients_and_sends_links():
    perms = permissions_of("Coordinators")
    assert {"patients.register_patient", "clinic.coordinate_care", "clinic.send_patient_links"} <= perms
    assert "audit.view_access_report" not in perms


def test_the_clinic_admins_group_sees_access_reports_and_manages_staff():
    perms = permissions_of("Clinic admins")
    assert {"audit.view_access_report", "clinic.manage_staff", "clinic.change_user"} <= perms
    assert "clinic.prescribe_controlled_substances" not in perms


@pytest.mark.parametrize(
    "discipline, may_prescribe",
    [
        (Discipline.PHYSICIAN, True),
        (Discipline.NURSE_PRACTITIONER, True),
        (Discipline.NURSE, False),
        (Discipline.PSYCHOLOGIST, False),
        (Discipline.PHARMACIST, False),
        (Discipline.PHYSICAL_THERAPIST, False),
    ],
)
def test_only_physicians_and_nurse_practitioners_prescribe_controlled_substances(discipline, may_prescribe):
    clinician = person(discipline=discipline)
    assert clinician.has_perm("clinic.prescribe_controlled_substances") is may_prescribe


def test_a_physician_who_is_an_admin_by_role_does_not_prescribe():
    assert not person(role=Role.ADMIN, discipline=Discipline.PHYSICIAN).has_perm(
        "clinic.prescribe_controlled_substances"
    )


def test_a_pharmacist_annotates_medications_and_a_physician_does_not():
    assert person(discipline=Discipline.PHARMACIST).has_perm("clinic.annotate_medications")
    assert not person(discipline=Discipline.PHYSICIAN).has_perm("clinic.annotate_medications")


def test_coordinators_and_admins_register_patients_and_clinicians_do_not(coordinator, clinic_admin, physician):
    assert fresh(coordinator).has_perm("patients.register_patient")
    assert fresh(clinic_admin).has_perm("patients.register_patient")
    assert not fresh(physician).has_perm("patients.register_patient")


def test_only_clinic_admins_see_the_access_report(coordinator, clinic_admin, physician, psychologist):
    assert fresh(clinic_admin).has_perm("audit.view_access_report")
    for other in (coordinator, physician, psychologist):
        assert not fresh(other).has_perm("audit.view_access_report"), other.username


def test_a_role_change_takes_effect_without_touching_groups(physician):
    assert not fresh(physician).has_perm("audit.view_access_report")

    User.objects.filter(pk=physician.pk).update(role=Role.ADMIN)

    promoted = fresh(physician)
    assert promoted.has_perm("audit.view_access_report")
    assert not promoted.has_perm("clinic.prescribe_controlled_substances")
    assert promoted.groups.count() == 0


def test_a_discipline_change_takes_effect_at_once(psychologist):
    User.objects.filter(pk=psychologist.pk).update(discipline=Discipline.NURSE_PRACTITIONER)

    assert fresh(psychologist).has_perm("clinic.prescribe_controlled_substances")


def test_stored_group_membership_grants_nothing(physician):
    """Membership is derived from the role, so a stray group row cannot widen anyone's rights."""
    physician.groups.add(Group.objects.get(name="Clinic admins"))

    assert not fresh(physician).has_perm("audit.view_access_report")


def test_an_inactive_account_has_no_permissions(physician):
    User.objects.filter(pk=physician.pk).update(is_active=False)

    assert fresh(physician).get_all_permissions() == set()
