"""The admin shows audit events but offers no way to add, change or delete one."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from audit.models import Action, AuditEvent


@pytest.fixture
def event(physician, patient):
    return AuditEvent.objects.create(
        actor=physician, actor_label=physician.display_name, patient=patient, action=Action.VIEW, target="chart"
    )


@pytest.fixture
def admin_client(signed_in, clinic_admin):
    return signed_in(clinic_admin)


def test_its_model_admin_grants_no_add_change_or_delete(clinic_admin, event):
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/admin/audit/auditevent/")
    request.user = clinic_admin
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, event) is False
    assert model_admin.has_delete_permission(request, event) is False
    assert "delete_selected" not in model_admin.get_actions(request)


def test_it_lists_events_to_a_clinic_admin(admin_client, event):
    response = admin_client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 200
    assert b"Ada Okafor, MD" in response.content
    assert reverse("admin:audit_auditevent_add").encode() not in response.content


def test_it_refuses_the_add_page(admin_client, event):
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403


def test_it_shows_an_event_read_only(admin_client, event):
    response = admin_client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert b'name="target"' not in response.content


def test_it_refuses_a_change_posted_to_an_event(admin_client, event):
    response = admin_client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]),
        {"actor_label": "Someone else", "action": "view", "target": "nothing", "_save": "Save"},
    )
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "Ada Okafor, MD"


def test_it_refuses_the_delete_page(admin_client, event):
    url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
