"""`python manage.py fhir_export --out DIR [--by USERNAME] [--patient MRN]`: the FHIR Bulk Data export
(interop/fhir/export.py). `--by` names the clinic admin who answers for the export, and the run is audited as
theirs; without it the audit names the server's command line (whoever holds the server's database credentials)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from clinic.models import User
from interop.fhir.export import CHUNK_SIZE, export_bulk
from patients.models import Patient


class Command(BaseCommand):
    help = "Write the clinic's records (or one patient's) as FHIR R4 NDJSON, one file per resource type."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="The folder to write the NDJSON files into.")
        parser.add_argument(
            "--by",
            help="Username of the clinic admin answering for the export (audited as theirs; without it, as the "
            "server's command line).",
        )
        parser.add_argument("--patient", metavar="MRN", help="Export only this patient's record.")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="Rows per database round trip.")

    def handle(self, *args, out: Path, by: str | None, patient: str | None, chunk_size: int, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be 1 or more.")
        admin = None if by is None else User.objects.filter(username=by).first()
        if by is not None and admin is None:
            raise CommandError("No member of staff has that username.")
        # The MRN is not repeated in any message: it is patient data.
        chosen = None
        if patient is not None:
            chosen = Patient.objects.filter(mrn__iexact=patient.strip()).first()
            if chosen is None:
                raise CommandError("No patient has that MRN.")
        if out.exists() and not out.is_dir():
            raise CommandError("--out must be a folder (it is a file).")
        try:
            result = export_bulk(out=out, by=admin, audit=None, patient=chosen, chunk_size=chunk_size)
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from refused
        except OSError as failed:  # a folder that cannot be written, a full disk: say so, without a traceback
            raise CommandError(f"Could not write the export: {failed.strerror or failed}.") from failed
        for name, count in result.counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(f"Wrote {result.total} resources in {len(result.files)} files to {out}")
