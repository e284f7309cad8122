"""The due sweep through a real Celery worker process and a real Redis broker.

Reuses the worker harness of tests/clinic/test_outbox_worker.py: a solo worker on its own queue,
against the test database and Redis database 15.
"""

import pytest
from django.utils import timezone

from clinic.models import OutboxMessage, WorkerHeartbeat
from clinic.tasks import record_heartbeat
from measures.models import Invitation, MeasurementSchedule
from measures.scheduling import start_default_schedule
from measures.tasks import sweep_due_measures_task
from tests.clinic.test_outbox_worker import wait_until, worker  # noqa: F401 (worker is a fixture)
from tests.factories import PatientFactory

pytestmark = pytest.mark.worker


def test_the_due_sweep_run_twice_by_a_real_worker_makes_one_invitation_and_one_message(worker):  # noqa: F811
    patient = PatientFactory()
    start_default_schedule(patient=patient, start_on=timezone.localdate())

    worker.send(sweep_due_measures_task)
    worker.send(sweep_due_measures_task)
    worker.send(record_heartbeat, "both-sweeps-ran")  # one solo worker runs its queue in order: this runs last

    wait_until(lambda: WorkerHeartbeat.objects.filter(name="both-sweeps-ran").exists(), worker, "both sweeps to run")
    invitation = Invitation.objects.get(patient=patient)
    assert invitation.instrument_codes == ["peg", "phq9", "gad7", "pcptsd5", "auditc"]
    message = OutboxMessage.objects.get(patient=patient)
    assert message.dedupe_key == f"invitation:{invitation.id}"
    assert not MeasurementSchedule.objects.filter(patient=patient, next_due_on__lte=timezone.localdate()).exists()
    assert "Traceback" not in worker.log()
