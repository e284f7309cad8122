"""`make restore-drill`: prove that a backup of the database can be restored and served, end to end.

    python -m launcher restore-drill

1. Dump the configured database (DATABASE_URL, default the demo's `haven`; seeded with a small demo clinic
   first when it does not exist) with `pg_dump -Fc`, inside an exported snapshot, so the row counts taken
   from the source are exactly those of the dump even while the demo keeps running.
2. Create a fresh database and `pg_restore` into it.
3. `manage.py migrate --check` against it: the restored schema matches this code (no unapplied migration).
4. Count the rows of every table in the restored copy and compare them with the source's.
5. `manage.py hold_outbox_after_restore`, as the runbook says to do first: no unsent message stays due.
6. `manage.py grant_app_role` (local Postgres), then start a real web server (gunicorn) on a free port as the
   app role; GET /health/ (the database must answer) and the sign-in page (200).
7. The audit trail is still append-only in the copy: the trigger refuses UPDATE and DELETE, even for the
   owner (and the app role is refused them by its grants).
8. Print a short report and drop the drill database (also on failure). Any failure exits non-zero.

Like the rest of launcher/ it imports no Django: every Django step runs in a subprocess pointed at the copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from launcher import (
    BASE_DIR,
    DEFAULT_DATABASE_URL,
    any_free_port,
    as_role,
    connection_kwargs,
    ensure_database,
    is_local,
    page_answers,
    stop,
    wait_for,
)

# Shown in the report; every table is compared, these are the ones a reader looks for first.
KEY_TABLES = (
    "patients_patient",
    "clinic_careteammember",
    "measures_response",
    "clinic_teamtask",
    "clinic_outboxmessage",
    "audit_auditevent",
)
AUDIT_TABLE = "audit_auditevent"
DEMO_PATIENTS = "12"  # a small demo clinic when the configured database does not exist yet


class DrillFailed(Exception):
    """A step of the drill did not do what a restore must."""


@dataclass
class DrillReport:
    source: str
    copy: str
    seeded: bool = False
    dump_bytes: int = 0
    tables: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    unsent_at_backup: int = 0
    held: int = 0
    health: dict = field(default_factory=dict)
    app_role: str = ""
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


# --- the parts ----------------------------------------------------------------------------------------


def database_name(database_url: str) -> str:
    return connection_kwargs(database_url)["dbname"]


def with_database(database_url: str, name: str) -> str:
    """The same server and user, another database."""
    from urllib.parse import urlparse, urlunparse

    return urlunparse(urlparse(database_url)._replace(path=f"/{name}", query=""))


def pg_environment(database_url: str) -> dict[str, str]:
    """libpq's variables for the server in DATABASE_URL (pg_dump and pg_restore read them)."""
    kwargs = connection_kwargs(database_url)
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    return {**os.environ, **{names[key]: str(value) for key, value in kwargs.items() if key in names}}


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DrillFailed(f"{name} is not installed (it comes with the PostgreSQL client tools).")
    return path


def connect(database_url: str, *, autocommit: bool = True):
    import psycopg2

    connection = psycopg2.connect(**connection_kwargs(database_url), connect_timeout=5)
    connection.autocommit = autocommit
    return connection


def exists(database_url: str) -> bool:
    server = connect(with_database(database_url, "postgres"))
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database_name(database_url)])
            return cursor.fetchone() is not None
    finally:
        server.close()


def table_counts(connection) -> dict[str, int]:
    """Exact row counts of every table in the public schema, in the connection's current transaction."""
    from psycopg2 import sql

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    return counts


