"""sweep_reminders (measures/sweeps.py): 2 days, 4 days, then a coordinator task; completion stops it."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import OutboxMessage, TeamTask
from clinic.roles import Role
from measures.models import Invitation, MeasurementSchedule
from measures.scheduling import NOT_REACHED_TITLE
from measures.services import latest_instrument, save_answer, start_response, submit_response
from measures.sweeps import sweep_due_measures, sweep_reminders
from portal.services import find_link
from tests.factories import PatientFactory

TODAY = datetime.date(2026, 3, 10)
NOW = timezone.make_aware(datetime.datetime(2026, 3, 10, 10, 0))
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def invite(patient, *, codes=("peg",), today=TODAY, now=NOW) -> Invitation:
    for code in codes:
        MeasurementSchedule.objects.get_or_create(
            patient=patient, instrument_code=code, defaults={"every_days": 14, "next_due_on": today}
        )
    sweep_due_measures(today=today, now=now)
    return Invitation.objects.get(patient=patient, due_on=today)


def messages_to(patient) -> list[str]:
    return list(
        OutboxMessage.objects.filter(patient=patient).order_by("created_at", "id").values_list("dedupe_key", flat=True)
    )


def test_reminder_1_after_two_days_reminder_2_after_four_then_a_coordinator_task(patient):
    invitation = invite(patient)
    key = f"invitation:{invitation.id}"

    sweep_reminders(now=NOW + DAY)
    assert messages_to(patient) == [key]

    sweep_reminders(now=NOW + 2 * DAY)
    assert messages_to(patient) == [key, f"{key}:reminder:1"]
    sweep_reminders(now=NOW + 3 * DAY)
    assert len(messages_to(patient)) == 2

    sweep_reminders(now=NOW + 4 * DAY)
    assert messages_to(patient) == [key, f"{key}:reminder:1", f"{key}:reminder:2"]
    assert not TeamTask.objects.exists()

    sweep_reminders(now=NOW + 6 * DAY)
    task = TeamTask.objects.get(patient=patient)
    assert (task.title, task.source, task.assignee_role) == (
        NOT_REACHED_TITLE,
        TeamTask.Source.NOT_REACHED,
        Role.COORDINATOR,
    )
    assert task.source_key == f"invitation:{invitation.id}:not-reached"
    stored = Invitation.objects.get(pk=invitation.pk)
    assert (stored.reminders_sent, stored.not_reached_at, stored.next_reminder_at) == (2, NOW + 6 * DAY, None)

    sweep_reminders(now=NOW + 9 * DAY)
    assert len(messages_to(patient)) == 3 and TeamTask.objects.count() == 1


def test_a_reminder_carries_no_health_information_and_no_link(patient):
    invite(patient, codes=("peg", "phq9", "gad7"))
    sweep_reminders(now=NOW + 2 * DAY)

    reminder = OutboxMessage.objects.get(patient=patient, dedupe_key__endswith=":reminder:1")
    text = reminder.body.lower()
    assert "check-in" in text and "/p/" not in text
    for word in ("phq", "peg", "gad", "depress", "anxi", "score"):
        assert word not in text


def test_running_the_reminder_sweep_twice_sends_nothing_twice(patient):
    invite(patient)
    first = sweep_reminders(now=NOW + 2 * DAY)
    second = sweep_reminders(now=NOW + 2 * DAY + HOUR)

    assert (first.reminders, second.reminders, second.looked_at) == (1, 0, 0)
    assert len(messages_to(patient)) == 2


def submit_peg(invitation):
    response = start_response(patient=invitation.patient, instrument=latest_instrument("peg"), invitation=invitation)
    for item in ("peg_1", "peg_2", "peg_3"):
        response = save_answer(response=response, item_code=item, value=4)
    submit_response(response=response)


def test_completing_the_questionnaires_stops_every_reminder_and_the_task(patient):
    invitation = invite(patient)
    sweep_reminders(now=NOW + 2 * DAY)

    submit_peg(invitation)
    for days in (4, 6, 8):
        sweep_reminders(now=NOW + days * DAY)

    assert len(messages_to(patient)) == 2  # the invitation and reminder 1 only
    assert not TeamTask.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).not_reached_at is None


def test_a_completed_invitation_is_never_reminded_even_with_a_reminder_time_left_on_it(patient):
    invitation = invite(patient)
    Invitation.objects.filter(pk=invitation.pk).update(completed_at=NOW + DAY)  # next_reminder_at still set

    result = sweep_reminders(now=NOW + 2 * DAY)

    assert result.looked_at == 0 and len(messages_to(patient)) == 1


def test_at_most_one_message_a_day_the_other_waits_for_tomorrow(patient):
    older = invite(patient, today=TODAY - 2 * DAY, now=NOW - 2 * DAY)  # reminder 1 due now
    newer = invite(patient, codes=("phq9",), today=TODAY, now=NOW)  # today's invitation went out

    sweep_reminders(now=NOW + HOUR)
    assert messages_to(patient) == [f"invitation:{older.id}", f"invitation:{newer.id}"]
    assert Invitation.objects.get(pk=older.pk).next_reminder_at == timezone.make_aware(datetime.datetime(2026, 3, 11))

    sweep_reminders(now=NOW + DAY)
    assert messages_to(patient)[-1] == f"invitation:{older.id}:reminder:1"


def test_two_reminders_due_in_one_run_send_one_message(patient):
    first = invite(patient, today=TODAY - 3 * DAY, now=NOW - 3 * DAY)
    second = invite(patient, codes=("phq9",), today=TODAY - 2 * DAY, now=NOW - 2 * DAY)
    # Both were sent on different days; both reminders are due now.
    result = sweep_reminders(now=NOW + HOUR)

    assert result.reminders == 1 and result.held_for_tomorrow == 1
    assert sum(":reminder:" in key for key in messages_to(patient)) == 1
    assert {first.id, second.id} == set(Invitation.objects.values_list("id", flat=True))


def test_an_invitation_held_back_yesterday_goes_out_with_its_link_today(patient):
    OutboxMessage.objects.create(
        channel="email", to_address=patient.email, body="Earlier.", patient=patient, created_at=NOW - HOUR
    )
    invitation = invite(patient)
    assert invitation.link is None

    result = sweep_reminders(now=NOW + DAY)

    invitation.refresh_from_db()
    message = OutboxMessage.objects.get(dedupe_key=f"invitation:{invitation.id}")
    token = message.body.rsplit("/p/", 1)[1].strip("/")
    assert find_link(token) == invitation.link
    assert invitation.next_reminder_at == NOW + 3 * DAY and invitation.reminders_sent == 0
    assert result.first_messages == 1


def test_consent_withdrawn_after_the_invitation_means_no_reminder_and_a_coordinator_task(patient):
    invitation = invite(patient)
    patient.consents_to_email = False
    patient.save()

    sweep_reminders(now=NOW + 2 * DAY)

    assert len(messages_to(patient)) == 1
    assert TeamTask.objects.get(patient=patient).source_key == f"invitation:{invitation.id}:not-reached"


def test_the_number_of_queries_does_not_grow_with_the_number_of_invitations(db):
    def queries_for(patients: int, day: datetime.date) -> int:
        now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        Invitation.objects.update(completed_at=now)  # an earlier round is answered
        MeasurementSchedule.objects.update(active=False)
        for _ in range(patients):
            MeasurementSchedule.objects.create(
                patient=PatientFactory(), instrument_code="peg", every_days=14, next_due_on=day
            )
        assert sweep_due_measures(today=day, now=now).invitations == patients
        with CaptureQueriesContext(connection) as captured:
            assert sweep_reminders(now=now + 2 * DAY).reminders == patients
        return len(captured)

    assert queries_for(1, TODAY) == queries_for(30, TODAY + 7 * DAY)
