"""What the tests that start a real Celery worker share (tests/clinic/test_outbox_worker.py, tests/reliability/)."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection


def worker_database_url() -> str:
    """DATABASE_URL with the database name swapped for the test database's: the worker writes where the test reads."""
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
