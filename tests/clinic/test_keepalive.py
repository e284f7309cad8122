"""The idle warning's "Stay signed in" (clinic/session_views.py) and what staff pages tell it."""

import time

import pytest
from django.urls import reverse

from clinic.middleware import LAST_SEEN, STARTED

KEEPALIVE = reverse("keepalive")
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def session_policy(settings):
    settings.SESSION_IDLE_MINUTES = 15
    settings.SESSION_MAX_HOURS = 12


def set_clock(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[{"last_seen": LAST_SEEN, "started": STARTED}[key]] = now - ago
    session.save()


def test_stay_signed_in_restarts_the_idle_clock(signed_in, physician):
    client = signed_in(physician)
    set_clock(client, last_seen=14 * 60, started=60 * 60)

    response = client.post(KEEPALIVE, **JSON)

    assert response.status_code == 200
    assert response.json()["seconds_left"] == pytest.approx(15 * 60, abs=5)
    assert client.session[LAST_SEEN] == pytest.approx(time.time(), abs=5)


def test_stay_signed_in_never_goes_past_the_maximum_session_length(signed_in, physician):
    client = signed_in(physician)
    set_clock(client, last_seen=60, started=12 * 3600 - 90)

    response = client.post(KEEPALIVE, **JSON)

    assert response.json()["seconds_left"] == pytest.approx(90, abs=5)


def test_a_keepalive_after_the_idle_limit_is_refused_with_401_and_ends_the_session(signed_in, physician):
    client = signed_in(physician)
    set_clock(client, last_seen=15 * 60 + 5)

    response = client.post(KEEPALIVE, **JSON)

    assert response.status_code == 401 and response.json()["signed_out"] is True
    assert "_auth_user_id" not in client.session


def test_a_keepalive_without_a_session_is_401_not_a_redirect(client):
    response = client.post(KEEPALIVE, **JSON)

    assert response.status_code == 401


def test_asking_how_long_is_left_does_not_count_as_activity(signed_in, physician):
    """An idle tab asks before it warns (another tab may have kept the session alive); asking keeps nothing."""
    client = signed_in(physician)
    set_clock(client, last_seen=10 * 60)

    response = client.get(KEEPALIVE, **JSON)

    assert response.status_code == 200 and response.json()["kept"] is False
    assert response.json()["seconds_left"] == pytest.approx(5 * 60, abs=5)
    assert client.session[LAST_SEEN] == pytest.approx(time.time() - 10 * 60, abs=5)


def test_asking_after_the_idle_limit_is_answered_401(signed_in, physician):
    client = signed_in(physician)
    set_clock(client, last_seen=15 * 60 + 5)

    assert client.get(KEEPALIVE, **JSON).status_code == 401


def test_a_page_that_times_out_still_sends_a_page_to_the_sign_in_page_with_next(signed_in, physician):
    client = signed_in(physician)
    set_clock(client, last_seen=15 * 60 + 5)

    response = client.get(reverse("patients:list"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Fpatients%2F"


def test_staff_pages_carry_the_session_clock_and_the_idle_warning(signed_in, physician):
    client = signed_in(physician)
    set_clock(client, last_seen=30)

    page = client.get(reverse("patients:list")).content.decode()

    assert 'data-session-warning-seconds="120"' in page
    assert f'data-keepalive-url="{KEEPALIVE}"' in page
    assert 'role="alertdialog"' in page and "Stay signed in" in page
    left = int(page.split('data-session-seconds-left="')[1].split('"')[0])
    assert 15 * 60 - 40 <= left <= 15 * 60 - 25


def test_the_sign_in_page_has_no_idle_warning(client):
    page = client.get(reverse("login")).content.decode()

    assert "data-session-seconds-left" not in page and "alertdialog" not in page
