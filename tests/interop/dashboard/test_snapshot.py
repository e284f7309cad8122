"""The dashboard's figures are a snapshot (interop/dashboard_snapshot.py): worked out at most every 10 minutes,
kept in the cache, worked out again on request, by the beat task, or when stale; without Redis, every time."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateformat import time_format

from interop import dashboard_snapshot
from interop.dashboard_snapshot import SNAPSHOT_KEY, current_figures
from interop.tasks import refresh_dashboard_figures
from tests.interop.dashboard import build

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"
NOON = datetime.datetime(2026, 12, 8, 17, 0, tzinfo=datetime.UTC)


def on_opioids(n):
    for person in build.patients(n):
        build.opioid(person, "morphine", "60", doses="1")


def figure_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


def test_a_second_look_within_ten_minutes_reads_the_snapshot_and_says_when_it_was_worked_out(signed_in, clinic_admin):
    on_opioids(2)
    with time_machine.travel(NOON, tick=False):
        client = signed_in(clinic_admin)
        first = figure_queries(client)
    with time_machine.travel(NOON + datetime.timedelta(minutes=9), tick=False):
        page = client.get(DASHBOARD).content.decode()
        again = figure_queries(client)
    assert again < first
    assert f"Figures worked out at {time_format(timezone.localtime(NOON), 'g:i a')};" in page


def test_figures_older_than_ten_minutes_are_worked_out_again(clinic_admin):
    on_opioids(1)
    with time_machine.travel(NOON, tick=False):
        assert current_figures().report.safety.on_opioids == 1
    on_opioids(2)
    with time_machine.travel(NOON + datetime.timedelta(minutes=9), tick=False):
        assert current_figures().report.safety.on_opioids == 1  # the snapshot
    with time_machine.travel(NOON + datetime.timedelta(minutes=10), tick=False):
        assert current_figures().report.safety.on_opioids == 3


def test_a_reader_can_have_them_worked_out_at_once(signed_in, clinic_admin):
    client = signed_in(clinic_admin)
    on_opioids(1)
    client.get(DASHBOARD)
    on_opioids(1)
    answer = client.post("/dashboard/work-out-again/", follow=True)
    assert answer.redirect_chain[-1][0] == DASHBOARD
    assert "The figures have been worked out again." in answer.content.decode()
    assert cache.get(SNAPSHOT_KEY).report.safety.on_opioids == 2


def test_only_the_dashboards_readers_may_ask(signed_in, coordinator):
    assert signed_in(coordinator).post("/dashboard/work-out-again/").status_code == 404
    assert cache.get(SNAPSHOT_KEY) is None


def test_the_beat_task_keeps_a_snapshot_ready(clinic_admin):
    on_opioids(2)
    assert refresh_dashboard_figures.apply().get() is True
    assert cache.get(SNAPSHOT_KEY).report.safety.on_opioids == 2


def test_without_redis_the_figures_are_worked_out_every_time(signed_in, clinic_admin, monkeypatch):
    class RedisDown:
        def get(self, *args, **kwargs):
            raise ConnectionError("redis is down")

        set = get

    monkeypatch.setattr(dashboard_snapshot, "cache", RedisDown())
    on_opioids(1)
    assert signed_in(clinic_admin).get(DASHBOARD).status_code == 200
    assert current_figures().report.safety.on_opioids == 1
