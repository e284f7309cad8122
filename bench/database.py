"""The benchmark's own database: created when missing, migrated and seeded through manage.py."""

import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg2

from launcher import connection_kwargs, ensure_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres:///haven_bench"
RESPONSES_PER_PATIENT = 10  # 50,000 patients: 500,000 questionnaire responses (DESIGN.md, Performance)


@contextmanager
def connect(database_url: str, *, dbname: str | None = None, autocommit: bool = True):
    connection = psycopg2.connect(**connection_kwargs(database_url, dbname=dbname))
    connection.autocommit = autocommit
    try:
        yield connection
    finally:
        connection.close()


def manage(*args: str, env: dict[str, str], quiet: bool = False) -> None:
    """Run a manage.py command against the benchmark database (its output goes to ours)."""
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    output = subprocess.DEVNULL if quiet else None
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=output)


def patient_count(database_url: str) -> int:
    with connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patients_patient")
        return cursor.fetchone()[0]


def response_count(database_url: str) -> int:
    with connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM measures_response")
        return cursor.fetchone()[0]


def prepare(database_url: str, *, patients: int, env: dict[str, str]) -> dict:
    """Create, migrate and (when it has fewer patients or responses than asked) seed; returns what was done.

    seed_demo is idempotent: on a database seeded before questionnaires existed it adds only the
    schedules and the responses of the patients who have none.
    """
    created = ensure_database(database_url)
    manage("migrate", "--no-input", "-v", "0", env=env)
    before, responses_before = patient_count(database_url), response_count(database_url)
    seeded_seconds = None
    if before < patients or responses_before < patients * RESPONSES_PER_PATIENT:
        print(f"bench: seeding {patients} patients with {RESPONSES_PER_PATIENT} questionnaires each "
              f"(the database has {before} patients, {responses_before} questionnaires)", flush=True)  # fmt: skip
        started = time.monotonic()
        manage("seed_demo", "--patients", str(patients), "--responses-per-patient", str(RESPONSES_PER_PATIENT), env=env)
        seeded_seconds = round(time.monotonic() - started, 1)
    else:
        print(f"bench: the database already has {before} patients; not seeding", flush=True)
        manage("seed_demo", "--patients", "1", env=env, quiet=True)  # the demo staff, at least
    analyse(database_url)
    return {
        "database_created": created,
        "patients_before": before,
        "patients": patient_count(database_url),
        "responses": response_count(database_url),
        "seed_seconds": seeded_seconds,
    }


def analyse(database_url: str) -> None:
    """Fresh planner statistics, so a just-seeded table is not planned as if it were empty."""
    with connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
