"""sweep_visit_measures (measures/visits.py): questionnaires timed to a booked visit."""

import datetime
import re

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.dates import start_of_day
from clinic.models import Appointment, OutboxMessage, TeamTask
from clinic.services import queue_message
from measures.models import Invitation, MeasurementSchedule, Response, VisitAsk, VisitProtocol
from measures.services import latest_instrument
from measures.sweeps import sweep_due_measures, sweep_reminders
from measures.tasks import sweep_visit_measures_task
from measures.visits import sweep_visit_measures
from portal.models import PatientLink
from tests.clinic.conftest import eager_celery  # noqa: F401 (a fixture)
from tests.factories import PatientFactory
from tests.measures.visits import DAY, VISIT_DAY, at, book

THREE_BEFORE = VISIT_DAY - 3 * DAY


def sweep(now=None):
    return sweep_visit_measures(now=now or at(THREE_BEFORE, 10))


def schedule(patient, code, *, next_due_on=THREE_BEFORE, every_days=28):
    return MeasurementSchedule.objects.create(
        patient=patient, instrument_code=code, every_days=every_days, next_due_on=next_due_on
    )


def token_in(message: OutboxMessage) -> str:
    return re.search(r"/p/([^/\s]+)/", message.body).group(1)


def test_three_days_before_a_follow_up_the_patient_gets_one_link_with_the_peg(patient):
    book(patient)

    result = sweep()

    invitation = Invitation.objects.get(patient=patient)
    assert (invitation.due_on, invitation.instrument_codes) == (THREE_BEFORE, ["peg"])
    assert invitation.closes_at == start_of_day(VISIT_DAY + DAY)
    assert invitation.link.expires_at == invitation.closes_at  # sooner than the link's own 7 days
    assert invitation.next_reminder_at == at(VISIT_DAY - DAY, 8)
    message = OutboxMessage.objects.get(patient=patient)
    assert message.dedupe_key == f"invitation:{invitation.id}" and "/p/" in message.body
    assert "PEG" not in message.body and "pain" not in message.body.lower()
    assert (result.invitations, result.messages, result.claimed) == (1, 1, 1)


def test_four_days_before_nothing_is_asked_even_at_23_30_and_at_00_30_three_days_before_it_is(patient):
    book(patient)

    with time_machine.travel(at(THREE_BEFORE - DAY, 23, 30), tick=False):
        assert sweep_visit_measures().invitations == 0
    with time_machine.travel(at(THREE_BEFORE, 0, 30), tick=False):
        assert sweep_visit_measures().invitations == 1

    assert Invitation.objects.get(patient=patient).due_on == THREE_BEFORE


def test_the_task_sends_nothing_at_night_and_the_morning_run_sends_it(patient, eager_celery):  # noqa: F811
    book(patient)

    with time_machine.travel(at(THREE_BEFORE, 0, 30), tick=False):
        assert sweep_visit_measures_task.delay().get() == {"outside_message_hours": True}
    assert not Invitation.objects.exists()
    with time_machine.travel(at(THREE_BEFORE, 8, 2), tick=False):
        counts = sweep_visit_measures_task.delay().get()
    assert (counts["invitations"], counts["messages"]) == (1, 1)


def test_a_visit_booked_two_days_ahead_is_asked_at_once_but_not_on_the_visit_day(patient, other_patient):
    book(patient)
    sweep(at(VISIT_DAY - 2 * DAY, 10))
    assert Invitation.objects.get(patient=patient).due_on == VISIT_DAY - 2 * DAY

    book(other_patient, starts_at=at(VISIT_DAY - DAY, 15))  # booked for later today
    sweep(at(VISIT_DAY - DAY, 9))
    assert not Invitation.objects.filter(patient=other_patient).exists()


def test_group_sessions_and_new_patient_visits_are_not_in_the_default_protocol(patient, other_patient):
    book(patient, kind=Appointment.Kind.NEW)
    book(other_patient, kind=Appointment.Kind.TELEHEALTH)

    sweep()

    assert list(Invitation.objects.values_list("patient_id", flat=True)) == [other_patient.id]


def test_the_day_before_the_visit_one_reminder_goes_and_nothing_after_it(patient):
    book(patient)
    sweep()

    assert sweep_reminders(now=at(VISIT_DAY - 2 * DAY, 10)).reminders == 0
    assert sweep_reminders(now=at(VISIT_DAY - DAY, 8)).reminders == 1
    for later in (at(VISIT_DAY, 9), at(VISIT_DAY + DAY, 9), at(VISIT_DAY + 5 * DAY, 9)):
        sweep_visit_measures(now=later)
        result = sweep_reminders(now=later)
        assert (result.reminders, result.not_reached) == (0, 0)

    invitation = Invitation.objects.get(patient=patient)
    assert invitation.reminders_sent == 1 and invitation.next_reminder_at is None
    assert OutboxMessage.objects.filter(patient=patient).count() == 2
    assert not TeamTask.objects.filter(patient=patient).exists()


