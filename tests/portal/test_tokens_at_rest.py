"""No raw patient-link token at rest: once a message carrying a link is sent (or given up on), its
stored body is a token-free note, no database row holds the token, and the patient still got a link
that opens."""

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import models
from django.urls import reverse
from django.utils import timezone

from clinic.models import OutboxMessage
from clinic.outbox_secrets import GAVE_UP_NOTE, SENT_NOTE
from clinic.services import deliver_message, queue_message
from measures.scheduling import create_invitation
from patients.intake_services import send_intake_link
from portal.models import PatientLink
from portal.services import link_message, link_url

LINK = re.compile(re.escape(settings.SITE_URL) + r"/p/([A-Za-z0-9_-]+)/")


def rows_containing(text: str) -> list[str]:
    """Every stored value, in every table of the app, with `text` in one of its text or JSON columns."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                hits = [value for value in model.objects.values_list(field.attname, flat=True) if text in str(value)]
            elif isinstance(field, (models.CharField, models.TextField)):
                hits = list(model.objects.filter(**{f"{field.attname}__contains": text}).values_list("pk", flat=True))
            else:
                continue
            found += [f"{model._meta.label}.{field.attname}"] * len(hits)
    return found


def deliver_everything() -> None:
    for message_id in OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).values_list("id", flat=True):
        assert deliver_message(message_id=message_id)


def received_token() -> str:
    """The token in the one email the patient received."""
    assert len(mail.outbox) == 1
    match = LINK.search(mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def assert_the_received_link_opens(client, token: str) -> None:
    response = client.post(reverse("portal:open", args=[token]))  # "Continue" on the link's page
    assert response.status_code == 302
    assert response["Location"] in (reverse("portal:home"), reverse("portal:intake_resume"))


def test_a_renewed_link_is_not_kept_in_the_outbox_once_sent(client, patient_link):
    link, old_token = patient_link
    PatientLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=1))
    client.post(reverse("portal:new_link", args=[old_token]))

    deliver_everything()

    token = received_token()
    assert rows_containing(token) == []
    assert OutboxMessage.objects.get().body == SENT_NOTE
    assert_the_received_link_opens(client, token)


def test_an_intake_link_is_not_kept_in_the_outbox_once_sent(client, patient, coordinator):
    sent = send_intake_link(patient=patient, by=coordinator)

    deliver_everything()

    token = received_token()
    assert link_url(token) == sent.url
    assert rows_containing(token) == []
    assert OutboxMessage.objects.get().body == SENT_NOTE
    assert_the_received_link_opens(client, token)


def test_a_questionnaire_invitation_is_not_kept_in_the_outbox_once_sent(client, patient):
    _, token = create_invitation(patient=patient, due_on=timezone.localdate(), instrument_codes=["phq9"])
    assert token

    deliver_everything()

    assert received_token() == token
    assert rows_containing(token) == []
    assert OutboxMessage.objects.get().body == SENT_NOTE
    assert_the_received_link_opens(client, token)


def test_the_sent_note_keeps_the_subject_and_says_no_link_is_kept(patient):
    subject, body = link_message(link_url("a-raw-token-for-this-test"))
    message = queue_message(channel="email", to_address=patient.email, subject=subject, body=body, patient=patient)

    deliver_message(message_id=message.id)

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert (message.subject, message.body) == (subject, "[sent; the link is not kept]")


def test_a_staff_message_keeps_its_words_with_any_patient_link_redacted(physician):
    body = "Please check the link http://testserver/p/a-raw-token-for-this-test/ and call back."
    message = queue_message(channel="email", to_address="staff@example.test", body=body, staff=physician)

    deliver_message(message_id=message.id)

    message.refresh_from_db()
    assert message.body == "Please check the link http://testserver/p/[redacted]/ and call back."
    assert "a-raw-token-for-this-test" in mail.outbox[0].body


class Refused(Exception):
    pass


@pytest.fixture
def refusing_mail(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise Refused

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)


def test_a_message_waiting_for_a_retry_still_carries_its_link(patient, refusing_mail):
    subject, body = link_message(link_url("a-raw-token-for-this-test"))
    message = queue_message(channel="email", to_address=patient.email, subject=subject, body=body, patient=patient)

    assert deliver_message(message_id=message.id) is False

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    assert message.body == body


def test_a_message_given_up_on_forgets_its_link(patient, refusing_mail):
    subject, body = link_message(link_url("a-raw-token-for-this-test"))
    message = queue_message(channel="email", to_address=patient.email, subject=subject, body=body, patient=patient)
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=OutboxMessage.MAX_ATTEMPTS - 1)

    assert deliver_message(message_id=message.id) is False

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED
    assert message.body == GAVE_UP_NOTE
    assert rows_containing("a-raw-token-for-this-test") == []
