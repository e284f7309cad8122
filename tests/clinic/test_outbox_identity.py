"""Every outbox message carries a stable identity the far side can de-duplicate by: the same Message-ID (email)
or reference (SMS) on every attempt, including the resend after a worker died between the provider accepting the
message and the row being marked sent. A live sender renews its claim, so it is never overtaken; an SMS backend
that can be asked about a reference turns the resend of an accepted copy into "marked sent"."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from clinic import services
from clinic.models import OutboxMessage
from clinic.services import CLAIM_LEASE, CLAIM_RENEW_EVERY, claim_due_messages, deliver_message, queue_message
from clinic.sms import LocmemSmsBackend

pytestmark = pytest.mark.django_db


class TransportDown(Exception):
    pass


def an_email() -> OutboxMessage:
    return queue_message(channel="email", to_address="maria@example.org", subject="Hello", body="A check-in.")


def a_text() -> OutboxMessage:
    return queue_message(channel="sms", to_address="+15550100123", body="A check-in.")


def message_ids() -> list[str]:
    return [sent.message()["Message-ID"] for sent in mail.outbox]


def worker_died_after_sending(message: OutboxMessage) -> None:
    """As if the provider accepted the message but the worker was killed before marking the row sent."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxMessage.State.SENDING, sent_at=None, claimed_at=timezone.now() - CLAIM_LEASE - timedelta(seconds=1)
    )


def test_an_email_carries_a_message_id_made_from_the_outbox_row_and_the_site(settings):
    settings.SITE_URL = "https://haven.example.org"
    message = an_email()
    assert deliver_message(message_id=message.pk) is True
    assert message_ids() == [f"<outbox-{message.public_id}@haven.example.org>"]


def test_two_emails_have_different_message_ids():
    first, second = an_email(), an_email()
    deliver_message(message_id=first.pk)
    deliver_message(message_id=second.pk)
    assert len(set(message_ids())) == 2


def test_a_retry_after_a_failed_attempt_sends_the_same_message_id(monkeypatch):
    tried = []
    real_send = EmailMessage.send

    def fail_once(self, *args, **kwargs):
        if not tried:
            tried.append(self.message()["Message-ID"])
            raise TransportDown
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", fail_once)
    message = an_email()
    assert deliver_message(message_id=message.pk) is False
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert deliver_message(message_id=message.pk) is True
    assert message_ids() == tried and tried[0]


def test_the_resend_after_a_worker_died_carries_the_same_message_id():
    message = an_email()
    deliver_message(message_id=message.pk)
    worker_died_after_sending(message)
    assert claim_due_messages() == [message.pk]
    assert deliver_message(message_id=message.pk) is True
    first, second = message_ids()
    assert first == second == f"<outbox-{message.public_id}@{settings.SITE_URL.split('//')[1].split(':')[0]}>"


def test_a_text_message_passes_its_reference_to_the_sms_backend_on_every_attempt(sms_outbox):
    message = a_text()
    deliver_message(message_id=message.pk)
    worker_died_after_sending(message)
    claim_due_messages()
    deliver_message(message_id=message.pk)
    assert [text["reference"] for text in sms_outbox] == [f"outbox-{message.public_id}"] * 2


def test_an_sms_backend_without_a_reference_parameter_still_sends(sms_outbox, monkeypatch):
    sent = []

    def old_send(self, *, to, body):
        sent.append((to, body))

    monkeypatch.setattr(LocmemSmsBackend, "send", old_send)
    assert deliver_message(message_id=a_text().pk) is True
    assert sent == [("+15550100123", "A check-in.")]


def test_the_claim_lease_is_short_and_renewed_well_before_it_runs_out():
    assert CLAIM_LEASE.total_seconds() <= 60
    assert CLAIM_RENEW_EVERY * 3 <= CLAIM_LEASE


@pytest.mark.django_db(transaction=True)
def test_a_live_sender_slower_than_the_lease_keeps_its_claim_and_sends_once(monkeypatch, sms_outbox):
    monkeypatch.setattr(services, "CLAIM_LEASE", timedelta(seconds=0.6))
    monkeypatch.setattr(services, "CLAIM_RENEW_EVERY", timedelta(seconds=0.1))
    message = a_text()
    sweeps_during_the_send = []
    real_send = LocmemSmsBackend.send

    def slow_send(self, **kwargs):
        for _ in range(10):  # 2 s, more than three leases, with sweeps running all along
            time.sleep(0.2)
            sweeps_during_the_send.append(claim_due_messages())
        real_send(self, **kwargs)

    monkeypatch.setattr(LocmemSmsBackend, "send", slow_send)

    assert deliver_message(message_id=message.pk) is True
    assert sweeps_during_the_send == [[]] * 10  # never released, never queued again
    assert [text["reference"] for text in sms_outbox] == [f"outbox-{message.public_id}"]
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1


def test_a_stranded_text_the_provider_already_accepted_is_marked_sent_not_sent_again(monkeypatch, sms_outbox):
    monkeypatch.setattr(
        LocmemSmsBackend,
        "accepted",
        lambda self, reference: reference in {text["reference"] for text in sms_outbox},
        raising=False,
    )
    message = a_text()
    deliver_message(message_id=message.pk)
    worker_died_after_sending(message)

    assert claim_due_messages() == [message.pk]
    assert deliver_message(message_id=message.pk) is True

    assert len(sms_outbox) == 1
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.SENT


def test_a_stranded_text_the_provider_never_got_is_sent(monkeypatch, sms_outbox):
    monkeypatch.setattr(LocmemSmsBackend, "accepted", lambda self, reference: False, raising=False)
    message = a_text()
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=1)  # claimed once, killed before sending
    worker_died_after_sending(message)

    claim_due_messages()
    assert deliver_message(message_id=message.pk) is True
    assert [text["reference"] for text in sms_outbox] == [f"outbox-{message.public_id}"]
