import pytest
from django.urls import reverse

from audit.models import AuditEvent


@pytest.fixture
def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def test_it_ignores_x_forwarded_for_when_no_proxy_is_trusted(settings, signed_in, physician, chart_url):
    settings.TRUSTED_PROXY_COUNT = 0
    signed_in(physician).get(chart_url, HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.5")
    assert AuditEvent.objects.get(target="chart").ip == "10.0.0.5"


def test_it_records_the_client_address_our_proxy_appended(settings, signed_in, physician, chart_url):
    settings.TRUSTED_PROXY_COUNT = 1
    # A client may send its own X-Forwarded-For; our proxy appends the real address last.
    signed_in(physician).get(chart_url, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9", REMOTE_ADDR="10.0.0.5")
    assert AuditEvent.objects.get(target="chart").ip == "203.0.113.9"


def test_it_keeps_the_connection_address_when_the_header_is_shorter_than_the_proxy_chain(
    settings, signed_in, physician, chart_url
):
    settings.TRUSTED_PROXY_COUNT = 2
    signed_in(physician).get(chart_url, HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.5")
    assert AuditEvent.objects.get(target="chart").ip == "10.0.0.5"
