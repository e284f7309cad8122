"""Reports that read the whole clinic (the outcomes dashboard, the research export, the bulk FHIR export)
read from a Postgres read replica when one is configured (`DATABASE_REPLICA_URL`), so they never slow the
primary that clinicians write to. Everything else reads and writes the primary.

Reports opt in with `reading_from_replica()`; `ReplicaRouter` sends their reads to the "replica" alias while
the block runs. Writes always go to the primary, and without a replica the block changes nothing."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Reads inside the block go to the replica, if there is one."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_from_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows under the same ids

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"  # the replica follows the primary by replication, never by migrations