def test_after_the_visit_day_the_link_shows_the_calm_closed_page_with_send_me_a_new_link(client, patient):
    book(patient)
    sweep()
    token = token_in(OutboxMessage.objects.get(patient=patient))

    with time_machine.travel(at(VISIT_DAY, 23, 30), tick=False):
        assert "This link is no longer open" not in client.get(f"/p/{token}/").content.decode()
    with time_machine.travel(at(VISIT_DAY + DAY, 0, 30), tick=False):
        page = client.get(f"/p/{token}/").content.decode()
    assert "This link is no longer open" in page and "Send me a new link" in page


def test_two_rules_and_an_interval_schedule_due_make_one_invitation_and_one_message(patient):
    VisitProtocol.objects.create(
        name="Mood before the visit", days_before=3, instrument_codes=["phq9"], appointment_kinds=["follow_up"]
    )
    book(patient)
    book(patient, starts_at=at(VISIT_DAY, 14), kind=Appointment.Kind.TELEHEALTH)
    schedule(patient, "gad7")  # due today on the interval schedule

    result = sweep()
    sweep_due_measures(today=THREE_BEFORE, now=at(THREE_BEFORE, 10, 5))

    invitation = Invitation.objects.get(patient=patient)
    assert invitation.instrument_codes == ["peg", "phq9", "gad7"]
    assert OutboxMessage.objects.filter(patient=patient).count() == 1
    assert (
        VisitAsk.objects.filter(invitation=invitation).count() == result.claimed == 3
    )  # PEG: both visits; PHQ-9: the follow-up
    # Asked with the visit, the GAD-7 moved on past it: the interval sweep does not ask it again.
    assert MeasurementSchedule.objects.get(patient=patient).next_due_on == THREE_BEFORE + 28 * DAY


def test_the_visit_joins_the_invitation_the_interval_sweep_already_sent_today(patient):
    book(patient)
    schedule(patient, "phq9", next_due_on=VISIT_DAY + 10 * DAY)  # not due by the visit: not asked
    schedule(patient, "gad7")
    sweep_due_measures(today=THREE_BEFORE, now=at(THREE_BEFORE, 9, 5))

    sweep()

    invitation = Invitation.objects.get(patient=patient)
    assert invitation.instrument_codes == ["gad7", "peg"]
    assert invitation.closes_at == start_of_day(VISIT_DAY + DAY)
    assert invitation.link.expires_at == invitation.closes_at
    assert OutboxMessage.objects.filter(patient=patient).count() == 1


def test_running_twice_or_on_the_following_days_sends_once(patient):
    book(patient)

    for now in (at(THREE_BEFORE, 10), at(THREE_BEFORE, 10), at(THREE_BEFORE, 11), at(VISIT_DAY - DAY, 10)):
        sweep(now)

    assert Invitation.objects.filter(patient=patient).count() == 1
    assert OutboxMessage.objects.filter(patient=patient).count() == 1
    assert VisitAsk.objects.count() == 1


def test_an_instrument_completed_in_the_last_three_days_is_left_out(patient):
    book(patient)
    done = at(THREE_BEFORE, 10) - 2 * DAY
    Response.objects.create(patient=patient, instrument=latest_instrument("peg"), started_at=done, completed_at=done)

    result = sweep()

    assert not Invitation.objects.exists() and not OutboxMessage.objects.exists()
    assert (result.skipped_recent, result.claimed) == (1, 1)  # claimed: not asked again tomorrow


def test_a_cancelled_visit_closes_its_open_invitation(client, patient):
    visit = book(patient)
    sweep()
    token = token_in(OutboxMessage.objects.get(patient=patient))
    Appointment.objects.filter(pk=visit.pk).update(status=Appointment.Status.CANCELLED)

    result = sweep(at(THREE_BEFORE, 11))

    invitation = Invitation.objects.get(patient=patient)
    assert result.closed == 1 and invitation.closes_at == at(THREE_BEFORE, 11)
    assert invitation.next_reminder_at is None and invitation.link.revoked_at is not None
    assert sweep_reminders(now=at(VISIT_DAY - DAY, 8)).reminders == 0
    with time_machine.travel(at(THREE_BEFORE, 12), tick=False):
        assert "This link is no longer open" in client.get(f"/p/{token}/").content.decode()


def test_a_cancelled_visit_leaves_an_invitation_open_that_also_carries_interval_questionnaires(patient):
    visit = book(patient)
    sweep()
    schedule(patient, "gad7")
    sweep_due_measures(today=THREE_BEFORE, now=at(THREE_BEFORE, 10, 5))  # adds the GAD-7 to the day's link
    Appointment.objects.filter(pk=visit.pk).update(status=Appointment.Status.CANCELLED)

    sweep(at(THREE_BEFORE, 11))

    invitation = Invitation.objects.get(patient=patient)
    assert invitation.instrument_codes == ["peg", "gad7"] and invitation.closes_at is None
    assert invitation.link.revoked_at is None
    assert invitation.link.expires_at == invitation.link.created_at + 7 * DAY


