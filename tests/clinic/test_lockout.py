"""Sign-in lockout (django-axes): failures for one account from one address lock that pair."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.urls import reverse

LOCKED_TEXT = b"Too many unsuccessful sign-in attempts"


@pytest.fixture(autouse=True)
def lockout_policy(settings):
    """The clinic's policy (also the defaults): 5 failures lock the account for 15 minutes."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="127.0.0.1"):
    return [sign_in(client, username, "not the password", address).status_code for _ in range(times)]


def is_signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_it_locks_the_account_after_five_failures(client, physician, password):
    statuses = fail(client, physician.username, 5)
    assert statuses[:4] == [200, 200, 200, 200]

    response = sign_in(client, physician.username, password)

    assert response.status_code == 429
    assert LOCKED_TEXT in response.content
    assert b"locked on this device for 15 minutes" in response.content
    assert not is_signed_in(client)


def test_it_shows_the_locked_page_on_the_fifth_failure(client, physician):
    statuses = fail(client, physician.username, 5)
    assert statuses == [200, 200, 200, 200, 429]


def test_it_still_signs_in_after_four_failures(client, physician, password):
    fail(client, physician.username, 4)

    response = sign_in(client, physician.username, password)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_it_forgets_earlier_failures_after_a_successful_sign_in(client, physician, password):
    fail(client, physician.username, 4)
    sign_in(client, physician.username, password)
    client.post(reverse("logout"))

    statuses = fail(client, physician.username, 4)

    assert statuses == [200, 200, 200, 200]
    assert sign_in(client, physician.username, password).status_code == 302


def test_it_does_not_lock_a_different_account(client, physician, psychologist, password):
    fail(client, physician.username, 5)

    response = sign_in(client, psychologist.username, password)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_it_does_not_lock_the_same_account_on_another_device(client, physician, password):
    fail(client, physician.username, 5, address="10.0.0.7")

    response = sign_in(client, physician.username, password, address="10.0.0.8")

    assert response.status_code == 302


def test_it_lets_the_person_sign_in_again_after_the_cool_off(client, physician, password):
    fail(client, physician.username, 5)
    assert sign_in(client, physician.username, password).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))

    response = sign_in(client, physician.username, password)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_it_keeps_the_lock_until_the_cool_off_has_passed(client, physician, password):
    fail(client, physician.username, 5)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=14))

    assert sign_in(client, physician.username, password).status_code == 429


def test_it_unlocks_the_account_when_an_admin_resets_it(client, physician, password):
    fail(client, physician.username, 5)

    assert reset(username=physician.username) == 1

    assert sign_in(client, physician.username, password).status_code == 302


def test_it_keeps_the_typed_username_on_the_locked_page_but_never_the_password(client, physician):
    fail(client, physician.username, 4)

    response = sign_in(client, physician.username, "my secret guess")

    assert response.status_code == 429
    assert f'value="{physician.username}"'.encode() in response.content
    assert b"my secret guess" not in response.content


def test_it_records_no_password_in_the_failure_log(client, physician):
    fail(client, physician.username, 1)

    attempt = AccessAttempt.objects.get()
    assert "not the password" not in attempt.post_data
