"""The message outbox (clinic/services.py): queue in the caller's transaction, claim, send once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic import services
from clinic.models import OutboxMessage
from clinic.services import CLAIM_LEASE, REQUEUE_AFTER, claim_due_messages, deliver_message, queue_message
from clinic.sms import LocmemSmsBackend

pytestmark = pytest.mark.django_db

Pending, Sending, Sent, Failed = (
    OutboxMessage.State.PENDING,
    OutboxMessage.State.SENDING,
    OutboxMessage.State.SENT,
    OutboxMessage.State.FAILED,
)


def an_email(**fields) -> OutboxMessage:
    defaults = dict(
        channel=OutboxMessage.Channel.EMAIL,
        to_address="maria@example.test",
        subject="A short check-in from your care team",
        body="Your care team has a short check-in for you: http://testserver/p/abc",
    )
    return queue_message(**{**defaults, **fields})


def a_text(**fields) -> OutboxMessage:
    defaults = dict(channel=OutboxMessage.Channel.SMS, to_address="+15550100123", body="Your care team has a check-in.")
    return queue_message(**{**defaults, **fields})


def reload(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


class TransportDown(Exception):
    pass


def transport_down(*args, **kwargs):
    raise TransportDown("the gateway refused the message")


# --- queue_message --------------------------------------------------------------------------


def test_it_queues_a_pending_message_due_now():
    message = an_email()

    assert message.state == Pending
    assert message.attempts == 0
    assert message.next_attempt_at <= timezone.now()
    assert not mail.outbox


def test_it_writes_the_message_in_the_callers_transaction_and_rolls_back_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        an_email()
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the caller's work failed")

    assert not OutboxMessage.objects.exists()


def test_a_dedupe_key_keeps_one_row(patient):
    first = an_email(patient=patient, dedupe_key="invitation:42:reminder:1")
    second = an_email(patient=patient, dedupe_key="invitation:42:reminder:1", body="a different body")

    assert second.pk == first.pk
    assert OutboxMessage.objects.count() == 1
    assert reload(first).body == first.body


def test_messages_without_a_dedupe_key_are_all_kept():
    an_email()
    an_email()

    assert OutboxMessage.objects.count() == 2


# --- deliver_message ------------------------------------------------------------------------


def test_it_sends_an_email_once_and_marks_it_sent():
    message = an_email()

    assert deliver_message(message_id=message.id) is True

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["maria@example.test"]
    assert sent.subject == "A short check-in from your care team"
    assert sent.body == message.body
    message = reload(message)
    assert message.state == Sent
    assert message.sent_at is not None
    assert message.attempts == 1


def test_a_second_delivery_sends_nothing():
    message = an_email()
    deliver_message(message_id=message.id)

    assert deliver_message(message_id=message.id) is False

    assert len(mail.outbox) == 1
    assert reload(message).attempts == 1


def test_a_message_being_sent_by_another_worker_is_not_sent_again():
    message = an_email()
    OutboxMessage.objects.filter(pk=message.pk).update(state=Sending, claimed_at=timezone.now())

    assert deliver_message(message_id=message.id) is False
    assert not mail.outbox


def test_an_unknown_message_sends_nothing():
    assert deliver_message(message_id=987654321) is False


def test_a_text_message_goes_through_the_sms_backend(sms_outbox):
    message = a_text()

    assert deliver_message(message_id=message.id) is True

    reference = f"outbox-{message.public_id}"
    assert sms_outbox == [{"to": "+15550100123", "body": "Your care team has a check-in.", "reference": reference}]
    assert not mail.outbox
    assert reload(message).state == Sent


def test_a_failing_transport_leaves_the_message_pending_with_a_backoff(sms_outbox, monkeypatch):
    def down(self, *, to, body):
        raise TransportDown(f"could not deliver {body!r} to {to}")

    monkeypatch.setattr(LocmemSmsBackend, "send", down)
    message = a_text()
    before = timezone.now()

    assert deliver_message(message_id=message.id) is False

    message = reload(message)
    assert message.state == Pending
    assert message.attempts == 1
    assert message.claimed_at is None
    assert before + timedelta(minutes=1) <= message.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    assert message.last_error == "TransportDown"  # the type only: never the content or the address


def test_a_failed_message_is_not_due_again_until_its_backoff_passes(sms_outbox, monkeypatch):
    monkeypatch.setattr(LocmemSmsBackend, "send", transport_down)
    message = a_text()
    deliver_message(message_id=message.id)

    assert claim_due_messages() == []
    assert claim_due_messages(now=timezone.now() + timedelta(minutes=1, seconds=1)) == [message.id]


def test_it_backs_off_longer_each_time_and_gives_up_after_the_maximum_attempts(monkeypatch):
    monkeypatch.setattr(EmailMessage, "send", transport_down)
    message = an_email()
    delays = []

    for _ in range(OutboxMessage.MAX_ATTEMPTS):
        started = timezone.now()
        deliver_message(message_id=message.id)
        delays.append(round((reload(message).next_attempt_at - started).total_seconds() / 60))

    message = reload(message)
    assert message.state == Failed
    assert message.attempts == OutboxMessage.MAX_ATTEMPTS == 5
    assert delays[:4] == [1, 4, 16, 64]
    assert deliver_message(message_id=message.id) is False
    assert reload(message).attempts == 5
    assert claim_due_messages(now=timezone.now() + timedelta(days=30)) == []


def test_it_sends_after_an_earlier_failure_once_the_transport_is_back(monkeypatch):
    message = an_email()
    with monkeypatch.context() as patched:
        patched.setattr(EmailMessage, "send", transport_down)
        deliver_message(message_id=message.id)

    assert deliver_message(message_id=message.id) is True
    assert len(mail.outbox) == 1
    message = reload(message)
    assert (message.state, message.attempts, message.last_error) == (Sent, 2, "TransportDown")


@pytest.mark.django_db(transaction=True)
def test_it_never_sends_inside_a_database_transaction(monkeypatch):
    in_transaction = []
    real_send = EmailMessage.send

    def send(self, *args, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    message = an_email()
    deliver_message(message_id=message.id)

    assert in_transaction == [False]


# --- claim_due_messages (the sweep's query) ---------------------------------------------------


def test_it_claims_every_due_message_once_until_the_requeue_time_passes():
    due = [an_email().id for _ in range(3)]
    later = an_email()
    now = timezone.now()
    OutboxMessage.objects.filter(pk=later.pk).update(next_attempt_at=now + timedelta(hours=1))

    assert sorted(claim_due_messages(now=now)) == sorted(due)
    assert claim_due_messages(now=now) == []
    assert claim_due_messages(now=now + REQUEUE_AFTER - timedelta(seconds=1)) == []
    assert sorted(claim_due_messages(now=now + REQUEUE_AFTER)) == sorted(due)


def test_it_does_not_claim_sent_or_failed_messages():
    sent, failed = an_email(), an_email()
    OutboxMessage.objects.filter(pk=sent.pk).update(state=Sent)
    OutboxMessage.objects.filter(pk=failed.pk).update(state=Failed)

    assert claim_due_messages() == []


def test_it_claims_the_longest_waiting_messages_first_up_to_the_limit():
    now = timezone.now()
    ids = [an_email().id for _ in range(4)]
    for minutes, message_id in zip([10, 40, 30, 20], ids, strict=True):
        OutboxMessage.objects.filter(pk=message_id).update(next_attempt_at=now - timedelta(minutes=minutes))

    assert claim_due_messages(now=now, limit=2) == [ids[1], ids[2]]
    assert claim_due_messages(now=now, limit=2) == [ids[3], ids[0]]


def test_it_releases_a_sending_claim_abandoned_longer_than_the_lease():
    now = timezone.now()
    abandoned, working = an_email(), an_email()
    OutboxMessage.objects.filter(pk=abandoned.pk).update(
        state=Sending, claimed_at=now - CLAIM_LEASE - timedelta(seconds=1)
    )
    OutboxMessage.objects.filter(pk=working.pk).update(
        state=Sending, claimed_at=now - CLAIM_LEASE + timedelta(minutes=1)
    )

    assert claim_due_messages(now=now) == [abandoned.id]

    abandoned, working = reload(abandoned), reload(working)
    assert (abandoned.state, abandoned.claimed_at) == (Pending, None)
    assert working.state == Sending
    assert deliver_message(message_id=abandoned.id) is True
    assert deliver_message(message_id=working.id) is False


@pytest.mark.parametrize("how_many", [1, 50])
def test_the_sweep_query_count_does_not_grow_with_the_number_of_due_messages(how_many, django_assert_max_num_queries):
    OutboxMessage.objects.bulk_create(
        OutboxMessage(channel=OutboxMessage.Channel.EMAIL, to_address=f"p{n}@example.test", body="hello")
        for n in range(how_many)
    )

    with django_assert_max_num_queries(5):
        assert len(claim_due_messages()) == how_many


def test_the_sweep_runs_the_same_queries_for_one_or_fifty_due_messages():
    def sweep_queries(how_many):
        OutboxMessage.objects.all().delete()
        OutboxMessage.objects.bulk_create(
            OutboxMessage(channel=OutboxMessage.Channel.EMAIL, to_address="p@example.test", body="hello")
            for _ in range(how_many)
        )
        with CaptureQueriesContext(connection) as queries:
            claim_due_messages()
        return len(queries)

    assert sweep_queries(1) == sweep_queries(50)


def test_delivering_one_message_takes_a_constant_number_of_queries(django_assert_max_num_queries):
    message = an_email()

    with django_assert_max_num_queries(3):
        services.deliver_message(message_id=message.id)