def test_a_moved_visit_re_times_its_invitation_and_is_not_asked_again(patient):
    visit = book(patient)
    sweep()
    moved_day = VISIT_DAY + 2 * DAY
    Appointment.objects.filter(pk=visit.pk).update(starts_at=at(moved_day, 9), ends_at=at(moved_day, 10))

    result = sweep(at(THREE_BEFORE, 11))
    sweep(at(moved_day - 3 * DAY, 10))  # three days before the new date: already asked

    invitation = Invitation.objects.get(patient=patient)
    assert result.retimed == 1
    assert invitation.closes_at == start_of_day(moved_day + DAY)
    assert invitation.link.expires_at == start_of_day(moved_day + DAY)
    assert invitation.next_reminder_at == at(moved_day - DAY, 8)
    assert OutboxMessage.objects.filter(patient=patient).count() == 1


def test_a_visit_moved_beyond_the_links_seven_days_keeps_the_links_own_expiry(patient):
    visit = book(patient)
    sweep()
    moved_day = VISIT_DAY + 10 * DAY
    Appointment.objects.filter(pk=visit.pk).update(starts_at=at(moved_day, 9), ends_at=at(moved_day, 10))

    sweep(at(THREE_BEFORE, 11))

    link = Invitation.objects.get(patient=patient).link
    assert link.expires_at == link.created_at + 7 * DAY


def test_a_patient_already_messaged_today_gets_the_link_tomorrow_closing_with_the_visit(patient):
    book(patient)
    with time_machine.travel(at(THREE_BEFORE, 10), tick=False):
        queue_message(channel="email", to_address=patient.email, body="Your appointment", patient=patient)
        result = sweep_visit_measures()
    sweep_reminders(now=at(THREE_BEFORE + DAY, 8, 15))

    invitation = Invitation.objects.get(patient=patient)
    assert result.held_for_tomorrow == 1
    assert invitation.link.expires_at == start_of_day(VISIT_DAY + DAY)
    assert invitation.next_reminder_at == at(VISIT_DAY - DAY, 8)  # the day-before reminder still follows


def test_a_patient_without_consent_gets_no_message_and_a_coordinator_task(patient):
    patient.consents_to_email = patient.consents_to_sms = False
    patient.save()
    book(patient)

    result = sweep()

    assert result.no_channel == 1 and not OutboxMessage.objects.exists()
    assert Invitation.objects.get(patient=patient).not_reached_at is not None
    assert TeamTask.objects.filter(patient=patient, source=TeamTask.Source.NOT_REACHED).count() == 1


def test_a_switched_off_protocol_line_asks_nothing(patient):
    VisitProtocol.objects.update(active=False)
    book(patient)

    assert sweep().invitations == 0


def test_the_number_of_queries_does_not_grow_with_patients_and_visits(db):
    def queries_for(patients: int, visit_day: datetime.date) -> int:
        for _ in range(patients):
            person = PatientFactory()
            schedule(person, "gad7", next_due_on=visit_day - 3 * DAY)
            book(person, starts_at=at(visit_day, 10))
            book(person, starts_at=at(visit_day, 15), kind=Appointment.Kind.TELEHEALTH)
        with CaptureQueriesContext(connection) as captured:
            result = sweep_visit_measures(now=at(visit_day - 3 * DAY, 10))
        assert result.invitations == result.messages == patients
        return len(captured)

    assert queries_for(1, VISIT_DAY) == queries_for(25, VISIT_DAY + 7 * DAY)


def test_moving_and_cancelling_many_visits_takes_the_same_number_of_queries(db):
    def queries_for(patients: int, visit_day: datetime.date) -> int:
        visits = [book(PatientFactory(), starts_at=at(visit_day, 10)) for _ in range(patients)]
        sweep_visit_measures(now=at(visit_day - 3 * DAY, 10))
        for number, visit in enumerate(visits):
            moved = {"starts_at": at(visit_day + DAY, 10), "ends_at": at(visit_day + DAY, 11)}
            change = {"status": Appointment.Status.CANCELLED} if number % 2 else moved
            Appointment.objects.filter(pk=visit.pk).update(**change)
        with CaptureQueriesContext(connection) as captured:
            sweep_visit_measures(now=at(visit_day - 3 * DAY, 11))
        return len(captured)

    assert queries_for(2, VISIT_DAY) == queries_for(20, VISIT_DAY + 7 * DAY)


def test_the_link_is_a_questionnaire_link(patient):
    book(patient)
    sweep()
    assert Invitation.objects.get(patient=patient).link.purpose == PatientLink.Purpose.QUESTIONNAIRES
