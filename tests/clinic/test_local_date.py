"""One "today" everywhere: the clinic's local date (CLINIC_TIME_ZONE), whatever UTC's date is, at 23:30 and 00:30
local, on both daylight-saving days and in clinics far from UTC (tests/clock.py: DAY_EDGES). Each test asks for
the pinned clock first, so everything it makes happens at the edge."""

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from careplans import sprint_services
from careplans.logs.reminders import REMINDER_TIME, next_reminder_at
from careplans.models import DailyLog, LogReminder, PacingSession
from clinic import conferences
from clinic.models import TeamTask
from measures.definitions import get_definition
from measures.models import Invitation, MeasurementSchedule, MeasureSummary
from measures.scheduling import start_default_schedule
from measures.sweeps import sweep_due_measures
from measures.trend_chart import trend_svg
from patients import redflags
from patients.intake_services import save_red_flags, send_intake_link, submit_intake
from tests.careplans.logkit import active_plan, walking_plan
from tests.careplans.plan_builders import patient_led_by, plan_for, sprint_for
from tests.clock import DAY_EDGES
from tests.factories import PatientFactory
from tests.portal.journey import open_link


def text(response) -> str:
    """The page's words, tags taken out."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def opened(client, patient_link):
    """The patient's portal, opened from their link."""
    _, token = patient_link
    open_link(client, token)
    return client


def test_today_is_the_clinics_date_not_utcs(clinic_day_edge):
    assert timezone.localdate() == timezone.localdate(timezone.now()) == clinic_day_edge
    assert timezone.localtime().date() == clinic_day_edge


def test_the_edges_include_clinics_whose_date_is_not_utcs():
    """The edges are worth having: at some, UTC's date is the day before the clinic's; at others, the day after."""
    offsets = set()
    for zone, wall in DAY_EDGES.values():
        local = datetime(*wall, tzinfo=ZoneInfo(zone))
        offsets.add((local.astimezone(UTC).date() - local.date()).days)
    assert offsets == {-1, 0, 1}


def test_the_daily_check_in_links_the_session_logged_today_and_the_week_shows_both_today(
    clinic_day_edge, opened, patient, physician
):
    today = clinic_day_edge
    walking = walking_plan(active_plan(patient, physician), starts_on=today - timedelta(days=3), by=physician)

    plan_page = text(opened.get(reverse("portal:plan")))
    assert "Today: 5 minutes" in plan_page  # the second step: three days in (a DST day has 23 or 25 hours)
    assert "You checked in today" not in plan_page

    opened.post(reverse("portal:plan_pacing", args=[walking.public_id]), {"outcome": "done"})
    session = PacingSession.objects.get()
    assert (session.on, session.planned_amount) == (today, 5)

    check_in = opened.get(reverse("portal:plan_check_in"))
    assert 'value="Walking, 5 minutes"' in check_in.text
    form = dict(re.findall(r'name="(entry_id)" value="([^"]+)"', check_in.text))
    opened.post(
        reverse("portal:plan_check_in"),
        {**form, "pain_interference": "3", "activity": "Walking, 5 minutes", "mood_choice": "calm"},
    )
    log = DailyLog.objects.get()
    assert log.pacing_session == session
    assert timezone.localdate(log.logged_at) == today

    assert "You checked in today" in text(opened.get(reverse("portal:plan")))
    week = text(opened.get(reverse("portal:plan_week")))
    today_block = week.split(" Today ", 1)[1].split(" Yesterday ", 1)[0]
    assert "Pain got in the way: 3 out of 10" in today_block
    assert "Walking: done (5 minutes)" in today_block


def test_the_chart_intake_card_dates_the_story_on_the_clinics_day(
    clinic_day_edge, signed_in, physician, coordinator, patient
):
    intake = send_intake_link(patient=patient, by=coordinator).intake
    save_red_flags(intake=intake, answers={item.code: False for item in redflags.ITEMS}, finished=True)
    submit_intake(intake=intake)
    page = text(signed_in(physician).get(reverse("patients:chart", args=[patient.public_id])))
    today = clinic_day_edge
    assert f"Sent by the patient on {today:%b} {today.day}, {today.year}." in page


