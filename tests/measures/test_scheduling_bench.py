"""The due sweep at clinic scale: 50,000 scheduled patients in under 10 seconds, re-run makes 0 duplicates.

Run the measurement (its own scratch database, never the app's or a test database):

    .venv/bin/python -m tests.measures.test_scheduling_bench            # 50,000 patients
    .venv/bin/python -m tests.measures.test_scheduling_bench --patients 2000

It creates `haven_sweepbench` when missing, migrates it, empties the tables the sweep touches, seeds
N patients with the default protocol all due today (5 schedules each; 10% completed the PEG
yesterday, 5% without consent to be contacted, 1% already messaged today), runs `ANALYZE`, times
`sweep_due_measures`, runs it again, counts duplicates, then times `sweep_reminders` two days on.

The test below runs the same seeding and checks on a few hundred patients in the test database,
so the benchmark cannot rot.
"""

import argparse
import datetime
import os
import platform
import sys
import time

DEFAULT_URL = "postgres:///haven_sweepbench"


def seed(patients: int, *, today: datetime.date, now: datetime.datetime) -> None:
    """Bulk-create patients, their schedules (all due today) and some recent responses and messages."""
    from clinic.models import OutboxMessage
    from measures.models import MeasurementSchedule, Response
    from measures.scheduling import DEFAULT_PROTOCOL
    from measures.services import latest_instrument
    from patients.models import Patient

    people = [
        Patient(
            mrn=f"SB{n:07d}",
            given_name="Bench",
            family_name=f"Patient {n}",
            date_of_birth=datetime.date(1960, 1, 1) + datetime.timedelta(days=n % 15000),
            email=f"bench{n}@example.test",
            consents_to_email=n % 20 != 0,  # 5% gave no consent to be contacted
            search_name=f"bench patient {n}",
            created_at=now,
        )
        for n in range(patients)
    ]
    people = Patient.objects.bulk_create(people, batch_size=5000)
    MeasurementSchedule.objects.bulk_create(
        [
            MeasurementSchedule(
                patient=p, instrument_code=line.instrument_code, every_days=line.every_days, next_due_on=today
            )
            for p in people
            for line in DEFAULT_PROTOCOL
        ],
        batch_size=10000,
    )
    peg = latest_instrument("peg")
    yesterday = now - datetime.timedelta(days=1)
    Response.objects.bulk_create(
        [
            Response(patient=p, instrument=peg, started_at=yesterday, completed_at=yesterday, valid=True)
            for p in people[::10]
        ],
        batch_size=5000,
    )
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(channel="email", to_address=p.email, body="Earlier today.", patient=p, created_at=now)
            for p in people[1::100]
        ],
        batch_size=5000,
    )


def duplicates() -> dict[str, int]:
    """Rows that would be duplicates if the unique rules failed: all must be 0."""
    from django.db import connection

    checks = {
        "invitations per patient and day > 1": (
            "SELECT count(*) FROM (SELECT 1 FROM measures_invitation GROUP BY patient_id, due_on HAVING count(*) > 1) d"
        ),
        "invitation messages per invitation > 1": (
            "SELECT count(*) FROM (SELECT 1 FROM clinic_outboxmessage WHERE dedupe_key LIKE 'invitation:%%' "
            "GROUP BY dedupe_key HAVING count(*) > 1) d"
        ),
        "patients with more than one message today": (
            "SELECT count(*) FROM (SELECT 1 FROM clinic_outboxmessage WHERE patient_id IS NOT NULL "
            "GROUP BY patient_id, (created_at AT TIME ZONE %s)::date HAVING count(*) > 1) d"
        ),
        "questionnaire links not on an invitation": (
            "SELECT count(*) FROM portal_patientlink l WHERE l.purpose = 'questionnaires' "
            "AND NOT EXISTS (SELECT 1 FROM measures_invitation i WHERE i.link_id = l.id)"
        ),
    }
    from django.conf import settings

    found = {}
    with connection.cursor() as cursor:
        for name, query in checks.items():
            cursor.execute(query, [settings.TIME_ZONE] if "%s" in query else [])
            found[name] = cursor.fetchone()[0]
    return found


def counts() -> dict[str, int]:
    from clinic.models import OutboxMessage, TeamTask
    from measures.models import Invitation
    from portal.models import PatientLink

    return {
        "invitations": Invitation.objects.count(),
        "links": PatientLink.objects.count(),
        "messages": OutboxMessage.objects.count(),
        "tasks": TeamTask.objects.count(),
    }


def run_bench(patients: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from measures.sweeps import sweep_due_measures, sweep_reminders

    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE patients_patient, measures_measurementschedule, measures_invitation, measures_response, "
            "portal_patientlink, clinic_outboxmessage, clinic_teamtask, measures_alert RESTART IDENTITY CASCADE"
        )
    started = time.perf_counter()
    seed(patients, today=today, now=now)
    seeded = time.perf_counter() - started
    with connection.cursor() as cursor:
        # As bench/database.py does: a settled table, as in production (VACUUM only outside a test).
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")

    started = time.perf_counter()
    first = sweep_due_measures(today=today, now=now)
    first_seconds = time.perf_counter() - started
    after_first = counts()

    started = time.perf_counter()
    second = sweep_due_measures(today=today, now=now + datetime.timedelta(minutes=5))
    second_seconds = time.perf_counter() - started
    after_second = counts()

    started = time.perf_counter()
    reminders = sweep_reminders(now=now + datetime.timedelta(days=2))
    reminder_seconds = time.perf_counter() - started

    return {
        "patients": patients,
        "seed_seconds": round(seeded, 1),
        "first_sweep_seconds": round(first_seconds, 2),
        "first_sweep": first,
        "second_sweep_seconds": round(second_seconds, 2),
        "second_sweep": second,
        "created_by_second_sweep": {k: after_second[k] - after_first[k] for k in after_first},
        "duplicates": duplicates(),
        "reminder_sweep_seconds": round(reminder_seconds, 2),
        "reminder_sweep": reminders,
        "counts": after_second,
    }


def test_the_bench_seeding_and_checks_work_on_a_few_hundred_patients(db):
    figures = run_bench(300)

    first = figures["first_sweep"]
    assert first.patients_due == 300
    assert first.invitations == 300 and first.no_channel == 15 and first.held_for_tomorrow == 3
    assert first.messages == 300 - 15 - 3
    assert first.skipped_recent == 30 and first.schedules_advanced == 1500
    assert figures["second_sweep"].invitations == 0
    assert figures["created_by_second_sweep"] == {"invitations": 0, "links": 0, "messages": 0, "tasks": 0}
    assert set(figures["duplicates"].values()) == {0}
    assert figures["reminder_sweep"].reminders == first.messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the due sweep at clinic scale.")
    parser.add_argument("--patients", type=int, default=50_000)
    parser.add_argument("--database-url", default=os.environ.get("SWEEP_BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)

    from bench.database import ensure_database, manage

    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "clinic.settings"}
    ensure_database(args.database_url)
    manage("migrate", "--no-input", "-v", "0", env=env)
    os.environ.update({"DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "clinic.settings"})
    import django

    django.setup()
    from django.db import connection

    load_before = os.getloadavg()
    figures = run_bench(args.patients)
    figures["load_average_before_after"] = (load_before, os.getloadavg())
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    machine = f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"machine: {machine}, Postgres {postgres}")
    for key, value in figures.items():
        print(f"{key}: {value}")
    ok = figures["first_sweep_seconds"] < 10 and not any(figures["duplicates"].values())
    ok = ok and not any(figures["created_by_second_sweep"].values())
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
