"""The Celery app: configured from Django settings (CELERY_* names), tasks found per app.

Each worker also writes its own heartbeat (``WorkerHeartbeat``, read by /health/) from a consumer bootstep:
at once when it connects to the broker and every HEARTBEAT_SECONDS while it stays connected. When the
connection is lost Celery stops the consumer's steps, so the heartbeats stop; when it reconnects they start
again with one written at once, so /health/ is green again the moment the worker consumes again.
"""

import logging
import os
import threading

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

logger = logging.getLogger(__name__)

app = Celery("haven")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class Heartbeat(bootsteps.StartStopStep):
    """Writes the worker heartbeat from a thread while the consumer is connected (started after the task
    consumer, stopped on connection loss and at shutdown)."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.stopping: threading.Event | None = None

    def start(self, parent):
        self.stop(parent)
        self.stopping = threading.Event()
        threading.Thread(target=beat_until, args=(self.stopping,), name="haven-heartbeat", daemon=True).start()

    def stop(self, parent):
        if self.stopping is not None:
            self.stopping.set()
            self.stopping = None

    shutdown = stop


def beat_until(stopping: threading.Event) -> None:
    from django.conf import settings
    from django.db import connection

    from clinic.services import record_heartbeat

    try:
        while not stopping.is_set():
            try:
                record_heartbeat()
            except Exception:  # the database is down: /health/ says so; keep trying
                logger.warning("worker heartbeat: could not write", exc_info=True)
                connection.close()
            stopping.wait(settings.HEARTBEAT_SECONDS)
    finally:
        connection.close()


app.steps["consumer"].add(Heartbeat)
