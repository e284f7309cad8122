"""The admin site (clinic/admin_site.py) is open to clinic admins only, whatever is_staff says."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.two_step import app_code, give_app

ADMIN_INDEX = "/admin/"
ADMIN_LOGIN = "/admin/login/"


def test_it_sends_anonymous_visitors_to_the_admin_sign_in(client, db):
    response = client.get(ADMIN_INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)


@pytest.mark.parametrize("member", ["physician", "psychologist", "coordinator", "outsider"])
def test_it_refuses_everyone_but_clinic_admins(signed_in, request, member):
    client = signed_in(request.getfixturevalue(member))

    response = client.get(ADMIN_INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)


def test_it_refuses_a_clinician_even_with_is_staff(signed_in, physician):
    physician.is_staff = True
    physician.save(update_fields=["is_staff"])
    client = signed_in(physician)

    assert client.get(ADMIN_INDEX).status_code == 302
    assert client.get(reverse("admin:clinic_user_changelist")).status_code == 302


def test_it_opens_to_a_clinic_admin(signed_in, clinic_admin):
    client = signed_in(clinic_admin)

    response = client.get(ADMIN_INDEX)

    assert response.status_code == 200
    assert b"Haven administration" in response.content


def test_it_lets_a_clinic_admin_manage_staff_accounts(signed_in, clinic_admin, physician):
    client = signed_in(clinic_admin)

    response = client.get(reverse("admin:clinic_user_changelist"))

    assert response.status_code == 200
    assert physician.username.encode() in response.content


def test_a_clinic_admin_can_sign_in_on_the_admin_sign_in_page(client, clinic_admin):
    assert not clinic_admin.is_staff

    response = client.post(ADMIN_LOGIN, {"username": clinic_admin.username, "password": PASSWORD, "next": ADMIN_INDEX})

    assert response.status_code == 302
    assert response["Location"] == ADMIN_INDEX
    second_step = client.get(ADMIN_INDEX)  # then the code from their authenticator app (clinic/two_factor.py)
    assert second_step["Location"] == "/accounts/two-step/?next=%2Fadmin%2F"
    assert client.post(second_step["Location"], {"code": app_code(give_app(clinic_admin))})["Location"] == ADMIN_INDEX
    assert client.get(ADMIN_INDEX).status_code == 200


def test_the_admin_sign_in_page_refuses_a_clinician_with_is_staff(client, physician):
    physician.is_staff = True
    physician.save(update_fields=["is_staff"])

    response = client.post(ADMIN_LOGIN, {"username": physician.username, "password": PASSWORD, "next": ADMIN_INDEX})

    assert response.status_code == 200
    assert b"clinic admin account" in response.content
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_page_refuses_an_inactive_admin(client, clinic_admin):
    clinic_admin.is_active = False
    clinic_admin.save(update_fields=["is_active"])

    response = client.post(ADMIN_LOGIN, {"username": clinic_admin.username, "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
