"""The outbox tasks (clinic/tasks.py), run in-process: thin, id-only and idempotent."""

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from clinic.models import OutboxMessage, WorkerHeartbeat
from clinic.services import queue_message
from clinic.tasks import deliver_outbox_message, record_heartbeat, sweep_outbox

pytestmark = pytest.mark.django_db


def an_email(n: int = 0) -> OutboxMessage:
    return queue_message(
        channel=OutboxMessage.Channel.EMAIL,
        to_address=f"patient{n}@example.test",
        subject="A short check-in from your care team",
        body="Your care team has a short check-in for you.",
    )


def test_the_delivery_task_sends_once_however_often_it_runs():
    message = an_email()

    assert deliver_outbox_message.run(message.id) is True
    assert deliver_outbox_message.run(message.id) is False
    assert deliver_outbox_message.apply(args=[message.id]).get() is False

    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.SENT


def test_the_delivery_task_sends_a_text_through_the_sms_backend(sms_outbox):
    message = queue_message(channel=OutboxMessage.Channel.SMS, to_address="+15550100123", body="A check-in is ready.")

    assert deliver_outbox_message.apply(args=[message.id]).get() is True

    reference = f"outbox-{message.public_id}"
    assert sms_outbox == [{"to": "+15550100123", "body": "A check-in is ready.", "reference": reference}]


def test_the_sweep_queues_only_message_ids(monkeypatch):
    queued = []
    monkeypatch.setattr(deliver_outbox_message, "delay", lambda *args, **kwargs: queued.append((args, kwargs)))
    messages = [an_email(n) for n in range(3)]

    assert sweep_outbox.run() == 3

    assert sorted(queued) == sorted(((m.id,), {}) for m in messages)
    assert not mail.outbox


def test_the_sweep_delivers_every_due_message_once(eager_celery):
    for n in range(3):
        an_email(n)

    assert sweep_outbox.apply().get() == 3
    assert sweep_outbox.apply().get() == 0

    assert sorted(m.to[0] for m in mail.outbox) == [f"patient{n}@example.test" for n in range(3)]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxMessage.State.SENT}


def test_a_message_queued_twice_by_overlapping_sweeps_is_sent_once(eager_celery):
    message = an_email()
    deliver_outbox_message.delay(message.id)
    deliver_outbox_message.delay(message.id)

    assert len(mail.outbox) == 1


def test_the_delivery_task_acknowledges_late_and_retries_database_errors():
    assert deliver_outbox_message.acks_late is True
    assert OperationalError in deliver_outbox_message.autoretry_for
    assert deliver_outbox_message.max_retries == 5


def test_the_heartbeat_task_records_when_the_worker_last_ran():
    record_heartbeat.run()

    beat = WorkerHeartbeat.objects.get(name="worker")
    assert (timezone.now() - beat.beat_at).total_seconds() < 5

    record_heartbeat.run()
    assert WorkerHeartbeat.objects.count() == 1
