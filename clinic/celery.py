"""The Celery app: configured from Django settings (CELERY_* names), tasks found per app."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("haven")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def announce_worker(**kwargs):
    """Beat records a heartbeat every minute; record one at start-up too, so /health/ is
    green as soon as a worker is up rather than a minute later."""
    app.send_task("clinic.tasks.record_heartbeat")
