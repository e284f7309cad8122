"""Psychotherapy notes: kept apart from the chart, written and read by psychologists who may see the patient
and by no one else (404: not physicians, coordinators, clinic admins or outsiders). The chart shows that a
note exists (date and author) to everyone who can see the chart, never its content. Audited without content."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.access import Refused
from clinic.roles import Discipline, Role
from patients.models import PsychotherapyNote
from patients.visit_services import write_psychotherapy_note
from tests.factories import CareTeamMemberFactory, PsychotherapyNoteFactory, StaffFactory

SECRET = "Discussed a childhood memory in confidence"

# A page's ceiling: the banner and top bar (other parts of the chart) take most of it. What these tests
# assert is that the count stays the same however long the history.
PAGE_QUERIES = 30


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def list_url(patient):
    return reverse("patients:psychotherapy_notes", args=[patient.public_id])


def new_url(patient):
    return reverse("patients:new_psychotherapy_note", args=[patient.public_id])


def note_url(note):
    return reverse("patients:psychotherapy_note", args=[note.patient.public_id, note.public_id])


@pytest.fixture
def note(patient, psychologist):
    return PsychotherapyNoteFactory(
        patient=patient, author=psychologist, text=SECRET, occurred_on=timezone.localdate() - datetime.timedelta(days=2)
    )


@pytest.fixture
def second_psychologist(patient):
    person = StaffFactory(
        username="dr.haddad",
        first_name="Rana",
        last_name="Haddad",
        credentials="PsyD",
        role=Role.CLINICIAN,
        discipline=Discipline.PSYCHOLOGIST,
    )
    CareTeamMemberFactory(patient=patient, member=person)
    return person


def every_request(patient, note):
    return [
        ("get", list_url(patient), None),
        ("get", new_url(patient), None),
        ("post", new_url(patient), {"occurred_on": timezone.localdate().isoformat(), "text": "Another note"}),
        ("get", note_url(note), None),
    ]


# --------------------------------------------------------------------------- who may


def test_the_psychologist_on_the_team_lists_writes_and_reads_them(signed_in, psychologist, patient, note):
    client = signed_in(psychologist)
    listing = client.get(list_url(patient))
    assert listing.status_code == 200
    assert note_url(note) in listing.content.decode()
    assert SECRET not in text_of(listing)  # the list shows dates and authors only
    assert client.get(new_url(patient)).status_code == 200
    reading = client.get(note_url(note))
    assert reading.status_code == 200
    assert SECRET in text_of(reading)


def test_another_psychologist_on_the_team_reads_them_too(signed_in, second_psychologist, note):
    assert SECRET in text_of(signed_in(second_psychologist).get(note_url(note)))


@pytest.mark.parametrize("who", ["physician", "coordinator", "clinic_admin", "outsider"])
def test_everyone_else_gets_a_404_on_every_psychotherapy_note_url(request, signed_in, patient, note, who):
    client = signed_in(request.getfixturevalue(who))
    tried = 0
    for method, address, data in every_request(patient, note):
        response = getattr(client, method)(address, data)
        assert response.status_code == 404, (who, method, address)
        assert SECRET not in text_of(response)
        tried += 1
    assert PsychotherapyNote.objects.count() == 1
    assert not AuditEvent.objects.filter(patient=patient).exclude(action=Action.REFUSED).exists()  # only refusals
    assert AuditEvent.objects.filter(action=Action.REFUSED).count() == tried


def test_a_psychologist_on_no_team_gets_a_404(signed_in, patient, note):
    stranger = StaffFactory(role=Role.CLINICIAN, discipline=Discipline.PSYCHOLOGIST)
    client = signed_in(stranger)
    for method, address, data in every_request(patient, note):
        assert getattr(client, method)(address, data).status_code == 404, (method, address)
    assert PsychotherapyNote.objects.count() == 1


def test_an_inactive_psychologist_may_not(psychologist):
    from clinic.access.psychotherapy_notes import may_use_psychotherapy_notes

    assert may_use_psychotherapy_notes(psychologist)
    psychologist.is_active = False
    assert not may_use_psychotherapy_notes(psychologist)


def test_anonymous_visitors_are_sent_to_sign_in(client, patient, note):
    for method, address, data in every_request(patient, note):
        response = getattr(client, method)(address, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_note_of_another_patient_is_not_found_under_this_patients_address(
    signed_in, psychologist, patient, other_patient
):
    CareTeamMemberFactory(patient=other_patient, member=psychologist)
    elsewhere = PsychotherapyNoteFactory(patient=other_patient, author=psychologist)
    address = reverse("patients:psychotherapy_note", args=[patient.public_id, elsewhere.public_id])
    assert signed_in(psychologist).get(address).status_code == 404


def test_the_service_refuses_anyone_but_a_psychologist(physician, patient):
    with pytest.raises(Refused, match="Only psychologists write and read psychotherapy notes"):
        write_psychotherapy_note(patient=patient, by=physician, occurred_on=timezone.localdate(), text="x")
    assert not PsychotherapyNote.objects.exists()


# --------------------------------------------------------------------------- writing


def test_it_saves_a_note_apart_from_the_chart_and_audits_it_without_content(signed_in, psychologist, patient):
    client = signed_in(psychologist)
    day = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(new_url(patient), {"occurred_on": day.isoformat(), "text": SECRET})
    note = PsychotherapyNote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == note_url(note)
    assert (note.patient, note.author, note.occurred_on, note.text) == (patient, psychologist, day, SECRET)
    event = AuditEvent.objects.get(action=Action.CREATE)
    assert (event.actor, event.patient, event.target) == (psychologist, patient, "psychotherapy note")
    assert not patient.encounters.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"occurred_on": "", "text": SECRET}, "Enter the date of the session."),
        ({"occurred_on": "2999-01-01", "text": SECRET}, "The date cannot be in the future."),
        ({"occurred_on": "soon", "text": SECRET}, "Enter the date as a date"),
        ({"text": ""}, "Write the note."),
        ({"text": "x" * 50_001}, "Note can be at most 50000 characters"),
        ({"text": "a\x00b"}, "Null characters are not allowed."),
    ],
)
def test_it_refuses_an_incomplete_note_and_keeps_what_was_typed(signed_in, psychologist, patient, data, message):
    data = {"occurred_on": timezone.localdate().isoformat(), **data}
    response = signed_in(psychologist).post(new_url(patient), data)
    assert response.status_code == 400
    assert message in text_of(response)
    if data["text"] == SECRET:
        assert SECRET in text_of(response)
    assert not PsychotherapyNote.objects.exists()


@pytest.mark.parametrize(
    ("page", "target"),
    [("list", "psychotherapy note list"), ("new", "new psychotherapy note"), ("note", "psychotherapy note")],
)
def test_every_page_is_audited_without_content(signed_in, psychologist, patient, note, page, target):
    address = {"list": list_url(patient), "new": new_url(patient), "note": note_url(note)}[page]
    signed_in(psychologist).get(address)
    event = AuditEvent.objects.get()
    assert (event.actor, event.patient, event.action, event.target) == (psychologist, patient, Action.VIEW, target)


# --------------------------------------------------------------------------- the chart shows existence only


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "clinic_admin"])
def test_the_chart_shows_that_a_note_exists_never_its_content(request, signed_in, patient, note, who):
    page = text_of(signed_in(request.getfixturevalue(who)).get(reverse("patients:chart", args=[patient.public_id])))
    day = note.occurred_on
    assert f'Psychotherapy note, <time datetime="{day:%Y-%m-%d}">{day:%b} {day.day}, {day.year}</time>, ' in page
    assert "Elin Lindqvist, PhD" in page
    assert SECRET not in page
    linked = note_url(note) in page
    assert linked is (who == "psychologist")


def test_the_chart_hides_a_note_from_an_outsider(signed_in, outsider, patient, note):
    assert signed_in(outsider).get(reverse("patients:chart", args=[patient.public_id])).status_code == 404


def test_the_list_runs_the_same_number_of_queries_however_many_notes(
    signed_in, psychologist, patient, note, django_assert_max_num_queries
):
    client = signed_in(psychologist)
    client.get(list_url(patient))
    with django_assert_max_num_queries(PAGE_QUERIES) as one:
        client.get(list_url(patient))
    writers = [StaffFactory(password="!", discipline=Discipline.PSYCHOLOGIST) for _ in range(3)]
    for number in range(29):
        PsychotherapyNoteFactory(patient=patient, author=writers[number % 3])
    with django_assert_max_num_queries(PAGE_QUERIES) as many:
        response = client.get(list_url(patient))
    assert len(response.context["notes"]) == 30
    assert len(one) == len(many)
