"""The referral tracking sweep through a real Celery worker process and a real Redis broker.

Reuses the worker harness of tests/clinic/test_outbox_worker.py: a solo worker on its own queue,
against the test database and Redis database 15.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.models import Referral, TeamTask, WorkerHeartbeat
from clinic.tasks import record_heartbeat, track_referrals
from tests.clinic.test_outbox_worker import wait_until, worker  # noqa: F401 (worker is a fixture)
from tests.factories import PatientFactory, StaffFactory, referral_in_state

pytestmark = pytest.mark.worker


def test_the_tracking_sweep_run_twice_by_a_real_worker_creates_each_task_once(worker):  # noqa: F811
    coordinator = StaffFactory(role="coordinator")
    late = referral_in_state("sent", patient=PatientFactory(), by=coordinator)
    Referral.objects.filter(pk=late.pk).update(sent_at=timezone.now() - timedelta(days=30))
    passed = referral_in_state(
        "scheduled", patient=PatientFactory(), by=coordinator, appointment_on=timezone.localdate() - timedelta(days=2)
    )
    referral_in_state("sent", patient=PatientFactory(), by=coordinator)  # sent just now: on time

    worker.send(track_referrals)
    worker.send(track_referrals)
    worker.send(record_heartbeat, "both-sweeps-ran")  # one solo worker runs its queue in order: this runs last

    wait_until(lambda: WorkerHeartbeat.objects.filter(name="both-sweeps-ran").exists(), worker, "both sweeps to run")
    tasks = TeamTask.objects.filter(source=TeamTask.Source.REFERRAL)
    assert sorted(tasks.values_list("source_key", flat=True)) == sorted(
        [
            f"referral:{late.id}:unacknowledged",
            f"referral:{passed.id}:appointment:{passed.appointment_on.isoformat()}",
        ]
    )
    assert "Traceback" not in worker.log()
