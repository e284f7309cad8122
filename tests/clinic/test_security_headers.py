"""Permissions-Policy on every response; Cache-Control no-store on every signed-in staff page."""

import uuid

import pytest
from django.urls import reverse

from clinic.middleware import PERMISSIONS_POLICY
from tests.portal.journey import open_link


def assert_restrictive_permissions_policy(response):
    policy = response["Permissions-Policy"]
    assert policy == PERMISSIONS_POLICY
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


def assert_no_store(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "no-store" in directives


@pytest.mark.django_db
def test_the_public_sign_in_page_sends_a_restrictive_permissions_policy(client):
    assert_restrictive_permissions_policy(client.get(reverse("login")))


@pytest.mark.django_db
def test_static_files_send_the_permissions_policy_but_are_still_cacheable(client):
    response = client.get("/static/vendor/bootstrap.min.css")
    assert response.status_code == 200
    assert_restrictive_permissions_policy(response)
    assert "no-store" not in response.get("Cache-Control", "")


def test_patient_portal_pages_send_the_permissions_policy_and_keep_their_private_headers(client, patient_link):
    _, token = patient_link
    response = open_link(client, token, follow=True)
    assert b"Hello, Mari" in response.content
    assert_restrictive_permissions_policy(response)
    assert response["Referrer-Policy"] == "same-origin"
    assert_no_store(response)


def test_staff_pages_about_a_patient_are_never_stored(signed_in, physician, patient):
    client = signed_in(physician)
    for url in (
        reverse("home"),
        "/patients/",
        reverse("patients:chart", args=[patient.public_id]),
        "/worklist/",
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_no_store(response)
        assert_restrictive_permissions_policy(response)


def test_task_pages_are_never_stored_even_when_not_found(signed_in, physician):
    response = signed_in(physician).get(f"/tasks/{uuid.uuid4()}/")
    assert response.status_code == 404
    assert_no_store(response)


def test_a_signed_in_static_file_is_not_marked_no_store(signed_in, physician):
    response = signed_in(physician).get("/static/vendor/bootstrap.min.css")
    assert "no-store" not in response.get("Cache-Control", "")
