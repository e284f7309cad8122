"""Real processes for the reliability tests: a Redis server of the test's own (so stopping it disturbs
nobody), Celery workers started and killed as subprocesses against the test database, and the test itself
acting as beat (it sends the outbox sweep every half second)."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings

from clinic.celery import app as celery_app
from clinic.models import OutboxMessage
from clinic.services import message_reference, queue_message
from clinic.tasks import sweep_outbox
from launcher import any_free_port
from tests.workers import worker_database_url

# Short enough for a test: the claim lease (production: 60 s), the re-queue delay for tasks the broker lost
# (production: 120 s) and the heartbeat (production: 10 s).
LEASE_SECONDS = 3
REQUEUE_SECONDS = 6
HEARTBEAT_SECONDS = 1
SWEEP_EVERY = 0.5


def wait_for(condition, *, seconds: float, what: str, log=lambda: ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    pytest.fail(f"Timed out after {seconds} s waiting for {what}.\n{log()}")


class RedisServer:
    """`redis-server` on a free port, in a temporary directory, with no persistence: a restart loses
    every queued task, as losing the broker does."""

    def __init__(self, directory: Path):
        self.directory, self.port, self.process = directory, any_free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with (self.directory / "redis.log").open("a") as log:
            self.process = subprocess.Popen(command, cwd=self.directory, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self.answers, seconds=10, what="redis-server to answer")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False


class Rig:
    """The broker, the workers (one at a time), the provider's file and the test's own beat."""

    def __init__(self, directory: Path, broker: RedisServer):
        self.directory, self.broker, self.worker, self.workers_started = directory, broker, None, 0
        self.sms_backend = "tests.reliability.backends.SlowAnswerFileSmsBackend"
        self.sms_file = directory / "sms.jsonl"

    def start_worker(self):
        self.workers_started += 1
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": self.broker.url,
            "REDIS_URL": self.broker.url,
            "SMS_BACKEND": self.sms_backend,
            "SMS_FILE_PATH": str(self.sms_file),
            "OUTBOX_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS),
            "OUTBOX_REQUEUE_SECONDS": str(REQUEUE_SECONDS),
            "HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
        }
        command = [
            *(str(Path(sys.executable).with_name("celery")), "-A", "clinic", "worker"),
            *("--pool=solo", "--concurrency=1", "--loglevel=warning", "-n", f"reliability{self.workers_started}@%h"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        with self.log_file.open("a") as log:
            log.write(f"--- worker {self.workers_started} ---\n")
            log.flush()
            self.worker = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill_worker(self):
        """SIGKILL, as the kernel's OOM killer or a lost machine does: no cleanup, no acknowledgement."""
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)

    def stop_worker(self):
        if self.worker and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait(timeout=5)

    @property
    def log_file(self) -> Path:
        return self.directory / "worker.log"

    def log(self) -> str:
        return "Worker log:\n" + (self.log_file.read_text() if self.log_file.exists() else "")

    def beat(self):
        """What beat does every OUTBOX_SWEEP_SECONDS; a broker that is down refuses it, as it refuses beat."""
        try:
            with celery_app.connection_for_write(self.broker.url) as conn:
                conn.ensure_connection(max_retries=1, timeout=1)
                sweep_outbox.apply_async(connection=conn, retry=False)
        except Exception:
            pass

    def texts(self) -> list[dict]:
        if not self.sms_file.exists():
            return []
        return [json.loads(line) for line in self.sms_file.read_text().splitlines() if line.strip()]

    def copies_per_reference(self) -> Counter:
        return Counter(text["reference"] for text in self.texts())

    def run_until(self, condition, *, seconds: float, what: str):
        """Be beat until ``condition()``: a sweep every SWEEP_EVERY seconds."""
        deadline, next_sweep = time.monotonic() + seconds, 0.0
        while time.monotonic() < deadline:
            if condition():
                return
            if time.monotonic() >= next_sweep:
                self.beat()
                next_sweep = time.monotonic() + SWEEP_EVERY
            time.sleep(0.01)
        pytest.fail(f"Timed out after {seconds} s waiting for {what}.\n{self.log()}")


@pytest.fixture
def rig(transactional_db, tmp_path):
    broker = RedisServer(tmp_path)
    broker.start()
    rig = Rig(tmp_path, broker)
    try:
        yield rig
    finally:
        rig.stop_worker()
        broker.stop()


def a_batch_of_texts(count: int) -> list[OutboxMessage]:
    return [
        queue_message(
            channel=OutboxMessage.Channel.SMS, to_address=f"+1555010{n:04d}", body="Your care team has a check-in."
        )
        for n in range(count)
    ]


def references(messages) -> set[str]:
    return {message_reference(message) for message in messages}


def states(messages) -> Counter:
    return Counter(OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list("state", flat=True))


def all_sent(messages) -> bool:
    return states(messages) == Counter({OutboxMessage.State.SENT: len(messages)})
