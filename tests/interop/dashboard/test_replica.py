"""The dashboard reads from the read replica when one is configured, and from the primary otherwise
(interop/replica.py's router), while writes (the audit event of a view) always go to the primary."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from interop.dashboard_report import clinic_report
from interop.dashboard_safety import patients_in, safety_figures
from interop.replica import REPLICA, ReplicaRouter, reading_from_replica, replica_configured
from patients.models import Patient
from tests.interop.dashboard import build
from tests.interop.dashboard.conftest import WITH_REPLICA


def test_without_a_replica_reads_inside_the_block_go_to_the_primary(db):
    router = ReplicaRouter()
    assert not replica_configured()
    with reading_from_replica():
        assert router.db_for_read(Patient) is None  # Django's default: the primary


@pytest.mark.django_db(databases=WITH_REPLICA)
def test_with_a_replica_only_reads_inside_the_block_go_to_it(replica):
    router = ReplicaRouter()
    assert replica_configured()
    assert router.db_for_read(Patient) is None
    with reading_from_replica():
        assert router.db_for_read(Patient) == REPLICA
        assert router.db_for_write(Patient) == "default"
    assert router.db_for_read(Patient) is None
    assert router.allow_migrate(REPLICA, "interop") is False


@pytest.mark.django_db(databases=WITH_REPLICA)
def test_the_dashboards_figures_are_read_on_the_replica_connection(replica):
    """The replica has its own connection: rows of this test's open transaction are not on it yet, so the
    figures read there count nobody, while the primary counts the patient."""
    build.opioid(build.patients(1)[0], "morphine", "60", doses="1")

    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_primary:
        report = clinic_report()

    assert report.safety.on_opioids == 0
    assert len(on_replica) == 4  # the responders, the service figures, the policy and the safety counts
    assert len(on_primary) == 0
    assert safety_figures().on_opioids == 1  # outside the block: the primary


def test_without_a_replica_the_dashboard_reads_the_primary(db):
    build.opioid(build.patients(1)[0], "morphine", "60", doses="1")

    with CaptureQueriesContext(connections["default"]) as on_primary:
        report = clinic_report()

    assert report.safety.on_opioids == 1
    assert len(on_primary) == 4


@pytest.mark.django_db(transaction=True, databases=WITH_REPLICA)
def test_an_admin_reads_the_dashboard_and_its_lists_from_the_replica(replica, clinic_admin, signed_in):
    people = build.patients(2)
    for person in people:
        build.opioid(person, "morphine", "60", doses="1")
    client = signed_in(clinic_admin)

    with CaptureQueriesContext(replica) as on_replica:
        page = client.get("/dashboard/")
        listed = client.get("/dashboard/patients/mme-50-no-naloxone/")

    assert '<a href="/dashboard/patients/mme-50-no-naloxone/">2 on 50 MME or more without naloxone</a>' in (
        page.content.decode()
    )
    assert all(str(person.public_id) in listed.content.decode() for person in people)
    assert len(on_replica) == 4 + 2  # the dashboard's figures; the list's policy and patients
    assert not any("INSERT" in query["sql"] for query in on_replica.captured_queries)
    assert AuditEvent.objects.filter(actor=clinic_admin, target="dashboard list: mme-50-no-naloxone").exists()


@pytest.mark.django_db(databases=WITH_REPLICA)
def test_a_list_read_on_the_replica_sees_only_committed_rows(replica):
    person = build.patients(1)[0]
    build.opioid(person, "morphine", "60", doses="1")

    with reading_from_replica():
        on_replica = list(patients_in("mme-50"))

    assert on_replica == []
    assert list(patients_in("mme-50")) == [person]
