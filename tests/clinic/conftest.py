"""Fixtures shared by the clinic tests (the cast lives in tests/conftest.py)."""

import pytest

from clinic.celery import app as celery_app
from clinic.sms import LocmemSmsBackend
from tests.clock import clinic_day_edge  # noqa: F401 (a fixture)


@pytest.fixture
def sms_outbox(settings):
    """Text messages go to memory; returns the list of sent messages (emptied for each test)."""
    settings.SMS_BACKEND = "clinic.sms.LocmemSmsBackend"
    LocmemSmsBackend.sent.clear()
    yield LocmemSmsBackend.sent
    LocmemSmsBackend.sent.clear()


@pytest.fixture
def eager_celery():
    """Run Celery tasks in-process (as the embedded demo does) for the duration of one test."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield celery_app
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before
