"""The referral tracking sweep, in-process: its three rules (with business days), one coordinator
task per referral and stage however often it runs, and a constant number of queries."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from clinic.models import Referral, TeamTask, TeamTaskEvent
from clinic.referral_services import track_referrals
from clinic.roles import Role
from clinic.tasks import track_referrals as track_referrals_task
from tests.factories import PatientFactory, referral_in_state

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)


def at(day: date, hour: int = 7, minute: int = 30) -> datetime:
    """A moment in the clinic's time zone (the sweep runs at 7:30)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def sent_on(day: date, *, patient, by, **details) -> Referral:
    referral = referral_in_state("sent", patient=patient, by=by, **details)
    Referral.objects.filter(pk=referral.pk).update(sent_at=at(day, 16, 45))
    return referral


def tracking_tasks():
    return TeamTask.objects.filter(source=TeamTask.Source.REFERRAL)


@pytest.mark.parametrize(
    ("sent", "swept", "late"),
    [
        (MONDAY, date(2026, 3, 9), False),  # the fifth business day: still on time
        (MONDAY, date(2026, 3, 10), True),  # the sixth
        (date(2026, 3, 6), date(2026, 3, 13), False),  # Friday -> the next Friday is the fifth
        (date(2026, 3, 6), date(2026, 3, 14), True),  # ... late from the Saturday
        (date(2026, 3, 7), date(2026, 3, 13), False),  # sent on a Saturday: counts from Monday
        (date(2026, 3, 7), date(2026, 3, 14), True),
        (MONDAY, MONDAY, False),
    ],
)
def test_a_sent_referral_is_late_after_five_business_days_without_acknowledgement(
    sent, swept, late, patient, coordinator
):
    referral = sent_on(sent, patient=patient, by=coordinator)
    result = track_referrals(now=at(swept))
    assert result.tasks_created == int(late)
    if late:
        task = tracking_tasks().get()
        assert task.title == "Referral not acknowledged within 5 business days"
        assert task.source_key == f"referral:{referral.id}:unacknowledged"


def test_an_acknowledged_referral_is_never_chased_for_acknowledgement(patient, coordinator):
    referral = referral_in_state("acknowledged", patient=patient, by=coordinator)
    Referral.objects.filter(pk=referral.pk).update(sent_at=at(MONDAY - timedelta(days=60)))
    assert track_referrals(now=at(MONDAY)).tasks_created == 0


def test_a_passed_appointment_without_attendance_is_chased_from_the_next_day(patient, coordinator):
    referral = referral_in_state("scheduled", patient=patient, by=coordinator, appointment_on=MONDAY)
    assert track_referrals(now=at(MONDAY, 18)).tasks_created == 0
    assert track_referrals(now=at(MONDAY + timedelta(days=1))).tasks_created == 1
    task = tracking_tasks().get()
    assert task.title == "Referral appointment has passed: record whether the patient attended"
    assert task.source_key == f"referral:{referral.id}:appointment:2026-03-02"


def test_a_moved_appointment_that_passes_again_is_chased_again(patient, coordinator):
    referral = referral_in_state("scheduled", patient=patient, by=coordinator, appointment_on=MONDAY)
    track_referrals(now=at(MONDAY + timedelta(days=1)))
    referral.schedule(on=MONDAY + timedelta(days=7), by=coordinator)
    track_referrals(now=at(MONDAY + timedelta(days=8)))
    assert tracking_tasks().count() == 2


@pytest.mark.parametrize(("days", "late"), [(13, False), (14, False), (15, True)])
def test_an_attended_referral_without_a_report_is_chased_after_fourteen_days(days, late, patient, coordinator):
    referral = referral_in_state("attended", patient=patient, by=coordinator)
    now = at(MONDAY)
    Referral.objects.filter(pk=referral.pk).update(attended_at=now - timedelta(days=days))
    assert track_referrals(now=now).tasks_created == int(late)
    if late:
        assert tracking_tasks().get().title == "No report 14 days after the referral visit"


@pytest.mark.parametrize("state", ["report_received", "closed", "declined", "cancelled", "no_show", "draft"])
def test_referrals_in_other_states_are_never_chased(state, patient, coordinator):
    referral = referral_in_state(state, patient=patient, by=coordinator, appointment_on=MONDAY)
    long_ago = at(MONDAY - timedelta(days=90))
    Referral.objects.filter(pk=referral.pk).update(sent_at=long_ago, attended_at=long_ago)
    assert track_referrals(now=at(MONDAY + timedelta(days=30))).overdue == 0


def test_the_task_is_for_the_coordinators_links_to_the_referral_and_carries_no_clinical_text(patient, coordinator):
    referral = sent_on(MONDAY, patient=patient, by=coordinator, urgency=Referral.Urgency.URGENT)
    track_referrals(now=at(MONDAY + timedelta(days=14)))
    task = tracking_tasks().get()
    assert (task.assignee, task.assignee_role, task.patient) == (None, Role.COORDINATOR, patient)
    assert task.priority == TeamTask.Priority.HIGH  # an urgent referral
    assert task.link == f"/referrals/{referral.public_id}/"
    assert task.details == "Physical therapy referral: not acknowledged within 5 business days."
    assert task.due_on == MONDAY + timedelta(days=14)
    assert referral.reason not in task.details
    assert TeamTaskEvent.objects.filter(task=task, kind=TeamTaskEvent.Kind.CREATED).count() == 1


def test_it_never_creates_a_task_twice_however_often_it_runs(patient, coordinator):
    sent_on(MONDAY, patient=patient, by=coordinator)
    referral_in_state("scheduled", patient=patient, by=coordinator, appointment_on=MONDAY)
    now = at(MONDAY + timedelta(days=10))

    first = track_referrals(now=now)
    second = track_referrals(now=now)
    third = track_referrals(now=now + timedelta(days=1))

    assert (first.overdue, first.tasks_created) == (2, 2)
    assert (second.overdue, second.tasks_created) == (2, 0)
    assert (third.overdue, third.tasks_created) == (2, 0)
    assert tracking_tasks().count() == 2
    assert TeamTaskEvent.objects.filter(kind=TeamTaskEvent.Kind.CREATED).count() == 2


def test_a_done_task_is_not_created_again(patient, coordinator):
    sent_on(MONDAY, patient=patient, by=coordinator)
    track_referrals(now=at(MONDAY + timedelta(days=10)))
    tracking_tasks().get().mark_done(by=coordinator)
    track_referrals(now=at(MONDAY + timedelta(days=11)))
    assert tracking_tasks().count() == 1


def test_the_celery_task_runs_the_sweep_and_returns_counts_only(patient, coordinator):
    referral = referral_in_state("sent", patient=patient, by=coordinator)
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - timedelta(days=30))
    assert track_referrals_task.apply().get() == {"overdue": 1, "tasks_created": 1}
    assert track_referrals_task.apply().get() == {"overdue": 1, "tasks_created": 0}


def test_it_runs_a_constant_number_of_queries_however_many_referrals_are_late(
    coordinator, django_assert_max_num_queries
):
    sent_on(MONDAY, patient=PatientFactory(), by=coordinator)
    with django_assert_max_num_queries(6) as one:
        assert track_referrals(now=at(MONDAY + timedelta(days=10))).tasks_created == 1
    for _ in range(15):
        sent_on(MONDAY, patient=PatientFactory(), by=coordinator)
    with django_assert_max_num_queries(6) as many:
        assert track_referrals(now=at(MONDAY + timedelta(days=10))).tasks_created == 15
    assert len(many.captured_queries) == len(one.captured_queries)
