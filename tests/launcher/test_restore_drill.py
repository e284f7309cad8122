"""`make restore-drill` (launcher/restore_drill.py) end to end against the test database: dump, restore into a new
database, migrate --check, compare rows, hold the unsent outbox, serve with gunicorn, check the audit trigger, drop.
About 20-30 s here (a few Django subprocesses and one gunicorn start), so it runs whole rather than in parts."""

import time
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import OutboxMessage
from clinic.services import queue_message
from launcher import restore_drill

pytestmark = pytest.mark.django_db(transaction=True)

State = OutboxMessage.State


def source_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    user = f"{db['USER']}@" if db.get("USER") else ""
    return f"postgres://{user}{host}{port}/{db['NAME']}"


def a_message(patient, state=State.PENDING) -> OutboxMessage:
    message = queue_message(channel="email", to_address="maria@example.test", body="A check-in", patient=patient)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=state, claimed_at=timezone.now() if state == State.SENDING else None
    )
    return message


def database_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def test_the_drill_restores_checks_serves_and_drops_a_copy_holding_its_unsent_messages(patient, physician):
    messages = [a_message(patient), a_message(patient, State.SENDING), a_message(patient, State.SENT)]
    AuditEvent.objects.create(actor=physician, actor_label="x", patient=patient, action=Action.VIEW, target="chart")
    said = []

    started = time.monotonic()
    report = restore_drill.run_drill(source_url(), say=said.append)
    elapsed = time.monotonic() - started

    assert report.counts["patients_patient"] == 1
    assert report.counts["audit_auditevent"] == AuditEvent.objects.count()
    assert report.counts["clinic_outboxmessage"] == 3
    assert (report.unsent_at_backup, report.held) == (2, 2)
    assert report.health["database"]["ok"] is True
    assert report.app_role == "haven_app"
    assert not database_exists(report.copy)
    # The source is only read: its messages are not held, its audit trail untouched.
    assert [OutboxMessage.objects.get(pk=m.pk).state for m in messages] == [State.PENDING, State.SENDING, State.SENT]
    text = "\n".join(said)
    assert "migrate --check: clean" in text
    assert "2 unsent at the backup point; 2 held for a coordinator" in text
    assert "sign-in page 200" in text
    assert "the trigger refuses UPDATE and DELETE" in text
    assert elapsed < 60, f"the drill took {elapsed:.0f} s"


def test_the_audit_check_fails_on_a_copy_whose_trigger_is_gone(tmp_path: Path, patient):
    source = source_url()
    copy = restore_drill.with_database(source, f"{connection.settings_dict['NAME']}_nt_{uuid.uuid4().hex[:8]}")
    restore_drill.dump(source, tmp_path / "source.dump")
    restore_drill.create_database(copy)
    try:
        restore_drill.restore(copy, tmp_path / "source.dump")
        assert restore_drill.audit_trigger_refuses(copy)  # the trail is empty: a drill row is added and rolled back
        with psycopg2.connect(**restore_drill.connection_kwargs(copy)) as owner, owner.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_auditevent")
            assert cursor.fetchone() == (0,)
            cursor.execute("DROP TRIGGER audit_append_only ON audit_auditevent")
        assert not restore_drill.audit_trigger_refuses(copy)
    finally:
        restore_drill.drop_database(copy)


def test_a_failed_step_fails_the_drill_and_still_drops_the_copy(monkeypatch, patient):
    def unapplied(database_url):
        raise restore_drill.DrillFailed("the restored database has unapplied migrations")

    monkeypatch.setattr(restore_drill, "check_migrations", unapplied)
    monkeypatch.setattr(restore_drill.os, "getpid", lambda: 424242)
    with pytest.raises(restore_drill.DrillFailed, match="unapplied migrations"):
        restore_drill.run_drill(source_url(), say=lambda line: None)
    assert not database_exists(f"{connection.settings_dict['NAME']}_drill_424242")
