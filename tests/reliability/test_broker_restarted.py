"""The test's own Redis stopped in the middle of a batch and started again, empty (no persistence), as
losing the broker is: /health/ says so at once, nothing is lost (the sweep queues again what the broker
lost), nothing goes twice, and the worker's heartbeat is back as soon as it has reconnected."""

import time

import pytest
from django.utils import timezone

from clinic.models import WorkerHeartbeat
from clinic.views import broker_status, worker_status
from tests.reliability.conftest import HEARTBEAT_SECONDS, a_batch_of_texts, all_sent, references

pytestmark = pytest.mark.worker

BATCH = 30
STOP_AFTER = 10


def test_a_broker_stopped_and_restarted_mid_batch_loses_nothing_and_sends_nothing_twice(rig, settings):
    settings.CELERY_BROKER_URL = rig.broker.url  # /health/'s checks look at this Redis
    messages = a_batch_of_texts(BATCH)
    rig.start_worker()
    rig.run_until(lambda: worker_status()["ok"], seconds=30, what="the worker's first heartbeat")

    rig.run_until(lambda: len(rig.texts()) >= STOP_AFTER, seconds=60, what=f"{STOP_AFTER} texts")
    rig.broker.stop()
    assert broker_status()["ok"] is False  # at once, not minutes later
    assert worker_status(broker_ok=False)["ok"] is False
    sent_while_down = len(rig.texts())
    time.sleep(3)
    rig.beat()  # refused: the broker is down

    rig.broker.start()
    back_at, returned = time.monotonic(), timezone.now()
    assert broker_status()["ok"] is True
    rig.run_until(
        lambda: WorkerHeartbeat.objects.filter(name="worker", beat_at__gte=returned).exists(),
        seconds=30,
        what="the reconnected worker's heartbeat",
    )
    reconnected = time.monotonic() - back_at
    rig.run_until(lambda: all_sent(messages), seconds=60, what="every message to be sent")
    all_sent_after = time.monotonic() - back_at

    copies = rig.copies_per_reference()
    assert set(copies) == references(messages)  # nothing lost
    assert set(copies.values()) == {1}  # nothing twice
    assert sent_while_down < BATCH
    assert worker_status()["ok"] is True
    assert reconnected < 15 + HEARTBEAT_SECONDS
    print(f"\nbroker down after {sent_while_down} of {BATCH}; after it returned: worker back {reconnected:.1f} s,")
    print(f"all sent {all_sent_after:.1f} s")
