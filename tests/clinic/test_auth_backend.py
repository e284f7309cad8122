"""The role backend (clinic/auth_backends.py): a person's permissions come from their role and discipline, plus
any given to them directly, and every staff page reads them in one query."""

import pytest
from django.contrib.auth.models import Permission

from clinic.models import User

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # no permissions cached on the object yet


def test_the_role_and_discipline_decide_the_groups_permissions(physician, psychologist):
    assert fresh(physician).has_perm("clinic.prescribe_controlled_substances")
    assert not fresh(psychologist).has_perm("clinic.prescribe_controlled_substances")


def test_a_permission_given_to_the_person_directly_counts_too(psychologist):
    permission = Permission.objects.get(codename="prescribe_controlled_substances")
    psychologist.user_permissions.add(permission)
    assert fresh(psychologist).has_perm("clinic.prescribe_controlled_substances")


def test_every_check_in_a_request_is_answered_by_one_query(physician, django_assert_num_queries):
    person = fresh(physician)
    with django_assert_num_queries(1):
        assert person.has_perm("clinic.prescribe_controlled_substances")
        assert person.has_perm("clinic.chart_clinical_notes")
        assert not person.has_perm("patients.register_patient")


def test_an_inactive_account_has_no_permissions(physician):
    physician.is_active = False
    physician.save()
    assert fresh(physician).get_all_permissions() == set()
