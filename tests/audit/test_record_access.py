"""audit.services.record_access: one event per call, the patient as actor on portal pages."""

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from audit.models import Action, AuditEvent
from audit.services import PORTAL_ACTOR, record_access


def request_by(user, path="/patients/x/", **extra):
    request = RequestFactory().get(path, **extra)
    request.user = user
    return request


def test_it_records_the_signed_in_member_of_staff(physician, patient):
    event = record_access(request=request_by(physician), patient=patient, action=Action.VIEW, target="chart")
    assert (event.actor, event.actor_label, event.ip, event.path) == (
        physician,
        "Ada Okafor, MD",
        "127.0.0.1",
        "/patients/x/",
    )
    assert AuditEvent.objects.count() == 1


def test_it_records_the_patient_on_a_portal_page_even_with_staff_signed_in(physician, patient):
    request = request_by(physician, "/p/")
    event = record_access(request=request, patient=patient, action=Action.VIEW, target="portal home", by_patient=True)
    assert event.actor is None
    assert event.actor_label == PORTAL_ACTOR == "Patient (portal link)"


def test_it_records_no_address_when_there_is_none(patient):
    event = record_access(
        request=request_by(AnonymousUser(), REMOTE_ADDR=""), patient=patient, action="view", target="x"
    )
    assert event.ip is None
    assert event.actor is None


def test_it_keeps_only_the_first_300_characters_of_a_long_path(physician, patient):
    request = request_by(physician, "/patients/" + "a" * 400)
    event = record_access(request=request, patient=patient, action=Action.VIEW, target="chart")
    assert len(AuditEvent.objects.get(pk=event.pk).path) == 300
