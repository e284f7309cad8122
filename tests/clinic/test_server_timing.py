import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.server_timing import QueryTally, server_timing

HEADER = re.compile(r'app;dur=(?P<app>\d+\.\d), db;dur=(?P<db>\d+\.\d);desc="(?P<queries>\d+) queries"')


@pytest.fixture
def timed(settings):
    settings.MIDDLEWARE = ["clinic.server_timing.ServerTimingMiddleware", *settings.MIDDLEWARE]


def parse(response) -> dict[str, float]:
    match = HEADER.fullmatch(response["Server-Timing"])
    assert match, response["Server-Timing"]
    return {name: float(value) for name, value in match.groupdict().items()}


def test_the_query_count_matches_the_queries_the_view_ran(timed, client, coordinator, patient, other_patient):
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse("patients:list"), {"q": "garcia"})
    assert response.status_code == 200
    assert len(ran) > 0
    timing = parse(response)
    assert timing["queries"] == len(ran)
    assert int(response["X-Queries"]) == len(ran)
    assert 0 < timing["db"] <= timing["app"]


def test_a_page_without_queries_reports_none(timed, client, db):
    with CaptureQueriesContext(connection) as ran:
        response = client.get(reverse("login"))
    assert len(ran) == 0
    assert response["X-Queries"] == "0"
    assert parse(response)["db"] == 0.0


def test_the_headers_carry_numbers_only_never_patient_data(timed, client, physician, patient):
    client.force_login(physician)
    response = client.get(reverse("patients:chart", args=[patient.public_id]))
    assert response.status_code == 200
    headers = response["Server-Timing"] + response["X-Queries"]
    assert patient.family_name not in headers
    assert patient.mrn not in headers
    parse(response)


def test_without_the_middleware_there_is_no_header(client, db):
    assert "Server-Timing" not in client.get(reverse("login"))


def test_the_tally_counts_a_query_that_fails():
    tally = QueryTally()

    def failing_execute(sql, params, many, context):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        tally(failing_execute, "SELECT 1", (), False, {})
    assert tally.count == 1


def test_the_header_is_formatted_in_milliseconds_with_one_decimal():
    assert server_timing(app_ms=12.345, db_ms=4.06, queries=7) == 'app;dur=12.3, db;dur=4.1;desc="7 queries"'
