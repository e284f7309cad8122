"""The pre-visit summary: what changed since the last visit on one printable screen, each line linking to its
page; the patient's access rule (outsiders 404, audited); a constant number of queries as the history grows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans.models import DailyLog, GoalComment, PacingSession
from clinic.models import Appointment, Referral
from tests.careplans.logkit import session, walking_plan
from tests.careplans.plan_builders import goal_for, progress
from tests.clinic.daykit import appointment, at_local, full_history, signed_note
from tests.factories import PsychotherapyNoteFactory, referral_in_state
from tests.measures.responses import peg
from tests.medications.medkit import add_line


def summary_url(visit: Appointment) -> str:
    return reverse("today:summary", args=[visit.public_id])


@pytest.fixture
def visit(patient, physician):
    full_history(patient, physician)
    return appointment(patient, physician, at_local(timezone.localdate(), 15))


def test_it_shows_what_changed_since_the_last_visit_each_line_linking_to_its_page(signed_in, physician, patient, visit):
    response = signed_in(physician).get(summary_url(visit))
    page = response.content.decode()
    history = response.context["summary"]
    assert history.since.kind == "note"
    assert "Since the last signed visit note on" in page
    # Questionnaires against baseline and the responder threshold, with the score at the last visit.
    assert "Against baseline: PEG 8.0 \N{RIGHTWARDS ARROW} 4.0 (\N{MINUS SIGN}50%): responder" in page
    assert "7 before the last signed visit note" in page
    assert "Since the last signed visit note: PEG crossed its responder threshold" in page
    assert reverse("measures:detail", args=[patient.public_id, "peg"]) in page
    # Logs, pacing, flares, goals, referrals, medications, tasks, the patient's words.
    assert "on 8 days" in page and reverse("careplans:log_trends", args=[patient.public_id]) in page
    assert "of the planned sessions done" in page
    assert reverse("careplans:pacing_detail", args=[patient.public_id, history.flares[0].pacing_plan.public_id]) in page
    assert "Walk the dog again" in page and "15 min on" in page
    assert "Not acknowledged within 5 business days" in page
    assert reverse("referrals:detail", args=[history.referrals[0].public_id]) in page
    assert "MME/day now</a>: 60" in page and "Oxycodone</a>: added on" in page
    assert "Knees ached after the stairs" in page and "I walked to the park on Sunday" in page
    assert "data-print" in page


def test_the_interval_starts_at_the_last_attended_appointment_when_no_note_is_signed(signed_in, physician, patient):
    earlier = appointment(patient, physician, at_local(timezone.localdate() - datetime.timedelta(days=9), 10))
    Appointment.objects.filter(pk=earlier.pk).update(status=Appointment.Status.ATTENDED)
    visit = appointment(patient, physician, at_local(timezone.localdate(), 15))
    history = signed_in(physician).get(summary_url(visit)).context["summary"]
    assert history.since.kind == "attended" and history.since.at == earlier.starts_at


def test_a_note_signed_after_the_appointment_does_not_move_its_interval(signed_in, physician, patient):
    visit = appointment(patient, physician, at_local(timezone.localdate() - datetime.timedelta(days=1), 10))
    signed_note(patient, physician, days_ago=0)
    history = signed_in(physician).get(summary_url(visit)).context["summary"]
    assert history.since.kind == "registration"


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "clinic_admin"])
def test_everyone_who_may_see_the_patient_reads_it_and_it_is_audited(request, signed_in, who, patient, visit):
    person = request.getfixturevalue(who)
    response = signed_in(person).get(summary_url(visit))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(actor=person, action=Action.VIEW, target="pre-visit summary").get()
    assert event.patient == patient


def test_only_clinicians_who_chart_are_offered_the_note(signed_in, physician, coordinator, visit):
    start = reverse("today:start_note", args=[visit.public_id])
    assert start in signed_in(physician).get(summary_url(visit)).content.decode()
    assert start not in signed_in(coordinator).get(summary_url(visit)).content.decode()


def test_an_outsider_gets_not_found_and_the_refusal_is_audited(signed_in, outsider, patient, visit):
    response = signed_in(outsider).get(summary_url(visit))
    assert response.status_code == 404
    refusal = AuditEvent.objects.get(actor=outsider, action=Action.REFUSED)
    assert refusal.patient == patient and f"appointment {visit.public_id}" in refusal.target


def test_an_unknown_appointment_is_not_found(signed_in, physician):
    import uuid

    assert signed_in(physician).get(reverse("today:summary", args=[uuid.uuid4()])).status_code == 404


def test_psychotherapy_notes_are_never_part_of_it(signed_in, physician, psychologist, patient, visit):
    PsychotherapyNoteFactory(patient=patient, author=psychologist, text="Private process material")
    for person in (physician, psychologist):
        assert "Private process material" not in signed_in(person).get(summary_url(visit)).content.decode()


def grow_history(patient, clinician, plan):
    """More of everything the summary reads: scores, check-ins with words, goals with progress, referrals,
    medication lines, flares and comments."""
    today = timezone.localdate()
    for days in range(3, 30):
        peg(patient, 5, days_ago=days)
        DailyLog.objects.create(
            patient=patient, logged_at=timezone.now() - datetime.timedelta(days=days), pain_interference=4, note="ok"
        )
    for n in range(3):
        goal = goal_for(plan, clinician, words=f"Goal {n}")
        progress(goal, clinician, 10 + n, on=today)
        GoalComment.objects.create(goal=goal, text=f"Comment {n}", by_patient=True)
        referral_in_state(Referral.State.SCHEDULED, patient=patient, by=clinician)
    add_line(patient, clinician, "gabapentin", 300, doses=3)
    pacing = walking_plan(plan, starts_on=today - datetime.timedelta(days=9), by=clinician, activity="Cycling")
    for days in range(1, 8):
        session(pacing, today - datetime.timedelta(days=days), PacingSession.Outcome.FLARE)


def test_it_runs_the_same_number_of_queries_as_the_history_grows(
    signed_in, physician, patient, visit, django_assert_num_queries
):
    client = signed_in(physician)
    client.get(summary_url(visit))
    with django_assert_num_queries(27) as first:
        client.get(summary_url(visit))
    grow_history(patient, physician, visit.patient.care_plans.get())
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(summary_url(visit))


def test_it_uses_the_clinics_day_in_kiritimati(settings, signed_in, physician, patient):
    settings.TIME_ZONE = "Pacific/Kiritimati"
    visit = appointment(patient, physician, at_local(timezone.localdate(), 0, 30))
    response = signed_in(physician).get(summary_url(visit))
    assert response.status_code == 200
    assert response.context["summary"].today == timezone.localdate()