def test_the_daily_sweep_invites_what_is_due_on_the_clinics_day(clinic_day_edge, patient):
    today = clinic_day_edge
    start_default_schedule(patient=patient, start_on=today)
    later = PatientFactory()
    start_default_schedule(patient=later, start_on=today + timedelta(days=1))

    sweep_due_measures()  # as the beat runs it: today and now from the clock

    invitation = Invitation.objects.get()
    assert (invitation.patient, invitation.due_on) == (patient, today)
    assert all(s.next_due_on > today for s in MeasurementSchedule.objects.filter(patient=patient))
    assert {s.next_due_on for s in MeasurementSchedule.objects.filter(patient=later)} == {today + timedelta(days=1)}


def test_the_questionnaire_schedule_page_calls_a_schedule_due_today_due(clinic_day_edge, signed_in, physician, patient):
    start_default_schedule(patient=patient, start_on=clinic_day_edge)
    page = text(signed_in(physician).get(reverse("measures:schedule", args=[patient.public_id])))
    today = clinic_day_edge
    assert f"{today:%b} {today.day}, {today.year} Due" in page


def test_a_new_sprint_starts_on_the_clinics_day(clinic_day_edge, signed_in, physician, patient):
    plan = plan_for(patient, physician)
    page = signed_in(physician).get(reverse("careplans:sprint_new", args=[patient.public_id])).text
    today = clinic_day_edge
    assert re.search(rf'name="starts_on" value="{today.isoformat()}"', page)
    assert re.search(rf'name="ends_on" value="{(today + timedelta(weeks=4)).isoformat()}"', page)
    assert plan.sprints.count() == 0


def test_the_sprint_review_sweep_runs_on_the_clinics_day(clinic_day_edge, physician, patient):
    today = clinic_day_edge
    plan = plan_for(patient, physician)
    due = sprint_for(plan, physician, starts_on=today + timedelta(days=3) - timedelta(weeks=4))  # ends in 3 days
    other = plan_for(patient_led_by(physician), physician)
    sprint_for(other, physician, starts_on=today + timedelta(days=4) - timedelta(weeks=4))  # ends in 4: not yet

    assert sprint_services.create_sprint_review_tasks() == 1

    task = TeamTask.objects.get()
    assert (task.due_on, task.source_key) == (today, f"sprint-review:{due.public_id}")


def test_a_daily_reminder_is_this_evening_after_midnight_and_tomorrow_evening_before(clinic_day_edge):
    now = timezone.now()
    reminder = timezone.localtime(next_reminder_at(LogReminder.Frequency.DAILY, 0, after=now))
    expected_day = clinic_day_edge if timezone.localtime(now).time() < REMINDER_TIME else clinic_day_edge + timedelta(1)
    assert (reminder.date(), reminder.time()) == (expected_day, REMINDER_TIME)


def test_a_questionnaire_chart_dates_an_answer_on_the_clinics_day(settings):
    settings.TIME_ZONE = "America/New_York"
    answered = datetime(2026, 12, 10, 4, 30, tzinfo=UTC)  # 23:30 on Dec 9 in New York
    svg = trend_svg([(answered, 6)], definition=get_definition("peg"))
    assert "Dec 9, 2026" in svg and "Dec 10, 2026" not in svg


def test_a_conference_summary_names_the_clinics_months(settings):
    settings.TIME_ZONE = "America/New_York"
    row = MeasureSummary(
        instrument_code="peg",
        baseline_total=Decimal(8),
        baseline_at=datetime(2026, 12, 1, 4, 30, tzinfo=UTC),  # still November in New York
        latest_total=Decimal(5),
        latest_at=datetime(2027, 1, 1, 4, 30, tzinfo=UTC),  # still December
        responses_count=3,
    )
    assert conferences.words_for(row, conferences.trend_change(row)).endswith("(3 answers, Nov 2026 to Dec 2026)")
