"""/health/ for operators and load balancers: database, broker, worker heartbeat; no patient data.

The broker is asked directly (so an outage shows at once) and the worker's heartbeat is written every
HEARTBEAT_SECONDS while it is connected (clinic/celery.py); tests/reliability/ checks both against a real
worker and a Redis stopped and restarted."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.celery import Heartbeat
from clinic.models import WorkerHeartbeat
from clinic.services import record_heartbeat

pytestmark = pytest.mark.django_db

NOBODY_LISTENS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def stale_after(settings):
    settings.HEARTBEAT_SECONDS = 10
    settings.HEARTBEAT_STALE_SECONDS = 25


def beat(seconds_ago: int) -> None:
    WorkerHeartbeat.objects.update_or_create(
        name="worker", defaults={"beat_at": timezone.now() - timedelta(seconds=seconds_ago)}
    )


def test_it_is_healthy_with_a_fresh_heartbeat_and_a_broker_that_answers(client):
    record_heartbeat()

    response = client.get(reverse("health"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"] and body["worker"]["ok"]
    assert body["worker"]["last_seen_seconds"] < 5


def test_it_is_degraded_when_the_worker_heartbeat_is_stale(client):
    beat(seconds_ago=26)

    response = client.get(reverse("health"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["worker"]["ok"] is False
    assert body["worker"]["last_seen_seconds"] >= 26
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_it_is_still_healthy_just_inside_the_stale_limit(client):
    beat(seconds_ago=23)

    assert client.get(reverse("health")).status_code == 200


def test_it_is_degraded_when_no_worker_has_ever_beaten(client):
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"] == {"ok": False, "error": "no heartbeat yet"}


def test_it_says_at_once_that_the_broker_is_down_and_the_worker_cannot_work(client, settings):
    record_heartbeat()  # a heartbeat a moment old: before, the worker looked healthy for minutes
    settings.CELERY_BROKER_URL = NOBODY_LISTENS

    started = time.monotonic()
    response = client.get(reverse("health"))

    assert time.monotonic() - started < 2
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert body["worker"] == {"ok": False, "last_seen_seconds": 0, "error": "cannot reach the broker"}


def test_it_is_healthy_as_soon_as_the_broker_answers_and_the_reconnected_worker_has_beaten(client, settings):
    settings.CELERY_BROKER_URL = NOBODY_LISTENS
    beat(seconds_ago=60)  # the last heartbeat before a minute's outage
    assert client.get(reverse("health")).status_code == 503

    settings.CELERY_BROKER_URL = settings.REDIS_URL  # the broker is back
    beat(seconds_ago=1)  # the worker reconnected and wrote its heartbeat at once

    assert client.get(reverse("health")).status_code == 200


def test_a_heartbeat_every_interval_never_looks_stale(settings):
    assert settings.HEARTBEAT_SECONDS * 2 < settings.HEARTBEAT_STALE_SECONDS
    assert "worker-heartbeat" not in settings.CELERY_BEAT_SCHEDULE  # the worker writes it, not beat


@pytest.mark.django_db(transaction=True)
def test_the_worker_step_beats_at_once_and_often_while_connected_and_stops_when_disconnected(settings):
    settings.HEARTBEAT_SECONDS = 0.1
    step = Heartbeat.__new__(Heartbeat)  # the consumer bootstep, without a whole worker around it
    step.stopping = None

    step.start(None)  # connected
    deadline = time.monotonic() + 5
    while not WorkerHeartbeat.objects.filter(name="worker").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    first = WorkerHeartbeat.objects.get(name="worker").beat_at
    time.sleep(0.5)
    assert WorkerHeartbeat.objects.get(name="worker").beat_at > first

    step.stop(None)  # the broker connection is lost
    time.sleep(0.3)
    last = WorkerHeartbeat.objects.get(name="worker").beat_at
    time.sleep(0.5)
    assert WorkerHeartbeat.objects.get(name="worker").beat_at == last


def test_it_shows_no_patient_data(client, patient, physician):
    record_heartbeat()

    response = client.get(reverse("health"))

    assert set(response.json()) == {"status", "database", "broker", "worker"}
    for private in (patient.family_name, patient.given_name, patient.mrn, str(patient.public_id), patient.email):
        assert private.encode() not in response.content
    assert physician.username.encode() not in response.content


def test_it_is_never_cached(client):
    response = client.get(reverse("health"))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_answers_without_signing_in(client):
    record_heartbeat()
    response = client.get(reverse("health"))
    assert response.status_code == 200


def test_the_favicon_is_an_empty_answer_for_anyone_not_a_404(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 204
    assert response.content == b""
