"""The bulk export (fhir_export): NDJSON per type that validates line by line, one patient's record alone with
--patient, no psychotherapy note, a constant number of queries whatever the number of patients, and one audit
event per run."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Action, AuditEvent
from clinic.roles import Discipline, Role
from interop.fhir.export import export_bulk
from interop.fhir.registry import RESOURCE_TYPES
from measures.models import Instrument
from tests.factories import PatientFactory, StaffFactory

from .records import PSYCHOTHERAPY_WORDS, full_record, psychologist_staff
from .validation import validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return StaffFactory(username="ada.admin", role=Role.ADMIN, discipline=Discipline.CARE_COORDINATOR)


@pytest.fixture
def team():
    return StaffFactory(discipline=Discipline.PHYSICIAN, credentials="MD"), psychologist_staff()


def run(out: Path, *args) -> str:
    stdout = StringIO()
    call_command("fhir_export", "--out", str(out), *args, stdout=stdout)
    return stdout.getvalue()


def read(out: Path) -> dict[str, list[dict]]:
    return {
        path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        for path in sorted(out.glob("*.ndjson"))
    }


def test_the_export_writes_one_valid_ndjson_file_per_type_and_prints_the_counts(tmp_path, admin, team):
    full_record(*team)
    printed = run(tmp_path, "--by", admin.username)
    written = read(tmp_path)
    assert set(written) == {
        "Patient", "Practitioner", "PractitionerRole", "CareTeam", "Condition", "AllergyIntolerance",
        "MedicationStatement", "Questionnaire", "QuestionnaireResponse", "Observation", "CarePlan", "Goal",
        "ServiceRequest", "Task", "Appointment", "Encounter", "Provenance",
    }  # fmt: skip
    for name, resources in written.items():
        for resource in resources:
            assert resource["resourceType"] == name
            validate(resource)
        assert f"{name}: {len(resources)}" in printed
    assert len(written["Condition"]) == 3  # the problem, and the primary and other pain conditions
    assert len(written["Observation"]) == 2  # the PHQ-9 score and the daily check-in
    assert len(written["Encounter"]) == 1  # the signed visit, not the draft
    assert not list(tmp_path.glob(".*partial"))


def test_references_point_at_resources_in_the_export(tmp_path, admin, team):
    full_record(*team)
    run(tmp_path, "--by", admin.username)
    written = read(tmp_path)
    present = {f"{name}/{resource['id']}" for name, resources in written.items() for resource in resources}
    references = set(_references(list(written.values())))
    assert references and references <= present


def _references(value):
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for inner in value.values():
            yield from _references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _references(inner)


def test_psychotherapy_notes_are_never_exported_not_even_their_existence(tmp_path, admin, team):
    patient = full_record(*team)
    note = patient.psychotherapy_notes.get()
    run(tmp_path, "--by", admin.username)
    text = "\n".join(path.read_text() for path in tmp_path.glob("*.ndjson"))
    assert PSYCHOTHERAPY_WORDS not in text
    assert str(note.public_id) not in text
    assert "sychotherap" not in text


def test_with_patient_only_that_patients_record_and_the_staff_it_names_are_written(tmp_path, admin, team):
    mine = full_record(*team, mrn="MRN900001")
    other_lead = StaffFactory(discipline=Discipline.PHYSICIAN)
    theirs = full_record(other_lead, psychologist_staff())
    StaffFactory()  # on nobody's team
    run(tmp_path, "--by", admin.username, "--patient", "mrn900001")
    written = read(tmp_path)
    assert [p["id"] for p in written["Patient"]] == [str(mine.public_id)]
    text = "\n".join(path.read_text() for path in tmp_path.glob("*.ndjson"))
    assert str(theirs.public_id) not in text
    assert {p["name"][0]["family"] for p in written["Practitioner"]} == {member.last_name for member in team}


def test_codes_come_from_the_instrument_definitions_and_fhirs_own_code_systems(tmp_path, admin, team):
    patient = full_record(*team)
    run(tmp_path, "--by", admin.username)
    written = read(tmp_path)
    spec = patient.responses.get().instrument.spec
    (score,) = [o for o in written["Observation"] if o["id"] == str(patient.responses.get().public_id)]
    assert score["code"]["coding"] == [
        {"system": "http://loinc.org", "code": spec.loinc_total, "display": score["code"]["text"]}
    ]
    cited = set()
    for instrument in Instrument.objects.all():  # each definition's codes cite REFERENCE.md section 1
        every = instrument.spec
        cited |= {every.loinc_panel, every.loinc_total, *(item.loinc for item in every.items)} - {None}
        cited |= {option.loinc for item in every.items for option in item.options} - {None}
    loinc = {c["code"] for c in _codings(written) if c.get("system") == "http://loinc.org"}
    assert loinc and loinc <= cited
    systems = {c.get("system") for c in _codings(written)} - {None}
    assert systems <= {
        "http://loinc.org",
        "urn:ietf:bcp:47",
        "http://terminology.hl7.org/CodeSystem/v2-0203",
        "http://terminology.hl7.org/CodeSystem/condition-clinical",
        "http://terminology.hl7.org/CodeSystem/condition-category",
        "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
        "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
        "http://terminology.hl7.org/CodeSystem/observation-category",
        "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
        "http://terminology.hl7.org/CodeSystem/goal-achievement",
        "http://unitsofmeasure.org",  # units of quantities: {score}, h, min, kg
    }
    conditions = [c for c in written["Condition"] if c["code"].get("coding")]
    assert conditions == []  # Haven records no SNOMED CT or ICD-10-CM codes: none is guessed
    assert all("coding" not in m["medicationCodeableConcept"] for m in written["MedicationStatement"])


def _codings(written):
    for resources in written.values():
        yield from _all_codings(resources)


def _all_codings(value):
    if isinstance(value, dict):
        if "code" in value and ("system" in value or "display" in value):
            yield value
        for inner in value.values():
            yield from _all_codings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _all_codings(inner)


def queries_of_export(out: Path, admin, **options) -> int:
    with CaptureQueriesContext(connection) as captured:
        export_bulk(out=out, by=admin, audit=None, **options)
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_number_of_patients(tmp_path, admin, team):
    for _ in range(3):
        full_record(*team)
    with_three = queries_of_export(tmp_path / "three", admin)
    for _ in range(9):
        full_record(*team)
    with_twelve = queries_of_export(tmp_path / "twelve", admin)
    assert with_three == with_twelve
    # One query per source table and per prefetch; besides them only the instrument definitions (once), the
    # snapshot's transaction (here a savepoint and its release) and the audit event.
    sources_and_prefetches = len(RESOURCE_TYPES) + 3  # CareTeam's members, CarePlan's goals and treatments
    assert with_twelve == sources_and_prefetches + 4


def test_one_patients_export_costs_the_same_queries_whatever_the_size_of_the_clinic(tmp_path, admin, team):
    mine = full_record(*team)
    alone = queries_of_export(tmp_path / "alone", admin, patient=mine)
    for _ in range(6):
        full_record(*team)
    assert queries_of_export(tmp_path / "among", admin, patient=mine) == alone


def test_a_run_is_audited_once_with_its_counts_on_the_patient_it_exported(tmp_path, admin, team):
    patient = full_record(*team)
    run(tmp_path / "clinic", "--by", admin.username)
    run(tmp_path / "one", "--by", admin.username, "--patient", patient.mrn)
    clinic_wide, one = AuditEvent.objects.filter(action=Action.EXPORT).order_by("pk")
    assert clinic_wide.patient is None and clinic_wide.actor == admin
    assert clinic_wide.target.startswith("FHIR bulk export: 1 Patient,")
    assert one.patient == patient and "1 Patient" in one.target
    assert patient.mrn not in one.target and patient.family_name not in one.target


def test_run_on_the_server_without_a_name_it_exports_and_the_audit_says_it_was_the_servers_command_line(tmp_path, team):
    full_record(*team)
    printed = run(tmp_path)
    assert (tmp_path / "Patient.ndjson").exists() and "Patient: 1" in printed
    (event,) = AuditEvent.objects.filter(action=Action.EXPORT)
    assert event.actor is None and event.actor_label == "the server's command line (manage.py fhir_export)"


def test_only_clinic_admins_export_and_a_refusal_is_audited_and_writes_nothing(tmp_path, team):
    lead, _ = team
    PatientFactory()
    with pytest.raises(CommandError, match="Only clinic admins"):
        run(tmp_path, "--by", lead.username)
    assert not list(tmp_path.glob("*"))
    refused = AuditEvent.objects.get(action=Action.REFUSED)
    assert refused.actor == lead and refused.target == "FHIR bulk export"


def test_unknown_staff_or_mrn_is_a_clear_message_that_does_not_echo_the_mrn(tmp_path, admin):
    with pytest.raises(CommandError, match="No member of staff has that username"):
        run(tmp_path, "--by", "nobody")
    with pytest.raises(CommandError) as refused:
        run(tmp_path, "--by", admin.username, "--patient", "MRN424242")
    assert str(refused.value) == "No patient has that MRN."
    assert not list(tmp_path.glob("*.ndjson"))


def test_every_read_of_the_export_is_routed_to_the_replica_when_there_is_one(tmp_path, admin, team, monkeypatch):
    from interop import replica

    full_record(*team)
    reads = []
    original = replica.ReplicaRouter.db_for_read

    def spy(router, model, **hints):
        reads.append((model._meta.label, replica._reading_from_replica.get()))
        return original(router, model, **hints)

    monkeypatch.setattr(replica.ReplicaRouter, "db_for_read", spy)
    export_bulk(out=tmp_path, by=admin, audit=None)
    assert reads and all(inside for _, inside in reads), [label for label, inside in reads if not inside]


@pytest.mark.parametrize(
    ("role", "active", "allowed"),
    [
        (Role.ADMIN, True, True),
        (Role.ADMIN, False, False),
        (Role.COORDINATOR, True, False),
        (Role.CLINICIAN, True, False),
    ],
)
def test_only_an_active_clinic_admin_may_run_the_bulk_export(tmp_path, role, active, allowed):
    person = StaffFactory(role=role, is_active=active)
    if allowed:
        export_bulk(out=tmp_path, by=person, audit=None)
    else:
        with pytest.raises(PermissionDenied):
            export_bulk(out=tmp_path, by=person, audit=None)
    assert AuditEvent.objects.get().action == (Action.EXPORT if allowed else Action.REFUSED)


@pytest.mark.django_db(transaction=True)
def test_a_run_reads_one_snapshot_of_the_clinic(tmp_path, admin):
    PatientFactory()
    with CaptureQueriesContext(connection) as captured:
        export_bulk(out=tmp_path, by=admin, audit=None)
    statements = [query["sql"] for query in captured]
    snapshot = statements.index("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    first_read = next(i for i, sql in enumerate(statements) if sql.startswith("SELECT"))
    assert snapshot < first_read
    assert (tmp_path / "Patient.ndjson").read_text().count("\n") == 1
