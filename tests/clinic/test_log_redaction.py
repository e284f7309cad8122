"""Patient-link tokens never reach the app's log: Django's request warnings (404, 405, 429, CSRF
failures), the development server's request lines and any other log line get /p/<token> redacted."""

import logging
import sys
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from clinic.log_filters import RedactPatientLinks, redact_patient_links
from portal.tokens import new_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def token():
    return new_token()


def logged(caplog) -> str:
    """Every captured line as a handler would write it, traceback included."""
    return "\n".join(caplog.handler.format(record) for record in caplog.records)


def test_a_head_request_refused_with_405_logs_no_token(client, caplog, token):
    with caplog.at_level(logging.WARNING):
        response = client.head(reverse("portal:open", args=[token]))
    assert response.status_code == 405
    assert "Method Not Allowed (HEAD): /p/[redacted]/" in logged(caplog)
    assert token not in logged(caplog)


def test_a_throttled_link_logs_no_token(client, caplog, token):
    with caplog.at_level(logging.WARNING), mock.patch("portal.views.too_many", return_value=True):
        response = client.get(reverse("portal:open", args=[token]))
    assert response.status_code == 429
    assert "/p/[redacted]/" in logged(caplog)
    assert token not in logged(caplog)


def test_a_post_failing_the_csrf_check_logs_no_token(caplog, token):
    with caplog.at_level(logging.WARNING):
        response = Client(enforce_csrf_checks=True).post(reverse("portal:new_link", args=[token]))
    assert response.status_code == 403
    assert any(record.name == "django.security.csrf" for record in caplog.records)
    assert "/p/[redacted]/new-link/" in logged(caplog)
    assert token not in logged(caplog)


def test_a_404_under_a_link_logs_no_token(client, caplog, token):
    with caplog.at_level(logging.WARNING):
        response = client.get(f"/p/{token}/no-such-page/")
    assert response.status_code == 404
    assert "Not Found: /p/[redacted]/no-such-page/" in logged(caplog)
    assert token not in logged(caplog)


def test_the_development_server_request_line_carries_no_token(token):
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    server = logging.getLogger("django.server")
    collect = Collect()
    server.addHandler(collect)
    try:
        server.info('"%s" %s %s', f"GET /p/{token}/ HTTP/1.1", "200", "512")
    finally:
        server.removeHandler(collect)
    assert lines == ['"GET /p/[redacted]/ HTTP/1.1" 200 512']


def test_every_configured_handler_redacts_tokens(settings, token):
    for name in settings.LOGGING["handlers"]:
        handler = logging.getHandlerByName(name)
        record = logging.makeLogRecord({"name": "haven.test", "msg": "opened %s", "args": (f"/p/{token}/",)})
        assert handler.filter(record)
        assert token not in handler.format(record)


def test_a_traceback_mentioning_a_link_is_redacted(token):
    try:
        raise ValueError(f"could not open /p/{token}/")
    except ValueError:
        record = logging.getLogger("haven.test").makeRecord(
            "haven.test", logging.ERROR, __file__, 1, "failed on %s", (f"/p/{token}/",), exc_info=sys.exc_info()
        )
    RedactPatientLinks().filter(record)
    assert token not in logging.Formatter().format(record)


@pytest.mark.parametrize(
    "path",
    ["/p/", "/p/start/phq9/", "/p/thanks/", "/p/later/", "/p/intake/", "/p/plan/", "/p/referrals/"],
)
def test_portal_page_paths_are_left_readable(path):
    assert redact_patient_links(f"Not Found: {path}") == f"Not Found: {path}"


def test_a_questionnaire_page_path_is_left_readable():
    path = "/p/q/5b0f7f43-6f5d-4a53-9b55-5d3e4f7e9a10/3/"
    assert redact_patient_links(path) == path
