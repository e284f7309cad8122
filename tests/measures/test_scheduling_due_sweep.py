"""sweep_due_measures (measures/sweeps.py): set-based, idempotent, one bundle per patient and day."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import OutboxMessage, TeamTask
from clinic.services import queue_message
from measures.models import Invitation, MeasurementSchedule, Response
from measures.scheduling import create_invitation, start_default_schedule
from measures.services import latest_instrument
from measures.sweeps import sweep_due_measures
from measures.tasks import sweep_due_measures_task, sweep_reminders_task
from portal.models import PatientLink
from tests.clinic.conftest import eager_celery  # noqa: F401 (a fixture)
from tests.factories import PatientFactory

TODAY = datetime.date(2026, 3, 10)
NOW = timezone.make_aware(datetime.datetime(2026, 3, 10, 10, 0))
DAY = datetime.timedelta(days=1)


def sweep(today=TODAY, now=NOW):
    return sweep_due_measures(today=today, now=now)


def schedule(patient, code, *, every_days=14, next_due_on=TODAY, active=True):
    return MeasurementSchedule.objects.create(
        patient=patient, instrument_code=code, every_days=every_days, next_due_on=next_due_on, active=active
    )


def completed(patient, code, *, ago):
    return Response.objects.create(
        patient=patient, instrument=latest_instrument(code), started_at=NOW - ago, completed_at=NOW - ago
    )


def next_due(patient, code):
    return MeasurementSchedule.objects.get(patient=patient, instrument_code=code).next_due_on


def test_everything_due_for_a_patient_goes_out_as_one_invitation_one_link_and_one_message(patient):
    start_default_schedule(patient=patient, start_on=TODAY)

    result = sweep()

    invitation = Invitation.objects.get(patient=patient)
    assert invitation.due_on == TODAY
    assert invitation.instrument_codes == ["peg", "phq9", "gad7", "pcptsd5", "auditc"]
    assert invitation.link.purpose == PatientLink.Purpose.QUESTIONNAIRES
    assert invitation.link.expires_at == NOW + 7 * DAY
    assert invitation.next_reminder_at == NOW + 2 * DAY
    message = OutboxMessage.objects.get(patient=patient)
    assert message.dedupe_key == f"invitation:{invitation.id}" and message.to_address == patient.email
    assert "/p/" in message.body
    assert (result.patients_due, result.invitations, result.messages, result.schedules_advanced) == (1, 1, 1, 5)


def test_it_leaves_out_schedules_not_yet_due_and_paused_ones(patient):
    schedule(patient, "peg")
    schedule(patient, "phq9", next_due_on=TODAY + DAY)
    schedule(patient, "gad7", active=False, next_due_on=TODAY - 10 * DAY)

    sweep()

    assert Invitation.objects.get(patient=patient).instrument_codes == ["peg"]
    assert next_due(patient, "phq9") == TODAY + DAY
    assert next_due(patient, "gad7") == TODAY - 10 * DAY


def test_it_skips_an_instrument_completed_in_the_last_three_days_but_still_moves_its_schedule_on(patient):
    schedule(patient, "peg")
    schedule(patient, "phq9", every_days=28)
    schedule(patient, "gad7", every_days=28)
    completed(patient, "peg", ago=2 * DAY)
    completed(patient, "phq9", ago=4 * DAY)  # older than three days: asked again

    result = sweep()

    assert Invitation.objects.get(patient=patient).instrument_codes == ["phq9", "gad7"]
    assert next_due(patient, "peg") == TODAY + 14 * DAY
    assert result.skipped_recent == 1


def test_an_answer_still_in_progress_does_not_count_as_completed(patient):
    schedule(patient, "peg")
    Response.objects.create(patient=patient, instrument=latest_instrument("peg"), started_at=NOW - DAY)

    sweep()

    assert Invitation.objects.get(patient=patient).instrument_codes == ["peg"]


def test_when_everything_due_was_just_completed_no_invitation_is_made(patient):
    schedule(patient, "peg")
    completed(patient, "peg", ago=DAY)

    result = sweep()

    assert not Invitation.objects.exists() and not OutboxMessage.objects.exists()
    assert next_due(patient, "peg") == TODAY + 14 * DAY and result.schedules_advanced == 1


def test_a_schedule_moves_to_the_first_date_of_its_cadence_after_today(patient):
    schedule(patient, "peg", every_days=14, next_due_on=TODAY - 30 * DAY)  # the sweep was down, say
    schedule(patient, "phq9", every_days=28, next_due_on=TODAY - 28 * DAY)

    sweep()

    assert next_due(patient, "peg") == TODAY + 12 * DAY  # -30, -16, -2, then +12
    assert next_due(patient, "phq9") == TODAY + 28 * DAY


def test_a_second_run_the_same_day_creates_nothing(patient, other_patient):
    for person in (patient, other_patient):
        start_default_schedule(patient=person, start_on=TODAY)
    first = sweep()
    counts = (Invitation.objects.count(), PatientLink.objects.count(), OutboxMessage.objects.count())

    second = sweep(now=NOW + datetime.timedelta(hours=1))

    assert counts == (2, 2, 2)
    assert (Invitation.objects.count(), PatientLink.objects.count(), OutboxMessage.objects.count()) == counts
    assert (first.invitations, second.invitations, second.messages, second.patients_due) == (2, 0, 0, 0)


def test_a_patient_without_a_consented_channel_gets_an_invitation_but_no_message(patient):
    patient.consents_to_email = False
    patient.save()
    schedule(patient, "peg")

    result = sweep()

    invitation = Invitation.objects.get(patient=patient)
    assert invitation.link is None and invitation.not_reached_at == NOW and invitation.next_reminder_at is None
    assert not OutboxMessage.objects.exists() and not PatientLink.objects.exists()
    task = TeamTask.objects.get(patient=patient)
    assert (task.source, task.assignee_role, task.source_key) == (
        TeamTask.Source.NOT_REACHED,
        "coordinator",
        f"invitation:{invitation.id}:not-reached",
    )
    assert result.no_channel == 1
    sweep(now=NOW + datetime.timedelta(hours=1))
    assert TeamTask.objects.count() == 1


def test_a_patient_already_messaged_today_is_invited_now_and_written_to_tomorrow(patient):
    schedule(patient, "peg")
    earlier = queue_message(channel="email", to_address=patient.email, body="Earlier.", patient=patient)
    OutboxMessage.objects.filter(pk=earlier.pk).update(created_at=NOW - datetime.timedelta(hours=2))

    result = sweep()

    invitation = Invitation.objects.get(patient=patient)
    assert invitation.link is None and invitation.not_reached_at is None
    assert invitation.next_reminder_at == timezone.make_aware(datetime.datetime(2026, 3, 11))
    assert OutboxMessage.objects.filter(patient=patient).count() == 1
    assert result.held_for_tomorrow == 1


def test_a_message_yesterday_does_not_hold_back_todays(patient):
    schedule(patient, "peg")
    earlier = queue_message(channel="email", to_address=patient.email, body="Yesterday.", patient=patient)
    OutboxMessage.objects.filter(pk=earlier.pk).update(created_at=NOW - DAY)

    assert sweep().messages == 1


def test_newly_due_instruments_join_an_open_invitation_already_made_today(patient):
    invitation, _ = create_invitation(patient=patient, due_on=TODAY, instrument_codes=["peg"])
    schedule(patient, "phq9", every_days=28)
    schedule(patient, "peg")

    result = sweep()

    assert Invitation.objects.get(pk=invitation.pk).instrument_codes == ["peg", "phq9"]
    assert Invitation.objects.count() == PatientLink.objects.count() == 1
    assert result.merged == 1 and next_due(patient, "phq9") == TODAY + 28 * DAY


def test_schedules_wait_for_tomorrow_when_todays_invitation_is_already_answered(patient):
    invitation, _ = create_invitation(patient=patient, due_on=TODAY, instrument_codes=["peg"])
    Invitation.objects.filter(pk=invitation.pk).update(completed_at=NOW)
    schedule(patient, "phq9", every_days=28)

    sweep()
    assert next_due(patient, "phq9") == TODAY
    sweep(today=TODAY + DAY, now=NOW + DAY)

    assert Invitation.objects.get(patient=patient, due_on=TODAY + DAY).instrument_codes == ["phq9"]


def test_the_number_of_queries_does_not_grow_with_the_number_of_patients(db):
    def queries_for(patients: int, day: datetime.date) -> int:
        for _ in range(patients):
            start_default_schedule(patient=PatientFactory(), start_on=day)
        now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        with CaptureQueriesContext(connection) as captured:
            result = sweep_due_measures(today=day, now=now)
        assert result.invitations == result.messages == patients
        return len(captured)

    assert queries_for(1, TODAY) == queries_for(30, TODAY + DAY)  # the first patient is not due again yet


def clinic_time(hour: int, minute: int = 0):
    """Pin the clock at ``hour:minute`` today, clinic time (the tasks check message hours against the real clock)."""
    wall = datetime.datetime.combine(timezone.localdate(), datetime.time(hour, minute))
    return time_machine.travel(timezone.make_aware(wall), tick=False)


def test_the_task_runs_the_sweep_and_returns_counts_only(patient, eager_celery):  # noqa: F811
    start_default_schedule(patient=patient, start_on=timezone.localdate())

    with clinic_time(10, 5):
        counts = sweep_due_measures_task.delay().get()

    assert (counts["invitations"], counts["messages"]) == (1, 1)
    assert all(isinstance(value, int | bool) for value in counts.values())
    with clinic_time(10, 15):
        assert sweep_reminders_task.delay().get()["reminders"] == 0


@pytest.mark.parametrize("hour, minute", [(7, 59), (21, 0), (23, 30), (0, 30), (3, 0)])
def test_the_tasks_send_nothing_outside_message_hours_even_when_queued_late(patient, eager_celery, hour, minute):  # noqa: F811
    start_default_schedule(patient=patient, start_on=timezone.localdate())

    with clinic_time(hour, minute):
        assert sweep_due_measures_task.delay().get() == {"outside_message_hours": True}
        assert sweep_reminders_task.delay().get() == {"outside_message_hours": True}

    assert not Invitation.objects.exists() and not OutboxMessage.objects.exists()
    with clinic_time(8, 0):  # the first run of the morning sends what waited
        assert sweep_due_measures_task.delay().get()["messages"] == 1


def test_beat_runs_the_sweeps_in_message_hours_only(settings):
    beat = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    due, reminders = beat["measures.tasks.sweep_due_measures_task"], beat["measures.tasks.sweep_reminders_task"]
    assert due.hour == reminders.hour == set(range(8, 21))  # 08:00 to 20:59, clinic time
    assert due.minute == {5}
    assert reminders.minute == {0, 15, 30, 45}
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE


def test_the_sweep_texts_a_patient_who_prefers_text_messages(db):
    patient = PatientFactory(mobile="555-0123", consents_to_sms=True, preferred_channel="sms")
    schedule(patient, "peg")
    sweep()
    message = OutboxMessage.objects.get(patient=patient)
    assert (message.channel, message.to_address) == (OutboxMessage.Channel.SMS, "555-0123")
