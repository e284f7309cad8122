"""careplans/logs/selectors.py: the daily points of the check-ins and the pacing adherence the sprint review uses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from careplans.logs.selectors import DayPoint, log_section_for, log_series, pacing_adherence
from careplans.models import PacingPlan
from tests.careplans.logkit import active_plan, check_in, session, walking_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def plan(patient, physician):
    return active_plan(patient, physician)


def test_it_gives_one_point_per_day_with_the_days_averages(patient, today):
    yesterday = today - timedelta(days=1)
    check_in(patient, yesterday, hour=8, pain=6, sleep_hours=Decimal("5.5"), sleep_quality=4, steps=1200)
    check_in(patient, yesterday, hour=20, pain=3, sleep_quality=5, steps=4300)
    check_in(patient, today, pain=4, sleep_hours=Decimal(7))
    assert log_series(patient, since=yesterday, until=today) == [
        DayPoint(day=yesterday, entries=2, pain_interference=4.5, sleep_hours=5.5, sleep_quality=4.5, steps=4300),
        DayPoint(day=today, entries=1, pain_interference=4.0, sleep_hours=7.0, sleep_quality=None, steps=None),
    ]


def test_it_keeps_to_the_dates_asked_for_in_the_clinic_time_zone(patient, today):
    check_in(patient, today - timedelta(days=3), hour=23, minute=59)
    check_in(patient, today - timedelta(days=2), hour=0, minute=0)
    check_in(patient, today + timedelta(days=1), hour=0, minute=0)
    points = log_series(patient, since=today - timedelta(days=2), until=today)
    assert [p.day for p in points] == [today - timedelta(days=2)]


def test_it_leaves_out_other_patients_check_ins(patient, other_patient, today):
    check_in(other_patient, today)
    assert log_series(patient, since=today, until=today) == []


def test_the_series_is_one_query_however_long_the_history(patient, today, django_assert_num_queries):
    for n in range(60):
        check_in(patient, today - timedelta(days=n), pain=n % 11)
    with django_assert_num_queries(1):
        points = log_series(patient, since=today - timedelta(days=59), until=today)
    assert len(points) == 60


def test_adherence_is_the_share_of_planned_sessions_done(plan, physician, today):
    walking = walking_plan(plan, starts_on=today - timedelta(days=9), by=physician)
    for n in (9, 8, 7, 5, 4):
        session(walking, today - timedelta(days=n), "done")
    session(walking, today - timedelta(days=6), "flare")
    session(walking, today - timedelta(days=3), "partly", actual="2")
    # 10 days (today included), one a flare: 9 planned, 5 done.
    assert pacing_adherence(plan, since=today - timedelta(days=20), until=today) == pytest.approx(5 / 9)
    # Only the window asked for: days 9 to 7 ago, all done.
    assert pacing_adherence(plan, since=today - timedelta(days=9), until=today - timedelta(days=7)) == 1


def test_adherence_is_none_when_no_session_was_planned(plan, physician, today):
    assert pacing_adherence(plan, since=today - timedelta(days=28), until=today) is None
    walking_plan(plan, starts_on=today + timedelta(days=3), by=physician)
    assert pacing_adherence(plan, since=today - timedelta(days=28), until=today) is None


def test_adherence_counts_no_day_after_today(plan, physician, today):
    walking = walking_plan(plan, starts_on=today - timedelta(days=1), by=physician)
    session(walking, today - timedelta(days=1), "done")
    session(walking, today, "done")
    assert pacing_adherence(plan, since=today - timedelta(days=1), until=today + timedelta(days=30)) == 1


def test_adherence_of_a_stopped_plan_ends_at_its_last_session(plan, physician, today):
    walking = walking_plan(plan, starts_on=today - timedelta(days=9), by=physician, status=PacingPlan.Status.STOPPED)
    session(walking, today - timedelta(days=9), "done")
    session(walking, today - timedelta(days=8), "partly", actual="1")
    assert pacing_adherence(plan, since=today - timedelta(days=28), until=today) == 0.5


def test_adherence_adds_up_every_pacing_plan_of_the_care_plan(plan, physician, patient, other_patient, today):
    walking = walking_plan(plan, starts_on=today - timedelta(days=1), by=physician)
    sitting = walking_plan(plan, activity="Sitting", starts_on=today - timedelta(days=1), by=physician)
    session(walking, today - timedelta(days=1), "done")
    session(walking, today, "done")
    session(sitting, today, "done")
    other = walking_plan(active_plan(other_patient, physician), starts_on=today - timedelta(days=1), by=physician)
    session(other, today, "partly", actual="1")
    assert pacing_adherence(plan, since=today - timedelta(days=1), until=today) == 0.75


def test_adherence_runs_a_constant_number_of_queries(plan, physician, today, django_assert_num_queries):
    walking = walking_plan(plan, starts_on=today - timedelta(days=60), by=physician)
    for n in range(60):
        session(walking, today - timedelta(days=n), "done")
    walking_plan(plan, activity="Sitting", starts_on=today - timedelta(days=5), by=physician)
    with django_assert_num_queries(2):
        pacing_adherence(plan, since=today - timedelta(days=28), until=today)


@pytest.mark.parametrize("days", [1, 60])
def test_the_plan_section_runs_a_constant_number_of_queries(
    plan, physician, patient, today, days, django_assert_num_queries
):
    walking = walking_plan(plan, starts_on=today - timedelta(days=days), by=physician)
    sitting = walking_plan(plan, activity="Sitting", starts_on=today - timedelta(days=days), by=physician)
    for n in range(days):
        session(walking, today - timedelta(days=n), "flare" if n == 3 else "done")
        check_in(patient, today - timedelta(days=n), pain=n % 11, steps=1000 + n)
    with django_assert_num_queries(4):
        section = log_section_for(plan)
    assert section["charts"].days_logged == min(days, 42)
    assert [row["view"].pacing_plan for row in section["pacing"]] == [sitting, walking]  # newest first
    assert "<svg" in section["charts"].pain and "<svg" in section["pacing"][0]["chart"]
