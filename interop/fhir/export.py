"""The bulk export in the FHIR Bulk Data format: one NDJSON file per resource type (`Patient.ndjson`, ...), one
resource per line, for the whole clinic or one patient.

Streaming in constant memory: each source's rows are read with `.iterator(chunk_size=...)` (its prefetches run
once per chunk), and each resource is written as soon as it is made, so neither the rows nor the file are held
in memory. The number of queries depends on the number of chunks, not of patients. Reads go to the read replica
when one is configured (interop.replica), all in one snapshot (one_snapshot), so the files agree with each other.

Audit: one event per run, written when the run ends (finished or failed), with the count of each type: for one
patient it is on that patient's record (their "who looked at my record" report shows it); for the whole clinic
it is one clinic-wide event, as a list page's is, because 50,000 rows of "exported" per run would bury each
patient's report in bulk runs and still say nothing the clinic-wide event does not.
"""

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import connections, router, transaction
from django.db.models import QuerySet

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.bulk_export import may_run_bulk_export
from clinic.models import User
from interop.replica import reading_from_replica
from patients.models import Patient

from .measures import preload_specs
from .registry import entries_of, type_names

CHUNK_SIZE = 2000  # rows per database round trip (and per prefetch): memory stays at a chunk's worth


@dataclass
class ExportResult:
    counts: dict[str, int] = field(default_factory=dict)  # FHIR type -> resources written, in export order
    files: list[Path] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def export_bulk(
    *,
    out: Path,
    by: User | None,
    audit: AuditContext | None,
    patient: Patient | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ExportResult:
    """Write `<Type>.ndjson` into `out` (created if missing) for the whole clinic, or for one patient.

    Preconditions: `by` is an active clinic admin (else PermissionDenied, audited as refused), or None for the
    server's own command line (someone with the server's database credentials), which the audit names as such.
    A type with no
    resources gets no file (and an older export's file of that type in `out` is removed, so the folder is one
    export). Each file is written under a temporary name and renamed when complete, so a failed run never
    leaves a half-written file under a real name.
    """
    if by is not None and not may_run_bulk_export(by):
        record_event(actor=by, context=audit, patient=patient, action=Action.REFUSED, target="FHIR bulk export")
        raise PermissionDenied("Only clinic admins run the bulk FHIR export.")
    patients = None if patient is None else Patient.objects.filter(pk=patient.pk)
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    try:
        with reading_from_replica(), one_snapshot():
            preload_specs()
            for name in type_names():
                write_type(out, name, patients, chunk_size, result)
    except BaseException:
        record_run(by=by, audit=audit, patient=patient, result=result, finished=False)
        raise
    record_run(by=by, audit=audit, patient=patient, result=result, finished=True)
    return result


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Every read of the run sees the same moment (one REPEATABLE READ, READ ONLY transaction), so a resource
    never refers to one that was added after its type's file was written. Inside a transaction already (a test's),
    the snapshot is that transaction's and its isolation cannot be changed: it is kept."""
    alias = router.db_for_read(Patient)
    connection = connections[alias]
    already_in_one = connection.in_atomic_block
    with transaction.atomic(using=alias):
        if not already_in_one:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def write_type(out: Path, name: str, patients: QuerySet[Patient] | None, chunk_size: int, result: ExportResult) -> None:
    final, partial = out / f"{name}.ndjson", out / f".{name}.ndjson.partial"
    try:
        with partial.open("w", encoding="utf-8") as file:
            count = write_lines(file, resources_of(name, patients, chunk_size))
    except BaseException:
        partial.unlink(missing_ok=True)  # nothing half-written stays behind
        raise
    if count:
        os.replace(partial, final)
        result.files.append(final)
        result.counts[name] = count
    else:
        partial.unlink()
        final.unlink(missing_ok=True)


def resources_of(name: str, patients: QuerySet[Patient] | None, chunk_size: int) -> Iterable[dict]:
    for resource in entries_of(name):
        for row in resource.rows(patients).iterator(chunk_size=chunk_size):
            yield resource.to_fhir(row)


def write_lines(file, resources: Iterable[dict]) -> int:
    count = 0
    for resource in resources:
        file.write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")))
        file.write("\n")
        count += 1
    return count


def run_summary(result: ExportResult, *, finished: bool) -> str:
    """The audit event's target: counts only (types and numbers are not patient data). Fits the 200 characters."""
    counts = ", ".join(f"{count} {name}" for name, count in result.counts.items())
    words = "FHIR bulk export" if finished else "FHIR bulk export (failed)"
    return f"{words}: {counts or 'nothing'}"[:200]


#: The audit's actor for an export run on the server with no staff member named (`fhir_export` without --by).
SERVER_COMMAND_LINE = "the server's command line (manage.py fhir_export)"


def record_run(
    *, by: User | None, audit: AuditContext | None, patient: Patient | None, result: ExportResult, finished: bool
):
    record_event(
        actor=by,
        actor_label=None if by is not None else SERVER_COMMAND_LINE,
        context=audit,
        patient=patient,
        action=Action.EXPORT,
        target=run_summary(result, finished=finished),
    )
