"""Sign-in input bounds and the per-account cap on guesses from many addresses (clinic/sign_in.py)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.urls import reverse

from clinic import sign_in as limits

WRONG = b"correct username and password"


@pytest.fixture(autouse=True)
def policy(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 100


def sign_in(client, username, password, address="127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def guess_from_many_addresses(client, username, guesses, per_address=4):
    """Stay under axes' per-(account, address) lock: a few guesses from each of many addresses."""
    statuses = []
    for n in range(guesses):
        address = f"198.51.{n // per_address // 250}.{n // per_address % 250 + 1}"
        statuses.append(sign_in(client, username, f"guess {n}", address).status_code)
    return statuses


@pytest.mark.django_db
def test_a_256_character_username_gets_the_calm_wrong_password_answer(client):
    client.raise_request_exception = True

    response = sign_in(client, "u" * 256, "anything")

    assert response.status_code == 200
    assert WRONG in response.content
    assert not AccessAttempt.objects.exists()
    assert not AccessFailureLog.objects.exists()


@pytest.mark.django_db
def test_a_username_that_grows_past_the_limit_when_normalised_is_refused_calmly(client):
    # U+FDFA normalises (NFKC) to 18 characters.
    response = sign_in(client, "\ufdfa" * 10, "anything")
    assert response.status_code == 200 and WRONG in response.content
    assert not AccessAttempt.objects.exists()


def test_a_username_at_the_column_limit_is_still_checked_and_counted(client, physician):
    response = sign_in(client, "u" * 150, "anything")
    assert response.status_code == 200 and WRONG in response.content
    assert AccessAttempt.objects.get().username == "u" * 150


def test_an_enormous_password_is_refused_without_being_checked(client, physician):
    response = sign_in(client, physician.username, "p" * 100_000)
    assert response.status_code == 200 and WRONG in response.content
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_a_too_long_username_on_the_admin_sign_in_is_refused_calmly(client):
    client.raise_request_exception = True
    response = client.post(reverse("admin:login"), {"username": "a" * 300, "password": "x"})
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()


def test_guesses_from_many_addresses_stop_being_checked_after_the_hourly_account_limit(
    client, physician, password, settings
):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 20
    statuses = guess_from_many_addresses(client, physician.username, 20)
    assert statuses == [200] * 20
    checked_before = AccessAttempt.objects.count()

    # A 21st guess from yet another address, even the right password, gets the usual answer.
    response = sign_in(client, physician.username, password, address="203.0.113.77")

    assert response.status_code == 200 and WRONG in response.content
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.count() == checked_before  # not checked, nothing written


def test_the_default_cap_is_one_hundred_failures_an_hour_from_25_addresses(client, physician, password):
    guess_from_many_addresses(client, physician.username, 100)  # 25 addresses, 4 guesses each

    assert limits.failures_in_window(limits.SIGN_IN, physician.username) == 100
    response = sign_in(client, physician.username, password, address="203.0.113.77")
    assert WRONG in response.content and "_auth_user_id" not in client.session


def test_the_owner_still_signs_in_from_their_usual_address_when_the_account_is_over_the_cap(
    client, physician, password, settings
):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 20
    assert sign_in(client, physician.username, password, address="10.1.1.1").status_code == 302
    client.post(reverse("logout"))
    guess_from_many_addresses(client, physician.username, 20)

    response = sign_in(client, physician.username, password, address="10.1.1.1")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(physician.pk)


def test_the_cap_counts_case_variants_of_the_username_together(client, physician, settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 3
    for n, name in enumerate(["dr.okafor", "DR.OKAFOR", "Dr.Okafor"]):
        sign_in(client, name, "guess", address=f"198.51.100.{n + 1}")
    assert limits.failures_in_window(limits.SIGN_IN, "dr.okafor") == 3


def test_the_cap_lifts_once_the_failures_are_an_hour_old(client, physician, password, settings, monkeypatch):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 5
    guess_from_many_addresses(client, physician.username, 5, per_address=1)
    assert limits.refused_for_account(physician.username, "203.0.113.77")

    later = limits.time.time() + 61 * 60
    monkeypatch.setattr(limits.time, "time", lambda: later)

    assert not limits.refused_for_account(physician.username, "203.0.113.77")
    assert sign_in(client, physician.username, password, address="203.0.113.77").status_code == 302


def test_the_cap_of_one_account_leaves_other_accounts_alone(client, physician, psychologist, password, settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 5
    guess_from_many_addresses(client, physician.username, 5, per_address=1)

    assert sign_in(client, psychologist.username, password, address="203.0.113.77").status_code == 302


def test_the_usernames_are_not_stored_in_the_cache_keys(physician):
    assert physician.username not in limits.account_key(physician.username)
