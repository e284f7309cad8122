"""/health/ for operators and load balancers: database, broker, worker heartbeat; no patient data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu import Connection

from clinic.celery import app as celery_app
from clinic.models import WorkerHeartbeat
from clinic.services import record_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stale_after(settings):
    settings.HEARTBEAT_STALE_SECONDS = 180


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
    beat(seconds_ago=181)

    response = client.get(reverse("health"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["worker"]["ok"] is False
    assert body["worker"]["last_seen_seconds"] >= 181
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_it_is_still_healthy_just_inside_the_stale_limit(client):
    beat(seconds_ago=170)

    assert client.get(reverse("health")).status_code == 200


def test_it_is_degraded_when_no_worker_has_ever_beaten(client):
    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"] == {"ok": False, "error": "no heartbeat yet"}


def test_it_is_degraded_when_the_broker_does_not_answer(client, monkeypatch):
    record_heartbeat()
    monkeypatch.setattr(celery_app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["worker"]["ok"] is True


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
