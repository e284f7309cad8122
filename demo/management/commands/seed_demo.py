"""Seed a believable demo clinic: staff of every discipline, patients with care teams, their consents,
the default measurement schedule and months of questionnaire history (improvers, non-improvers and
one patient whose PHQ-9 raised a safety alert).

Idempotent: staff have fixed usernames and patients fixed MRNs, and a patient who has answered any
questionnaire is left alone, so a second run adds nothing.
`--patients 50000 --responses-per-patient 10` builds the benchmark's clinic (500,000 responses) in bulk.
"""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

import demo.charts
import demo.clinic
import demo.day
import demo.duty
import demo.history
import demo.intakes
import demo.logs
import demo.medications
import demo.plans
import demo.team
import demo.two_step


class Command(BaseCommand):
    help = "Create the demo clinic (staff, patients, care teams, schedules, questionnaire history); safe to rerun."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=60, help="How many demo patients in all (default 60).")
        parser.add_argument(
            "--batch-size", type=int, default=demo.clinic.BATCH_SIZE, help="Patients per insert (default 5000)."
        )
        parser.add_argument(
            "--responses-per-patient",
            type=int,
            default=None,
            help=(
                "Completed questionnaires per patient (the benchmark uses 10). Default: each patient's own "
                "history of one to six months (PEG every 2 weeks, PHQ-9 and GAD-7 every 4). "
                "The demo patient always has about 5 months."
            ),
        )

    def handle(self, *args, patients: int, batch_size: int, responses_per_patient: int | None, **options) -> None:
        if responses_per_patient is not None and responses_per_patient < 0:
            raise CommandError("--responses-per-patient cannot be negative.")
        patients = max(patients, 1)
        verbose = patients >= 10 * batch_size
        started = time.monotonic()
        total = demo.clinic.SeedResult(staff=demo.clinic.seed_staff())
        demo.two_step.seed_two_step()  # the demo clinic admin's authenticator app and recovery codes
        for batch in demo.clinic.seed_patients(patients, batch_size=batch_size):
            total.add(batch)
            if verbose and batch.patients:
                self.stdout.write(f"  ... {total.patients} patients so far ({time.monotonic() - started:.1f} s)")
        patients_done = time.monotonic()
        for batch in demo.history.seed_histories(
            patients, responses_per_patient=responses_per_patient, batch_size=batch_size
        ):
            total.add(batch)
            if verbose and batch.responses:
                self.stdout.write(f"  ... {total.responses} responses so far ({time.monotonic() - started:.1f} s)")
        finished = time.monotonic()
        self.report(total, seconds=finished - started, history_seconds=finished - patients_done)
        self.seed_records(patients)

    def seed_records(self, patients: int) -> None:
        """The clinical record of the first demo patients: charts, intakes, plans and logs, medications,
        referrals and the team's work. Each seeder adds only what is missing."""
        lines = []
        if rota := demo.duty.seed_duty():  # first: urgent work seeded below is routed by the rota
            lines.append(f"{rota} rota slots, a medical lead and one clinician away")
        charts = demo.charts.seed_charts(patients)
        if charts.patients:
            lines.append(f"{charts.encounters} visits and {charts.problems} problems for {charts.patients} patients")
        if intakes := demo.intakes.seed_intakes(patients):
            lines.append(f"{intakes} completed intakes")
        plans = demo.plans.seed_plans(patients)
        if plans.plans:
            lines.append(f"{plans.plans} care plans with {plans.goals} goals and {plans.sprints} sprints")
        logs = demo.logs.seed_logs(patients)
        if logs.logs or logs.sessions:
            lines.append(f"{logs.logs} daily logs and {logs.sessions} pacing sessions")
        medications = demo.medications.seed_medications(patients)
        if medications.lines:
            lines.append(f"{medications.lines} medication lines for {medications.patients} patients")
        if referrals := demo.clinic.seed_demo_referrals(patients):
            lines.append(f"{referrals} referrals")
        team = demo.team.seed_team(patients)
        if team.tasks or team.conferences or team.messages:
            lines.append(f"{team.tasks} team tasks, {team.messages} team messages, {team.conferences} case conferences")
        if day := demo.day.seed_day():
            lines.append(f"{day} appointments today for the demo physician")
        if lines:
            self.stdout.write("Added " + "; ".join(lines) + ".")

    def report(self, total: demo.clinic.SeedResult, *, seconds: float, history_seconds: float) -> None:
        if not any((total.staff, total.patients, total.team_members, total.schedules, total.responses)):
            self.stdout.write(f"The demo clinic is already in place; nothing added ({seconds:.1f} s).")
            return
        alerts = f"{total.alerts} safety alert" + ("" if total.alerts == 1 else "s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {total.staff} staff, {total.patients} patients and {total.team_members} "
                f"care-team memberships, {total.schedules} measurement schedules, {total.responses} completed "
                f"questionnaires ({history_seconds:.1f} s) and {alerts} in {seconds:.1f} s."
            )
        )
