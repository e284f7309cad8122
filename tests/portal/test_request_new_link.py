"""'Send me a new link', POST /p/<token>/new-link/: a fresh link for an expired one, at most once a
day, with the very same page whatever the token, and no health information in the message."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic.models import OutboxMessage
from portal.models import PatientLink
from portal.ratelimit import LIMITS
from portal.services import issue_link
from portal.tokens import new_token, token_hash
from tests.factories import PatientFactory

THANKS = b"a new one is on its way"


def expire(link):
    PatientLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=1))


@pytest.fixture
def expired_token(patient_link):
    link, token = patient_link
    expire(link)
    return token


def ask_for_new_link(client, token):
    return client.post(reverse("portal:new_link", args=[token]))


def test_it_queues_one_email_to_the_patient_for_an_expired_link(client, expired_token, patient):
    response = ask_for_new_link(client, expired_token)
    assert response.status_code == 200
    assert THANKS in response.content
    message = OutboxMessage.objects.get()
    assert message.channel == OutboxMessage.Channel.EMAIL
    assert message.to_address == patient.email
    assert message.patient == patient
    assert message.state == OutboxMessage.State.PENDING


def test_the_message_carries_a_fresh_link_that_opens(client, expired_token, patient):
    ask_for_new_link(client, expired_token)
    body = OutboxMessage.objects.get().body
    match = re.search(re.escape(settings.SITE_URL) + r"/p/([A-Za-z0-9_-]+)/", body)
    assert match
    fresh = match.group(1)
    assert fresh != expired_token
    assert PatientLink.objects.get(token_hash=token_hash(fresh)).patient == patient
    assert client.post(reverse("portal:open", args=[fresh]))["Location"] == reverse("portal:home")


def test_the_message_holds_no_health_information(client, expired_token, patient):
    ask_for_new_link(client, expired_token)
    message = OutboxMessage.objects.get()
    text = f"{message.subject}\n{message.body}".lower()
    for detail in (patient.get_primary_condition_display(), patient.primary_condition, patient.mrn):
        assert detail.lower() not in text
    for name in (patient.given_name, patient.preferred_name, patient.family_name):
        assert name.lower() not in text


def test_a_second_request_the_same_day_queues_nothing_more(client, expired_token):
    ask_for_new_link(client, expired_token)
    response = ask_for_new_link(client, expired_token)
    assert THANKS in response.content
    assert OutboxMessage.objects.count() == 1
    assert PatientLink.objects.count() == 2


def test_a_request_the_next_day_queues_another_link(client, expired_token, patient_link):
    ask_for_new_link(client, expired_token)
    link, _ = patient_link
    PatientLink.objects.filter(pk=link.pk).update(renewal_requested_at=timezone.now() - timedelta(hours=25))
    ask_for_new_link(client, expired_token)
    assert OutboxMessage.objects.count() == 2


def test_an_unknown_token_gets_the_very_same_page_and_queues_nothing(client, expired_token):
    known = ask_for_new_link(client, expired_token)
    OutboxMessage.objects.all().delete()
    unknown = ask_for_new_link(client, new_token())
    assert unknown.status_code == known.status_code == 200
    assert unknown.content == known.content
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("change", ["open", "revoked_at"])
def test_it_queues_nothing_for_a_link_still_open_or_revoked(client, patient_link, change):
    link, token = patient_link
    if change != "open":
        PatientLink.objects.filter(pk=link.pk).update(**{change: timezone.now()})
    response = ask_for_new_link(client, token)
    assert THANKS in response.content
    assert not OutboxMessage.objects.exists()
    assert PatientLink.objects.count() == 1


def test_it_texts_a_patient_who_has_no_email(client, db):
    patient = PatientFactory(email="", mobile="555-0199", consents_to_sms=True)
    link, token = issue_link(patient=patient)
    expire(link)
    ask_for_new_link(client, token)
    message = OutboxMessage.objects.get()
    assert (message.channel, message.to_address) == (OutboxMessage.Channel.SMS, "555-0199")


def test_it_sends_nothing_on_a_channel_the_patient_has_not_agreed_to(client, db):
    patient = PatientFactory(
        email="mari@example.test", consents_to_email=False, mobile="555-0199", consents_to_sms=False
    )
    link, token = issue_link(patient=patient)
    expire(link)
    response = ask_for_new_link(client, token)
    assert THANKS in response.content
    assert not OutboxMessage.objects.exists()


def test_it_queues_nothing_when_the_patient_has_no_contact(client, db):
    patient = PatientFactory(email="", mobile="")
    link, token = issue_link(patient=patient)
    expire(link)
    response = ask_for_new_link(client, token)
    assert THANKS in response.content
    assert not OutboxMessage.objects.exists()


def test_it_refuses_a_get(client, expired_token):
    assert client.get(reverse("portal:new_link", args=[expired_token])).status_code == 405
    assert not OutboxMessage.objects.exists()


def test_it_stops_sending_after_the_hourly_limit_but_says_the_same(client, patient):
    limit, _ = LIMITS["renew"]
    tokens = []
    for _ in range(limit + 1):
        link, token = issue_link(patient=patient)
        expire(link)
        tokens.append(token)
    for token in tokens[:limit]:
        ask_for_new_link(client, token)
    assert OutboxMessage.objects.count() == limit
    response = ask_for_new_link(client, tokens[limit])
    assert response.status_code == 200
    assert THANKS in response.content
    assert OutboxMessage.objects.count() == limit
