"""With the database unreachable, every page answers 503 with Retry-After and a calm page, not a 500."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError

from clinic.outage import RETRY_AFTER_SECONDS, outage_response

CALM = "Haven is briefly unavailable"


@pytest.fixture
def staff_client(signed_in, coordinator):
    client = signed_in(coordinator)
    client.raise_request_exception = False  # the client would otherwise re-raise the logged error in the test
    return client


def database_down(monkeypatch, error=OperationalError):
    def load(self):
        raise error("connection to server failed: Connection refused")

    monkeypatch.setattr(SessionStore, "load", load)


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_session_that_cannot_be_loaded_gets_a_calm_503_with_retry_after(staff_client, monkeypatch, error):
    database_down(monkeypatch, error)
    response = staff_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert CALM in page and "try again in a minute" in page
    assert "Traceback" not in page and "Connection refused" not in page


def test_the_503_keeps_the_security_headers(staff_client, monkeypatch):
    database_down(monkeypatch)
    response = staff_client.get("/")
    assert response.status_code == 503
    assert "Content-Security-Policy" in response and "Referrer-Policy" in response


def test_a_view_failing_on_the_database_gets_the_503_too(staff_client, monkeypatch, patient):
    def refused(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("patients.views.get_patient_for_user", refused)
    response = staff_client.get(f"/patients/{patient.public_id}/")
    assert response.status_code == 503 and CALM in response.content.decode()


def test_other_errors_are_still_a_500(staff_client, monkeypatch):
    database_down(monkeypatch, RuntimeError)
    response = staff_client.get("/")
    assert response.status_code == 500 and not response.has_header("Retry-After")


def test_normal_requests_are_unaffected(staff_client):
    response = staff_client.get("/")
    assert response.status_code == 200
    assert not response.has_header("Retry-After")
    assert CALM not in response.content.decode()


def test_the_calm_page_needs_no_database(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = outage_response()
    assert response.status_code == 503 and CALM in response.content.decode()
