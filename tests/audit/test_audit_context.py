"""audit.context.AuditContext: where an event came from, built once per request and handed to the services."""

from django.conf import settings
from django.test import RequestFactory

from audit.context import NO_REQUEST, AuditContext
from audit.models import Action, AuditEvent
from audit.services import record_event
from clinic.log_filters import REDACTED
from patients.services import update_patient_details


def test_every_request_gets_its_context_from_the_middleware(client):
    response = client.get("/accounts/sign-in/", REMOTE_ADDR="203.0.113.9")
    assert response.wsgi_request.audit == AuditContext(path="/accounts/sign-in/", ip="203.0.113.9")


def test_the_middleware_comes_after_authentication():
    middleware = settings.MIDDLEWARE
    assert middleware.index("audit.middleware.AuditContextMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )


def test_a_patient_links_token_never_reaches_the_context():
    context = AuditContext.of_request(RequestFactory().get("/p/secret-token-value/"))
    assert "secret-token-value" not in context.path and REDACTED in context.path


def test_without_a_request_an_event_has_no_page_and_no_address(physician, patient):
    event = record_event(actor=physician, context=None, patient=patient, action=Action.VIEW, target="chart")
    assert (event.actor, event.actor_label, event.path, event.ip) == (physician, physician.display_name, "", None)
    assert AuditContext() == NO_REQUEST


def test_a_service_keeps_the_page_and_address_when_the_actor_is_not_the_signed_in_user(
    coordinator, clinic_admin, patient
):
    # A request signed in as one person, a change made in another's name (before, the address was dropped).
    request = RequestFactory().post("/patients/x/edit/", REMOTE_ADDR="203.0.113.9")
    request.user = clinic_admin
    update_patient_details(patient=patient, by=coordinator, audit=AuditContext.of_request(request), pronouns="they")
    event = AuditEvent.objects.get(patient=patient, action=Action.UPDATE)
    assert (event.actor, event.path, event.ip) == (coordinator, "/patients/x/edit/", "203.0.113.9")
