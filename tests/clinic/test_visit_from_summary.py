"""Starting the visit note from the pre-visit summary: the clinician's draft with the interval history drafted from
the data (editable text in "Findings"), linked to the appointment, one per clinician and appointment."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import Appointment
from clinic.previsit import PrevisitSummary
from clinic.today import Since
from patients.models import Encounter
from patients.visit_from_summary import interval_history
from tests.clinic.daykit import appointment, at_local, full_history
from tests.factories import PsychotherapyNoteFactory


def start_url(visit: Appointment) -> str:
    return reverse("today:start_note", args=[visit.public_id])


@pytest.fixture
def visit(patient, physician):
    full_history(patient, physician)
    return appointment(patient, physician, at_local(timezone.localdate(), 15))


def test_it_starts_the_clinicians_draft_with_the_interval_history_and_opens_it(signed_in, physician, patient, visit):
    response = signed_in(physician).post(start_url(visit))
    note = Encounter.objects.get(patient=patient, status=Encounter.Status.DRAFT)
    assert response["Location"] == reverse("patients:edit_visit", args=[patient.public_id, note.public_id])
    assert note.author == physician and note.appointment == visit
    assert note.kind == Encounter.Kind.FOLLOW_UP and note.occurred_on == timezone.localdate()
    assert note.findings.startswith("Interval history since ")
    for words in (
        "(last signed visit note)",
        "PEG crossed its responder threshold: PEG 8.0 \N{RIGHTWARDS ARROW} 4.0",
        "; 7 before the last signed visit note",
        "Daily check-ins on 8 days",
        "Flare-ups (pacing skipped for a flare): 1",
        '- Goal "Walk the dog again": baseline 5 min, now 15 min',
        "- Referral to Physical therapy: sent (not acknowledged within 5 business days).",
        "- Oxycodone: added on",
        "MME/day now: 60.",
        '- "Knees ached after the stairs" (check-in,',
    ):
        assert words in note.findings
    assert AuditEvent.objects.filter(actor=physician, action=Action.CREATE, target="visit note (draft)").count() == 1


def test_the_drafted_text_is_the_clinicians_to_edit(signed_in, physician, patient, visit):
    client = signed_in(physician)
    edit = client.get(client.post(start_url(visit))["Location"])
    assert edit.status_code == 200
    assert "Interval history since" in edit.content.decode()


def test_starting_again_opens_the_same_draft_instead_of_a_second(signed_in, physician, patient, visit):
    client = signed_in(physician)
    first = client.post(start_url(visit))["Location"]
    assert client.post(start_url(visit))["Location"] == first
    assert Encounter.objects.filter(appointment=visit).count() == 1
    page = client.get(reverse("today:summary", args=[visit.public_id])).content.decode()
    assert "Open your draft visit note" in page and start_url(visit) not in page


def test_each_clinician_starts_their_own_note(signed_in, physician, psychologist, patient, visit):
    PsychotherapyNoteFactory(patient=patient, author=psychologist, text="Private process material")
    signed_in(physician).post(start_url(visit))
    signed_in(psychologist).post(start_url(visit))
    notes = Encounter.objects.filter(appointment=visit)
    assert {note.author for note in notes} == {physician, psychologist}
    assert not any("Private process material" in note.findings for note in notes)


def test_a_coordinator_reads_but_does_not_chart(signed_in, coordinator, visit):
    assert signed_in(coordinator).post(start_url(visit)).status_code == 403
    assert not Encounter.objects.filter(appointment=visit).exists()
    assert AuditEvent.objects.filter(actor=coordinator, action=Action.REFUSED).exists()


def test_an_outsider_gets_not_found_and_nothing_is_written(signed_in, outsider, patient, visit):
    assert signed_in(outsider).post(start_url(visit)).status_code == 404
    assert not Encounter.objects.filter(patient=patient).exclude(status=Encounter.Status.SIGNED).exists()
    assert AuditEvent.objects.get(actor=outsider, action=Action.REFUSED).patient == patient


def test_an_unknown_appointment_or_a_get_changes_nothing(signed_in, physician, visit):
    client = signed_in(physician)
    assert client.post(reverse("today:start_note", args=[uuid.uuid4()])).status_code == 404
    assert client.get(start_url(visit)).status_code == 405
    assert not Encounter.objects.filter(appointment=visit).exists()


def test_a_note_for_an_appointment_still_ahead_is_dated_today_and_a_video_visit_is_remote(
    signed_in, physician, patient
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    ahead = appointment(patient, physician, at_local(tomorrow, 9), kind=Appointment.Kind.TELEHEALTH)
    signed_in(physician).post(start_url(ahead))
    note = Encounter.objects.get(appointment=ahead)
    assert note.occurred_on == timezone.localdate() and note.kind == Encounter.Kind.REMOTE


def test_an_empty_record_drafts_plain_sentences_saying_so():
    now = timezone.now()
    visit = Appointment(starts_at=now)
    summary = PrevisitSummary(appointment=visit, since=Since(at=now, kind="intake"), today=timezone.localdate())
    text = interval_history(summary)
    assert "(intake)" in text.splitlines()[0]
    assert "Questionnaires: none answered since." in text and "Daily check-ins: none since." in text
