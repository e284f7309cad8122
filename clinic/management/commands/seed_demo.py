"""Seed a believable demo clinic: staff of every discipline, patients with care teams.

Idempotent: staff have fixed usernames and patients fixed MRNs, so a second run adds nothing.
`--patients 50000` builds a large clinic for the benchmark in bulk, batch by batch.
"""

import time

from django.core.management.base import BaseCommand, CommandParser

from clinic import demo


class Command(BaseCommand):
    help = "Create the demo clinic (staff, patients, care teams); safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=60, help="How many demo patients in all (default 60).")
        parser.add_argument(
            "--batch-size", type=int, default=demo.BATCH_SIZE, help="Patients per insert (default 5000)."
        )

    def handle(self, *args, patients: int, batch_size: int, **options) -> None:
        started = time.monotonic()
        total = demo.SeedResult(staff=demo.seed_staff())
        for batch in demo.seed_patients(max(patients, 1), batch_size=batch_size):
            total.patients += batch.patients
            total.team_members += batch.team_members
            if patients >= 10 * batch_size and batch.patients:
                self.stdout.write(f"  ... {total.patients} patients so far ({time.monotonic() - started:.1f} s)")
        self.report(total, seconds=time.monotonic() - started)

    def report(self, total: demo.SeedResult, *, seconds: float) -> None:
        if not (total.staff or total.patients or total.team_members):
            self.stdout.write(f"The demo clinic is already in place; nothing added ({seconds:.1f} s).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {total.staff} staff, {total.patients} patients and {total.team_members} "
                f"care-team memberships in {seconds:.1f} s."
            )
        )
