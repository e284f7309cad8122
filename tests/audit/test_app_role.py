"""The app's database role (`manage.py grant_app_role`) can do the app's work and nothing that would get
around the audit trail: no TRUNCATE, no DISABLE TRIGGER, no session_replication_role, no DELETE or UPDATE
of audit rows."""

from io import StringIO

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from psycopg2 import errors

pytestmark = pytest.mark.django_db(transaction=True)

AUDIT = "audit_auditevent"


@pytest.fixture
def as_app():
    """A connection to the test database as the app role, after the grant (run twice: it is repeatable)."""
    call_command("grant_app_role", stdout=StringIO())
    call_command("grant_app_role", stdout=StringIO())
    db = connection.settings_dict
    params = {"dbname": db["NAME"], "user": settings.APP_DATABASE_ROLE, "host": db.get("HOST") or None}
    if db.get("PORT"):
        params["port"] = db["PORT"]
    app = psycopg2.connect(**{key: value for key, value in params.items() if value})
    app.autocommit = True
    yield app
    app.close()


def refused(app, statement: str) -> bool:
    with app.cursor() as cursor:
        try:
            cursor.execute(statement)
        except errors.InsufficientPrivilege:
            return True
    return False


def test_the_app_role_reads_and_writes_rows_and_adds_to_the_audit_trail(as_app):
    with as_app.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patients_patient")
        cursor.execute("UPDATE patients_patient SET preferred_name = preferred_name WHERE false")
        cursor.execute("DELETE FROM clinic_teamtask WHERE false")
        cursor.execute(f"SELECT count(*) FROM {AUDIT}")
        cursor.execute(
            f"INSERT INTO {AUDIT} (at, actor_label, action, target, ip, path) "
            "VALUES (now(), 'role test', 'view', 'role test', '127.0.0.1', '/')"
        )


def test_the_app_role_cannot_truncate_the_audit_trail(as_app):
    assert refused(as_app, f"TRUNCATE {AUDIT}")


def test_the_app_role_cannot_switch_off_the_audit_trigger(as_app):
    assert refused(as_app, f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL")


def test_the_app_role_cannot_skip_triggers_by_replication_role(as_app):
    assert refused(as_app, "SET session_replication_role = replica")


def test_the_app_role_cannot_delete_or_change_audit_rows(as_app):
    assert refused(as_app, f"DELETE FROM {AUDIT}")
    assert refused(as_app, f"UPDATE {AUDIT} SET target = 'nothing'")


def test_the_app_role_owns_nothing_and_is_no_superuser(as_app):
    with as_app.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
        assert cursor.fetchone() == (0,)
