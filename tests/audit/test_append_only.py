"""The audit trail is append-only in the database itself (trigger from audit/migrations/0002)."""

import pytest
from django.db import DatabaseError, InternalError, transaction

from audit.models import Action, AuditEvent


@pytest.fixture
def event(physician, patient):
    return AuditEvent.objects.create(
        actor=physician,
        actor_label=physician.display_name,
        patient=patient,
        action=Action.VIEW,
        target="chart",
        ip="127.0.0.1",
    )


def unchanged(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    return (stored.target, stored.actor_label, stored.action) == ("chart", "Ada Okafor, MD", Action.VIEW)


def test_it_refuses_a_queryset_update(event):
    with pytest.raises(InternalError, match="append-only: UPDATE"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(target="nothing to see")
    assert unchanged(event)


def test_it_refuses_a_queryset_delete(event):
    with pytest.raises(InternalError, match="append-only: DELETE"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_saving_a_changed_event(event):
    event.actor_label = "Someone else"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()
    assert unchanged(event)


def test_it_refuses_deleting_an_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_a_bulk_update(event):
    event.target = "rewritten"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["target"])
    assert unchanged(event)


def test_it_still_accepts_new_events(event, coordinator, patient):
    AuditEvent.objects.create(
        actor=coordinator, actor_label=coordinator.display_name, patient=patient, action=Action.VIEW, target="chart"
    )
    assert AuditEvent.objects.count() == 2
