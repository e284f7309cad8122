"""What the dashboard's modules share: the database they read and the clinic's "today".

Whole-clinic figures are a few set-based SQL statements (aggregates, windows, grouping sets). They run inside
``interop.replica.reading_from_replica()``; raw SQL asks the router which alias a read goes to, as the ORM
does, so the statements follow the replica when one is configured and the primary otherwise.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connections, router
from django.utils import timezone

from patients.models import Patient


def read_alias() -> str:
    """The alias whole-clinic reads go to now (the replica inside ``reading_from_replica()``, if configured)."""
    return router.db_for_read(Patient) or "default"


def figures_available() -> bool:
    """The figures are Postgres SQL (grouping sets, DISTINCT ON, percentiles): the embedded demo's SQLite has none."""
    return connections[read_alias()].vendor == "postgresql"


def fetch_all(sql: str, params: Mapping[str, Any] | Sequence[Any]) -> list[dict[str, Any]]:
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def fetch_one(sql: str, params: Mapping[str, Any] | Sequence[Any]) -> dict[str, Any]:
    rows = fetch_all(sql, params)
    return rows[0] if rows else {}


def clinic_today() -> datetime.date:
    return timezone.localdate()


def share(numerator: int, denominator: int) -> float | None:
    """A percentage, or None when there is nobody to count (never a misleading 0%)."""
    return None if not denominator else numerator * 100 / denominator