def unsent_messages(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM clinic_outboxmessage WHERE state IN ('pending', 'sending')")
        return cursor.fetchone()[0]


def held_messages(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM clinic_outboxmessage WHERE state = 'held'")
        return cursor.fetchone()[0]


def dump(database_url: str, path: Path, *, snapshot: str | None = None) -> int:
    """pg_dump -Fc the database into ``path`` (in an exported snapshot when given); returns its size."""
    command = [pg_tool("pg_dump"), "--format=custom", f"--file={path}", database_name(database_url)]
    if snapshot:
        command.insert(1, f"--snapshot={snapshot}")
    result = subprocess.run(command, env=pg_environment(database_url), capture_output=True, text=True)
    if result.returncode != 0:
        raise DrillFailed(f"pg_dump failed: {result.stderr.strip()[:500]}")
    return path.stat().st_size


def dump_with_counts(database_url: str, path: Path) -> tuple[int, dict[str, int], int]:
    """Dump, and count the source's rows in the very snapshot the dump reads: (bytes, counts, unsent)."""
    source = connect(database_url, autocommit=False)
    try:
        with source.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        size = dump(database_url, path, snapshot=snapshot)
        counts = table_counts(source)
        unsent = unsent_messages(source) if "clinic_outboxmessage" in counts else 0
        source.rollback()
    finally:
        source.close()
    return size, counts, unsent


def create_database(database_url: str) -> None:
    from psycopg2 import sql

    server = connect(with_database(database_url, "postgres"))
    try:
        with server.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database_name(database_url))))
    finally:
        server.close()


def drop_database(database_url: str) -> None:
    from psycopg2 import sql

    server = connect(with_database(database_url, "postgres"))
    try:
        with server.cursor() as cursor:
            name = sql.Identifier(database_name(database_url))
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    finally:
        server.close()


def restore(database_url: str, path: Path) -> None:
    """pg_restore the dump into an existing, empty database; any error fails the drill."""
    command = [pg_tool("pg_restore"), "--exit-on-error", f"--dbname={database_name(database_url)}", str(path)]
    result = subprocess.run(command, env=pg_environment(database_url), capture_output=True, text=True)
    if result.returncode != 0:
        raise DrillFailed(f"pg_restore failed: {result.stderr.strip()[:500]}")


def manage(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, str(BASE_DIR / "manage.py"), *args]
    result = subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True)
    if check and result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise DrillFailed(f"manage.py {' '.join(args)} failed: {output[-800:]}")
    return result


def check_migrations(database_url: str) -> None:
    result = manage(database_url, "migrate", "--check", "--no-input", check=False)
    if result.returncode != 0:
        raise DrillFailed(
            "the restored database has unapplied migrations (migrate --check). If the source is behind this "
            "code too, run migrate on it first; after a real restore, run migrate as the owner."
        )


def audit_trigger_refuses(database_url: str) -> bool:
    """True when UPDATE and DELETE of an audit row are both refused by the trigger, even for the owner.

    Runs in a transaction that is rolled back: a row is added only when the trail is empty (a trigger
    fires per row), and nothing is left behind either way."""
    import psycopg2

    connection = connect(database_url, autocommit=False)
    refused = []
    try:
        with connection.cursor() as cursor:
            row_id = an_audit_row(cursor)
            for statement in (f"UPDATE {AUDIT_TABLE} SET target = 'changed'", f"DELETE FROM {AUDIT_TABLE}"):
                cursor.execute("SAVEPOINT attempt")
                try:
                    cursor.execute(f"{statement} WHERE id = %s", [row_id])
                    refused.append(False)
                except psycopg2.Error as error:
                    refused.append("append-only" in str(error))
                cursor.execute("ROLLBACK TO SAVEPOINT attempt")
    finally:
        connection.rollback()
        connection.close()
    return all(refused) and len(refused) == 2


# Values for the required columns of a drill row, by type (the row is always rolled back).
DRILL_VALUES = {
    "timestamp with time zone": "now()",
    "character varying": "'drill'",
    "text": "'drill'",
    "jsonb": "'[]'::jsonb",
    "json": "'[]'::json",
    "integer": "0",
    "bigint": "0",
    "smallint": "0",
    "boolean": "false",
    "inet": "'127.0.0.1'",
    "uuid": "gen_random_uuid()",
}


