"""The tablet unlock is limited like sign-in and audited, right or wrong (measures.views.kiosk_unlock)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from clinic import sign_in as limits
from clinic.middleware import KIOSK_LOCK

PAUSED_TEXT = b"unlocking is paused for 15 minutes"


@pytest.fixture(autouse=True)
def lockout_policy(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def unlock_url(patient):
    return reverse("measures:kiosk_unlock", kwargs={"public_id": patient.public_id})


@pytest.fixture
def tablet(signed_in, physician, patient):
    """The physician's session, locked to the patient's tablet pages."""
    client = signed_in(physician)
    assert (
        client.get(reverse("measures:kiosk", kwargs={"public_id": patient.public_id, "code": "peg"})).status_code == 200
    )
    return client


def guess(client, patient, times):
    return [client.post(unlock_url(patient), {"password": f"guess {n}"}).status_code for n in range(times)]


def unlock_events(patient):
    events = AuditEvent.objects.filter(patient=patient, target__startswith="clinic tablet: unlock").order_by("id")
    return list(events.values_list("target", flat=True))


def test_it_pauses_the_unlock_after_as_many_wrong_passwords_as_sign_in_allows(tablet, patient, password):
    assert guess(tablet, patient, 5) == [400, 400, 400, 400, 429]

    response = tablet.post(unlock_url(patient), {"password": password})

    assert response.status_code == 429
    assert PAUSED_TEXT in response.content
    assert tablet.session[KIOSK_LOCK] == str(patient.public_id)
    assert tablet.get("/").status_code == 302  # still locked to the tablet


def test_the_right_password_still_unlocks_after_four_wrong_ones(tablet, patient, password):
    guess(tablet, patient, 4)

    response = tablet.post(unlock_url(patient), {"password": password})

    assert response.status_code == 302
    assert KIOSK_LOCK not in tablet.session


def test_a_successful_unlock_forgets_earlier_wrong_passwords(tablet, patient, password, physician):
    guess(tablet, patient, 4)
    tablet.post(unlock_url(patient), {"password": password})

    assert limits.failures_in_window(limits.KIOSK_UNLOCK, physician.username, minutes=15) == 0


def test_the_unlock_opens_again_after_the_cool_off(tablet, patient, password, monkeypatch):
    guess(tablet, patient, 5)
    later = limits.time.time() + 16 * 60
    monkeypatch.setattr(limits.time, "time", lambda: later)

    assert tablet.post(unlock_url(patient), {"password": password}).status_code == 302


def test_the_paused_page_still_offers_signing_out(tablet, patient):
    guess(tablet, patient, 5)

    page = tablet.get(unlock_url(patient))
    assert PAUSED_TEXT in page.content
    assert reverse("logout").encode() in page.content
    assert tablet.post(reverse("logout"))["Location"] == reverse("login")


def test_it_audits_every_wrong_and_right_unlock_in_words(tablet, patient, password, physician):
    guess(tablet, patient, 2)
    tablet.post(unlock_url(patient), {"password": password})

    events = AuditEvent.objects.filter(patient=patient, target__startswith="clinic tablet: unlock").order_by("id")
    assert unlock_events(patient) == [
        "clinic tablet: unlock refused, wrong password",
        "clinic tablet: unlock refused, wrong password",
        "clinic tablet: unlocked",
    ]
    assert {event.actor_id for event in events} == {physician.pk}
    assert all("guess" not in event.target and password not in event.target for event in events)


def test_it_audits_attempts_refused_while_paused(tablet, patient, password):
    guess(tablet, patient, 5)
    tablet.post(unlock_url(patient), {"password": password})

    assert unlock_events(patient)[-1] == "clinic tablet: unlock refused, paused"
    assert len(unlock_events(patient)) == 6


def test_an_enormous_password_is_refused_without_being_checked(tablet, patient):
    response = tablet.post(unlock_url(patient), {"password": "p" * 100_000})
    assert response.status_code == 400
