"""StaffSessionLimitsMiddleware: sessions end after the idle limit and after the maximum length."""

import time

import pytest
from django.urls import reverse

from clinic.middleware import LAST_SEEN, STARTED

IDLE_TEXT = b"You were signed out after 15 minutes without activity"
MAX_AGE_TEXT = b"You were signed out because your session reached 12 hours"


@pytest.fixture(autouse=True)
def session_policy(settings):
    settings.SESSION_IDLE_MINUTES = 15
    settings.SESSION_MAX_HOURS = 12


@pytest.fixture
def staff_client(signed_in, physician):
    """The physician, signed in, after one page (which starts the session clock)."""
    client = signed_in(physician)
    assert client.get(reverse("home")).status_code == 200
    return client


def set_clock(client, *, idle_seconds: float | None = None, age_seconds: float | None = None) -> None:
    """Pretend the last request was `idle_seconds` ago and the session began `age_seconds` ago."""
    session = client.session
    now = time.time()
    if idle_seconds is not None:
        session[LAST_SEEN] = now - idle_seconds
    if age_seconds is not None:
        session[STARTED] = now - age_seconds
    session.save()


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_it_starts_the_session_clock_on_the_first_page(staff_client):
    session = staff_client.session
    assert session[STARTED] == pytest.approx(time.time(), abs=5)
    assert session[LAST_SEEN] == pytest.approx(time.time(), abs=5)


def test_it_signs_out_after_the_idle_limit_and_says_why_on_the_sign_in_page(staff_client):
    set_clock(staff_client, idle_seconds=15 * 60 + 5)

    response = staff_client.get(reverse("patients:list"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert response.request["PATH_INFO"] == reverse("login")
    assert IDLE_TEXT in response.content
    assert not is_signed_in(staff_client)


def test_it_shows_no_patient_data_to_a_session_that_timed_out(staff_client, patient):
    set_clock(staff_client, idle_seconds=16 * 60)

    response = staff_client.get(reverse("patients:chart", args=[patient.public_id]))

    assert response.status_code == 302
    assert patient.family_name.encode() not in response.content


def test_it_keeps_a_session_that_is_used_within_the_idle_limit(staff_client):
    set_clock(staff_client, idle_seconds=14 * 60)
    assert staff_client.get(reverse("home")).status_code == 200

    # The request above counted as activity.
    assert staff_client.session[LAST_SEEN] == pytest.approx(time.time(), abs=5)

    # Another 14 minutes of quiet: 28 minutes in all, but never 15 in a row.
    set_clock(staff_client, idle_seconds=14 * 60)
    assert staff_client.get(reverse("home")).status_code == 200
    assert is_signed_in(staff_client)


def test_it_records_activity_at_most_once_a_minute(staff_client):
    set_clock(staff_client, idle_seconds=10)
    seen = staff_client.session[LAST_SEEN]

    staff_client.get(reverse("home"))

    assert staff_client.session[LAST_SEEN] == seen


def test_it_signs_out_after_the_maximum_session_length_even_when_active(staff_client):
    set_clock(staff_client, idle_seconds=30, age_seconds=12 * 3600 + 5)

    response = staff_client.get(reverse("home"), follow=True)

    assert response.request["PATH_INFO"] == reverse("login")
    assert MAX_AGE_TEXT in response.content
    assert not is_signed_in(staff_client)


def test_it_keeps_an_active_session_just_under_the_maximum_length(staff_client):
    set_clock(staff_client, idle_seconds=30, age_seconds=12 * 3600 - 60)

    assert staff_client.get(reverse("home")).status_code == 200


def test_it_tells_htmx_to_load_the_sign_in_page_when_the_session_timed_out(staff_client):
    set_clock(staff_client, idle_seconds=16 * 60)

    response = staff_client.get(
        reverse("patients:list"),
        {"q": "garcia"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/patients/?q=garcia"},
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/sign-in/?next=%2Fpatients%2F%3Fq%3Dgarcia"
    assert not is_signed_in(staff_client)


def test_it_brings_the_person_back_to_their_page_after_signing_in_again(staff_client, physician, password):
    set_clock(staff_client, idle_seconds=16 * 60)
    sign_in_url = staff_client.get(reverse("patients:list"), {"q": "garcia"})["Location"]

    response = staff_client.post(sign_in_url, {"username": physician.username, "password": password})

    assert response.status_code == 302
    assert response["Location"] == "/patients/?q=garcia"


def test_it_starts_a_fresh_clock_after_signing_in_again(staff_client, physician, password):
    set_clock(staff_client, idle_seconds=30, age_seconds=13 * 3600)
    staff_client.get(reverse("home"))
    staff_client.post(reverse("login"), {"username": physician.username, "password": password})

    assert staff_client.get(reverse("home")).status_code == 200
    assert staff_client.session[STARTED] == pytest.approx(time.time(), abs=5)