def an_audit_row(cursor) -> int:
    """An audit row's id: the newest one, or a drill row added in the caller's transaction when the trail is empty
    (its required columns filled by type, so a column added later does not break the drill)."""
    cursor.execute(f"SELECT id FROM {AUDIT_TABLE} ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    if row is not None:
        return row[0]
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [AUDIT_TABLE],
    )
    columns = cursor.fetchall()
    unknown = [name for name, kind in columns if kind not in DRILL_VALUES]
    if unknown:
        raise DrillFailed(f"cannot add a drill row to the empty audit trail (columns {unknown}).")
    names = ", ".join(f'"{name}"' for name, _ in columns)
    values = ", ".join(DRILL_VALUES[kind] for _, kind in columns)
    cursor.execute(f"INSERT INTO {AUDIT_TABLE} ({names}) VALUES ({values}) RETURNING id")
    return cursor.fetchone()[0]


def app_role_refused_audit_delete(app_url: str) -> bool:
    """The app role may not DELETE audit rows at all (its grants refuse it before the trigger is asked)."""
    from psycopg2 import errors

    connection = connect(app_url)
    try:
        with connection.cursor() as cursor:
            try:
                cursor.execute(f"DELETE FROM {AUDIT_TABLE} WHERE false")
            except errors.InsufficientPrivilege:
                return True
        return False
    finally:
        connection.close()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def serve_and_check(database_url: str) -> dict:
    """Start gunicorn against the database on a free port; the sign-in page must answer 200 and /health/
    must say the database answers. Returns /health/'s JSON. (A restored clinic has no worker yet: the
    runbook starts workers last, so /health/ may say "degraded" for the worker; that is expected here.)"""
    port = any_free_port()
    address = f"http://127.0.0.1:{port}"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    env = {**os.environ, "DATABASE_URL": database_url, "SITE_URL": address}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [str(gunicorn), "clinic.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "30"],
            env=env,
            cwd=BASE_DIR,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        sign_in = f"{address}/accounts/sign-in/"
        try:
            if not wait_for(lambda: server.poll() is not None or page_answers(sign_in), seconds=45):
                raise DrillFailed("the web app did not serve the sign-in page within 45 seconds.")
            if server.poll() is not None:
                log.seek(0)
                raise DrillFailed(f"the web app stopped: {log.read().decode(errors='replace')[-500:]}")
            status, body = fetch(sign_in)
            if status != 200 or b"sign in" not in body.lower():
                raise DrillFailed(f"the sign-in page answered {status}.")
            status, body = fetch(f"{address}/health/")
            try:
                health = json.loads(body)
            except ValueError as error:
                raise DrillFailed(f"/health/ answered {status} without its JSON.") from error
            if not health.get("database", {}).get("ok"):
                raise DrillFailed(f"/health/ says the database does not answer: {health}")
            return {**health, "http_status": status}
        finally:
            stop([server])


def seed_small_demo(database_url: str, say: Callable[[str], None]) -> None:
    say(f"{database_name(database_url)} does not exist: creating a small demo clinic in it first.")
    ensure_database(database_url)
    manage(database_url, "migrate", "--no-input", "-v", "0")
    manage(database_url, "seed_demo", "--patients", DEMO_PATIENTS)


# --- the drill ------------------------------------------------------------------------------------------


def run_drill(database_url: str | None = None, *, say: Callable[[str], None] = print) -> DrillReport:
    """Dump, restore, check and serve a copy of the database, then drop the copy. Raises DrillFailed."""
    database_url = database_url or os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if database_url.startswith("sqlite"):
        raise DrillFailed("the restore drill is for Postgres; the embedded SQLite demo has no backups to drill.")
    source_name = database_name(database_url)
    copy_url = with_database(database_url, f"{source_name}_drill_{os.getpid()}"[:63])
    report = DrillReport(source=source_name, copy=database_name(copy_url))

    def step(name: str, action: Callable[[], object]):
        started = time.monotonic()
        result = action()
        report.seconds[name] = time.monotonic() - started
        return result

    if not exists(database_url):
        step("seed", lambda: seed_small_demo(database_url, say))
        report.seeded = True
    with tempfile.TemporaryDirectory(prefix="haven-drill-") as folder:
        path = Path(folder) / f"{source_name}.dump"
        report.dump_bytes, source_counts, report.unsent_at_backup = step(
            "dump", lambda: dump_with_counts(database_url, path)
        )
        step("create", lambda: create_database(copy_url))
        try:
            step("restore", lambda: restore(copy_url, path))
            drill_copy(copy_url, source_counts, report, step)
        finally:
            step("drop", lambda: drop_database(copy_url))
    print_report(report, say)
    return report


def drill_copy(copy_url: str, source_counts: dict[str, int], report: DrillReport, step) -> None:
    step("migrate --check", lambda: check_migrations(copy_url))

    def compare() -> None:
        copy = connect(copy_url)
        try:
            counts = table_counts(copy)
        finally:
            copy.close()
        different = {
            table: (source_counts.get(table), counts.get(table))
            for table in sorted(set(source_counts) | set(counts))
            if source_counts.get(table) != counts.get(table)
        }
        if different:
            raise DrillFailed(f"row counts differ (source, copy): {different}")
        report.tables, report.counts = len(counts), counts

    step("compare rows", compare)

    def hold() -> None:
        manage(copy_url, "hold_outbox_after_restore")
        copy = connect(copy_url)
        try:
            left, report.held = unsent_messages(copy), held_messages(copy)
        finally:
            copy.close()
        if left:
            raise DrillFailed(f"{left} unsent message(s) are still due after hold_outbox_after_restore.")

    step("hold outbox", hold)
    serve_url = copy_url
    if is_local(copy_url):
        role = os.environ.get("APP_DATABASE_ROLE", "haven_app")
        step("grant app role", lambda: manage(copy_url, "grant_app_role", "--role", role))
        serve_url, report.app_role = as_role(copy_url, role), role
    report.health = step("serve", lambda: serve_and_check(serve_url))

    def audit() -> None:
        if not audit_trigger_refuses(copy_url):
            raise DrillFailed("the audit trigger did not refuse UPDATE and DELETE on the restored audit trail.")
        if report.app_role and not app_role_refused_audit_delete(serve_url):
            raise DrillFailed(f"the app role {report.app_role} may DELETE audit rows in the restored database.")

    step("audit trigger", audit)


def print_report(report: DrillReport, say: Callable[[str], None]) -> None:
    seconds = " · ".join(f"{name} {value:.1f}s" for name, value in report.seconds.items())
    key = ", ".join(
        f"{table.split('_', 1)[1]} {report.counts[table]}" for table in KEY_TABLES if table in report.counts
    )
    health = report.health
    worker = health.get("worker", {})
    worker_words = "ok" if worker.get("ok") else worker.get("error", "not ok")
    say(
        f"restore drill: {report.source} -> {report.copy} (dropped)"
        + (" (seeded a small demo first)" if report.seeded else "")
    )
    say(f"  dump {report.dump_bytes / 1024:.0f} KiB, pg_dump -Fc; restored with pg_restore; migrate --check: clean")
    say(f"  rows: all {report.tables} tables equal to the source at the backup point ({key})")
    say(f"  outbox: {report.unsent_at_backup} unsent at the backup point; {report.held} held for a coordinator")
    say(
        f"  served by gunicorn{' as ' + report.app_role if report.app_role else ''}: sign-in page 200; /health/ "
        f"{health.get('http_status')} {health.get('status')} (database ok; worker {worker_words}"
        ": workers start last after a restore)"
    )
    say(
        "  audit trail: the trigger refuses UPDATE and DELETE"
        + (", the app role may not DELETE" if report.app_role else "")
    )
    say(f"  passed in {report.total_seconds:.1f}s ({seconds})")
