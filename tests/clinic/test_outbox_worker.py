"""The outbox through a real Celery worker process and a real Redis broker.

The worker runs `celery -A clinic worker` against the test database, a Redis database kept for
tests and a queue of its own, and sends text messages with FileSmsBackend to a file this test
reads. Tasks are sent to it as production sends them (apply_async / delay on the broker).
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from clinic.celery import app as celery_app
from clinic.models import OutboxMessage
from clinic.services import queue_message
from clinic.tasks import deliver_outbox_message, sweep_outbox
from launcher import stop
from tests.workers import worker_database_url

pytestmark = pytest.mark.worker

TEST_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
WAIT_SECONDS = 30


class Worker:
    def __init__(self, queue: str, sms_file: Path, log_file: Path):
        self.queue, self.sms_file, self.log_file = queue, sms_file, log_file

    def send(self, task, *args):
        """Publish a task to this worker's queue on the test broker (never the development one)."""
        with celery_app.connection_for_write(TEST_BROKER_URL) as conn:
            task.apply_async(args=args, queue=self.queue, connection=conn)

    def texts(self) -> list[dict]:
        if not self.sms_file.exists():
            return []
        return [json.loads(line) for line in self.sms_file.read_text().splitlines()]

    def log(self) -> str:
        return self.log_file.read_text() if self.log_file.exists() else ""


@pytest.fixture
def worker(transactional_db, tmp_path):
    broker = redis.Redis.from_url(TEST_BROKER_URL)
    # A queue of its own, removed afterwards: never flushdb, which would empty the queues of another test run
    # on this machine (a second `make test` in another time zone shares this Redis database).
    queue = f"haven-test-{uuid.uuid4().hex[:12]}"
    sms_file, log_file = tmp_path / "sms.jsonl", tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": TEST_BROKER_URL,
        "REDIS_URL": TEST_BROKER_URL,
        "SMS_BACKEND": "clinic.sms.FileSmsBackend",
        "SMS_FILE_PATH": str(sms_file),
        # The messaging sweeps send only in message hours (tested in-process with a pinned clock); this worker
        # runs on the real clock, at whatever hour the suite runs.
        "MESSAGE_HOURS_START": "0",
        "MESSAGE_HOURS_END": "24",
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "clinic",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--loglevel=warning",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--",
        f"task.default_queue={queue}",  # so the sweep's own .delay() calls reach this worker too
    ]
    with log_file.open("w") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield Worker(queue, sms_file, log_file)
    finally:
        stop([process])
        for key in broker.scan_iter(f"*{queue}*"):  # the queue and kombu's bindings for it
            broker.delete(key)
        broker.close()


def wait_until(condition, worker: Worker, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"Timed out after {WAIT_SECONDS} s waiting for {what}. Worker log:\n{worker.log()}")


def a_text(n: int = 0) -> OutboxMessage:
    return queue_message(
        channel=OutboxMessage.Channel.SMS, to_address=f"+1555010{n:04d}", body="Your care team has a check-in."
    )


def state_of(message: OutboxMessage) -> str:
    return OutboxMessage.objects.values_list("state", flat=True).get(pk=message.pk)


def test_a_real_worker_sends_a_message_exactly_once_when_the_task_is_sent_twice(worker):
    message, marker = a_text(0), a_text(1)

    worker.send(deliver_outbox_message, message.id)
    worker.send(deliver_outbox_message, message.id)
    worker.send(deliver_outbox_message, marker.id)

    # One solo worker runs its queue in order: once the marker is sent, both earlier tasks have run.
    wait_until(lambda: state_of(marker) == OutboxMessage.State.SENT, worker, "the tasks to run")
    assert state_of(message) == OutboxMessage.State.SENT
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1
    assert [text["to"] for text in worker.texts()] == ["+15550100000", "+15550100001"]
    assert worker.texts()[0]["body"] == "Your care team has a check-in."


def test_a_real_worker_runs_the_sweep_end_to_end(worker):
    messages = [a_text(n) for n in range(3)]

    worker.send(sweep_outbox)

    wait_until(
        lambda: all(state_of(m) == OutboxMessage.State.SENT for m in messages), worker, "the sweep to deliver all"
    )
    assert sorted(t["to"] for t in worker.texts()) == ["+15550100000", "+15550100001", "+15550100002"]
