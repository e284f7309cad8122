"""A read replica for the dashboard's tests: a second database alias on the same server, reading the test
database through its own connection (what settings.py builds from DATABASE_REPLICA_URL, with the same
``TEST: {"MIRROR": "default"}``).

The connection handler learns the alias when these tests are collected, so the test database setup makes it a
mirror of the test database and a test may name it in ``django_db(databases=...)``. The app only *uses* a
replica when settings.DATABASES names one (``interop.replica.replica_configured``), and only the ``replica``
fixture puts it there, for one test: every other test, and every other app's ``reading_from_replica()`` block,
reads the primary as before.

Being its own connection, the replica sees only committed rows: a plain test's rows (inside the test's
transaction) are invisible to it, which is what proves a read went there; a test that reads real figures from it
commits its rows (``transaction=True``).
"""

import pytest
from django.conf import settings
from django.db import connections

from interop.replica import REPLICA

WITH_REPLICA = ["default", REPLICA]


def register_replica_alias() -> None:
    """The alias in the connection handler only (not in settings.DATABASES): known to the test database setup."""
    if REPLICA in connections.settings:
        return
    mirror = {**connections.settings["default"], "TEST": {"MIRROR": "default"}}
    connections.__dict__["settings"] = {**connections.settings, REPLICA: mirror}


register_replica_alias()


@pytest.fixture
def replica():
    """The app sees a configured replica for one test; yields its connection."""
    settings.DATABASES[REPLICA] = connections.settings[REPLICA]
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del settings.DATABASES[REPLICA]
