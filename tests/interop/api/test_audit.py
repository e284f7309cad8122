"""Every read is audited under the client's name: one event per request per patient it read, none repeated
for a patient shown twice; reads about no patient (practitioners) write one event without a patient."""

from django.urls import reverse

from audit.models import Action, AuditEvent
from tests.factories import PatientFactory


def read_events():
    return AuditEvent.objects.filter(action=Action.EXPORT).order_by("id")


def test_reading_a_patient_writes_one_event_naming_the_client_and_the_patient(issue, fhir, patient):
    issued = issue(["Patient"], patients=[patient], name="Northside GP Practice")

    fhir(f"/fhir/Patient/{patient.public_id}", issued.token)

    event = read_events().get()
    assert (event.patient, event.actor, event.actor_label) == (patient, None, "FHIR client: Northside GP Practice")
    assert event.target == "FHIR API: read Patient"
    assert event.path == f"/fhir/Patient/{patient.public_id}"


def test_a_search_page_writes_one_event_per_patient_on_it(issue, fhir, db):
    patients = PatientFactory.create_batch(3)
    issued = issue(["Patient"], patients=patients)

    fhir("/fhir/Patient", issued.token, _count="2")

    assert [event.patient for event in read_events()] == patients[:2]


def test_everything_writes_one_event_for_its_patient(issue, fhir, patient, physician, psychologist):
    issued = issue(["Patient", "CareTeam", "Practitioner"], patients=[patient])

    fhir(f"/fhir/Patient/{patient.public_id}/$everything", issued.token)

    assert [(event.patient, event.target) for event in read_events()] == [(patient, "FHIR API: Patient $everything")]


def test_reading_practitioners_writes_one_event_without_a_patient(issue, fhir, patient, physician):
    issued = issue(["Practitioner"], patients=[patient])

    fhir("/fhir/Practitioner", issued.token)

    assert [event.patient for event in read_events()] == [None]


def test_the_reads_show_on_the_patients_access_report(issue, fhir, patient, signed_in, clinic_admin):
    issued = issue(["Patient"], patients=[patient], name="Northside GP Practice")
    fhir(f"/fhir/Patient/{patient.public_id}", issued.token)

    page = signed_in(clinic_admin).get(reverse("patients:access_report", args=[patient.public_id]))

    rows = [row for row in page.content.decode().split("</tr>") if "FHIR client: Northside GP Practice" in row]
    assert len(rows) == 1
    assert "<td>Exported</td>" in rows[0] and "<td>FHIR API: read Patient</td>" in rows[0]
