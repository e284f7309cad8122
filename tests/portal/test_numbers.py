"""The patient's "My numbers", /p/numbers/: charts by the clinicians' chart engine with one plain sentence each
(portal/numbers_words.py, pure), goals with their progress, mood questionnaires by date only; audited as the
patient; a constant number of queries whatever the number of answers."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans.models import Goal, GoalProgress
from measures.models import Response
from measures.services import latest_instrument
from portal import numbers
from portal.numbers_words import (
    ChangeRule,
    change_sentence,
    day_words,
    goal_sentence,
    goal_share,
    week_change_sentence,
    weekly_readings,
)
from portal.services import issue_link
from tests.careplans.logkit import active_plan, check_in
from tests.clock import clinic_time
from tests.portal.journey import open_link, page_events

PAGE = reverse("portal:numbers")
CLOSED = b"This link is no longer open"
TODAY = date(2026, 12, 9)  # the clinic's date under the in_clinic_hours clock (tests/clock.py)
POINTS = ChangeRule(points=Decimal(1), places=1)
HOURS = ChangeRule(points=Decimal(1), places=1, unit="hours")
TENTH = ChangeRule(percent=10, places=0)
# Severity words a mood score's band could carry (PHQ-9 and GAD-7 bands, REFERENCE.md 1.2 and 1.4).
BAND_WORDS = ("minimal", "mild", "moderate", "severe", "moderately severe", "depression", "anxiety")


# --------------------------------------------------------------------------- the sentences (pure)


def test_a_change_of_a_point_or_more_is_told_as_from_and_to_since_the_first_day():
    readings = [(date(2026, 11, 2), 7), (date(2026, 11, 20), 6), (date(2026, 12, 1), 5)]
    assert change_sentence("Your pain score", readings, rule=POINTS, today=TODAY) == (
        "Your pain score went from 7 to 5 since November 2."
    )


def test_a_change_under_a_point_is_about_the_same_by_the_apps_rule():
    readings = [(date(2026, 11, 2), Decimal("6.6667")), (date(2026, 12, 1), Decimal("6.0000"))]
    assert change_sentence("Your PEG score", readings, rule=POINTS, today=TODAY) == (
        "Your PEG score stayed about the same since November 2: 6.7 then, 6 now."
    )


def test_exactly_one_point_counts_as_a_change():
    readings = [(date(2026, 11, 2), 5), (date(2026, 12, 1), 6)]
    assert "went from 5 to 6" in change_sentence("Your PEG score", readings, rule=POINTS, today=TODAY)


def test_one_answer_is_told_with_its_day_and_what_comes_next():
    assert change_sentence("Your PEG score", [(date(2026, 12, 1), Decimal("4.3333"))], rule=POINTS, today=TODAY) == (
        "Your PEG score was 4.3 on December 1. Next time, you will see how it changes."
    )


def test_no_answer_has_a_kind_sentence():
    assert change_sentence("Your PEG score", [], rule=POINTS, today=TODAY) == (
        "Your PEG score will show here once there is a first answer."
    )


def test_a_day_of_another_year_says_its_year():
    assert day_words(date(2025, 11, 2), today=TODAY) == "November 2, 2025"
    assert day_words(date(2026, 11, 2), today=TODAY) == "November 2"


def test_steps_change_by_a_tenth_of_the_first_count():
    assert "went from 4,000 to 4,400" in change_sentence(
        "Your steps", [(date(2026, 11, 2), 4000), (date(2026, 12, 1), 4400)], rule=TENTH, today=TODAY
    )
    assert "stayed about the same" in change_sentence(
        "Your steps", [(date(2026, 11, 2), 4000), (date(2026, 12, 1), 4399)], rule=TENTH, today=TODAY
    )


def test_check_ins_compare_the_first_weeks_average_with_the_latest_weeks():
    first = date(2026, 11, 2)
    points = [(first, 8), (first + timedelta(days=6), 6), (first + timedelta(days=7), 1), (date(2026, 12, 1), 4)]
    points += [(date(2026, 11, 25), 5)]  # inside the latest week (Nov 25 to Dec 1)
    points.sort()
    assert weekly_readings(points) == [(first, Decimal(7)), (date(2026, 12, 1), Decimal("4.5"))]
    assert week_change_sentence("How much pain got in the way", points, rule=POINTS, today=TODAY) == (
        "How much pain got in the way went from about 7 to about 4.5 since November 2."
    )


def test_check_ins_within_two_weeks_are_not_compared_yet():
    points = [(date(2026, 11, 20), 6), (date(2026, 12, 2), 3)]  # 12 days apart: the two weeks would overlap
    assert weekly_readings(points) == [(date(2026, 11, 20), Decimal("4.5"))]
    assert week_change_sentence("Your sleep", points, rule=HOURS, today=TODAY) == (
        "Your sleep was about 4.5 hours on average since November 20. "
        "After two weeks of check-ins, you will see how it changes."
    )


def test_check_ins_that_moved_less_than_an_hour_stayed_about_the_same():
    points = [(date(2026, 11, 2), Decimal("6.5")), (date(2026, 12, 1), Decimal("7.0"))]
    assert week_change_sentence("Your sleep", points, rule=HOURS, today=TODAY) == (
        "Your sleep stayed about the same since November 2: about 6.5 hours in your first week, "
        "about 7 hours in your latest week."
    )


def test_no_check_in_has_a_kind_sentence():
    assert week_change_sentence("Your sleep", [], rule=HOURS, today=TODAY) == (
        "Your sleep will show here after your first check-in."
    )


@pytest.mark.parametrize(
    ("baseline", "latest", "target", "lower", "share"),
    [
        (5, None, 30, False, 0.0),
        (5, 15, 30, False, 0.4),
        (5, 2, 30, False, 0.0),  # below the start: never a negative bar
        (5, 40, 30, False, 1.0),
        (7, 5, 3, True, 0.5),  # a PEG goal: lower is better
    ],
)
def test_a_goals_share_of_the_way_runs_from_0_to_1(baseline, latest, target, lower, share):
    value = None if latest is None else Decimal(latest)
    assert goal_share(baseline=Decimal(baseline), latest=value, target=Decimal(target), lower_is_better=lower) == share


def goal_words(latest, latest_on, *, target=30):
    return goal_sentence(
        baseline=Decimal(5),
        latest=None if latest is None else Decimal(latest),
        latest_on=latest_on,
        target=Decimal(target),
        target_date=date(2027, 3, 1),
        lower_is_better=False,
        rule=ChangeRule(places=1, unit="minutes"),
        today=TODAY,
    )


def test_a_goal_in_words_without_progress_yet():
    assert goal_words(None, None) == (
        "You started at 5 minutes. Your target is 30 minutes by March 1, 2027. "
        "Your care team adds your progress as you go."
    )


def test_a_goal_in_words_with_its_latest_value():
    assert goal_words(15, date(2026, 12, 1)) == (
        "You started at 5 minutes. On December 1 it was 15 minutes. Your target is 30 minutes by March 1, 2027."
    )


def test_a_goal_reached_says_well_done():
    assert goal_words(30, date(2026, 12, 1)).endswith("You reached your target of 30 minutes. Well done!")


# --------------------------------------------------------------------------- the page


@pytest.fixture
def opened(in_clinic_hours, client, patient):
    _, token = issue_link(patient=patient)
    open_link(client, token)
    return client


def answered(patient, code, day: date, total, *, band=""):
    """A scored response completed at 10:00 clinic time on `day`."""
    moment = clinic_time(day.year, day.month, day.day, 10, 0)
    return Response.objects.create(
        patient=patient,
        instrument=latest_instrument(code),
        started_at=moment,
        completed_at=moment,
        total=Decimal(total),
        band=band,
        valid=True,
    )


def test_it_shows_the_calm_page_without_a_patient_session(client, patient):
    response = client.get(PAGE)
    assert CLOSED in response.content
    assert not AuditEvent.objects.exists()


def test_it_records_the_view_as_the_patient_and_changes_nothing(opened, patient):
    response = opened.get(PAGE)
    assert response.status_code == 200
    event = page_events().get()
    seen = (event.actor, event.patient, event.action, event.target)
    assert seen == (None, patient, Action.VIEW, "portal: my numbers")
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-cache" in response["Cache-Control"]


def test_with_nothing_yet_it_says_so_kindly(opened):
    text = opened.get(PAGE).text
    assert "Nothing to show yet" in text
    assert "your numbers will show here over time" in text
    assert "<svg" not in text
    assert "How we say a number changed" not in text


def test_it_charts_the_peg_with_its_sentence_and_a_table(opened, patient):
    answered(patient, "peg", date(2026, 11, 2), 7)
    answered(patient, "peg", date(2026, 12, 1), 5)
    text = opened.get(PAGE).text
    assert "Your PEG score went from 7 to 5 since November 2." in text
    assert "The PEG asks three questions (Pain intensity, Enjoyment of life, General activity)" in text
    assert "How we say a number changed: on the 0-10 scales, by at least 1 point" in text
    assert 'class="log-chart"' in text and 'viewBox="0 0 360 150"' in text
    assert 'role="img"' in text
    assert 'aria-describedby="my-peg-table"' in text and 'id="my-peg-table"' in text
    assert '<th scope="col">PEG score (0-10)</th>' in text
    assert "<td>December 1</td><td>5</td>" in text


def test_it_charts_the_check_ins_with_the_weeks_compared(opened, patient):
    first = TODAY - timedelta(days=20)
    for offset, pain in [(0, 8), (3, 6), (17, 3), (20, 2)]:
        check_in(patient, first + timedelta(days=offset), pain=pain, sleep_hours=Decimal("6.5"))
    text = opened.get(PAGE).text
    assert "How much pain got in the way went from about 7 to about 2.5 since November 19." in text
    assert "Your sleep stayed about the same since November 19" in text
    assert "How well you slept" not in text  # never answered: no empty chart
    assert 'id="my-pain-title"' in text


def test_it_shows_the_goals_with_their_progress(opened, patient, physician):
    plan = active_plan(patient, physician)
    walk = Goal.objects.create(
        plan=plan,
        words="Walk the dog again",
        metric=Goal.Metric.WALKING_MINUTES,
        baseline=Decimal(5),
        target=Decimal(30),
        target_date=date(2027, 3, 1),
    )
    GoalProgress.objects.create(goal=walk, value=Decimal(15), recorded_on=date(2026, 12, 1))
    Goal.objects.create(
        plan=plan,
        words="Sit through a movie",
        metric=Goal.Metric.SITTING_MINUTES,
        baseline=Decimal(20),
        target=Decimal(120),
        target_date=date(2027, 3, 1),
    )
    text = opened.get(PAGE).text
    assert "You started at 20 minutes. Your target is 120 minutes by March 1, 2027." in text
    assert text.count("<progress") == 1  # no bar before a first value is recorded
    assert "&ldquo;Walk the dog again&rdquo;" in text
    assert "On December 1 it was 15 minutes. Your target is 30 minutes by March 1, 2027." in text
    assert 'value="40"' in text


def test_mood_questionnaires_show_only_the_days_answered_never_a_score_or_a_label(opened, patient):
    answered(patient, "phq9", date(2026, 11, 2), 22, band="severe")
    answered(patient, "gad7", date(2026, 11, 2), 12, band="moderate")
    answered(patient, "phq2", date(2026, 12, 1), 5)
    response = opened.get(PAGE)
    text = response.text
    assert "Questions about mood" in text
    assert "You answered them on December 1; November 2." in text
    assert "Your care team reads these answers with you" in text
    lowered = text.lower()
    for word in BAND_WORDS:
        assert word not in lowered, word
    assert ">22<" not in text and ">12<" not in text
    assert "PHQ" not in text and "GAD" not in text


def test_another_patients_numbers_are_never_shown(opened, other_patient):
    answered(other_patient, "peg", date(2026, 12, 1), 9)
    text = opened.get(PAGE).text
    assert "Nothing to show yet" in text


def test_the_home_and_the_plan_pages_link_to_it(opened, patient, physician):
    assert PAGE in opened.get(reverse("portal:home")).text
    active_plan(patient, physician)
    assert PAGE in opened.get(reverse("portal:home")).text
    assert PAGE in opened.get(reverse("portal:plan")).text
    assert PAGE in opened.get(reverse("portal:plan_week")).text


@pytest.mark.parametrize("many", [False, True])
def test_the_page_runs_a_constant_number_of_queries(opened, patient, physician, many, django_assert_max_num_queries):
    plan = active_plan(patient, physician)
    count = 40 if many else 1
    for n in range(count):
        day = TODAY - timedelta(days=n)
        answered(patient, "peg", day, n % 10)
        answered(patient, "phq9", day, n % 27)
        check_in(patient, day, pain=n % 10, sleep_hours=Decimal(7), sleep_quality=5, steps=1000 + n)
    for n in range(5 if many else 1):
        goal = Goal.objects.create(
            plan=plan,
            words=f"Goal {n}",
            metric=Goal.Metric.WALKING_MINUTES,
            baseline=Decimal(5),
            target=Decimal(30),
            target_date=date(2027, 3, 1),
        )
        for m in range(10 if many else 1):
            GoalProgress.objects.create(goal=goal, value=Decimal(m), recorded_on=TODAY - timedelta(days=m))
    with django_assert_max_num_queries(12):
        response = opened.get(PAGE)
    assert response.status_code == 200


def test_the_clinic_day_of_an_answer_is_used_not_utcs(opened, patient):
    # 23:30 clinic time on December 1 is December 2 in UTC when the clinic is west of UTC, or December 1 where
    # it is east: the page must say December 1 whatever the zone.
    late = timezone.make_aware(datetime(2026, 12, 1, 23, 30))
    Response.objects.create(
        patient=patient,
        instrument=latest_instrument("peg"),
        started_at=late,
        completed_at=late,
        total=Decimal(6),
        valid=True,
    )
    assert "Your PEG score was 6 on December 1." in opened.get(PAGE).text


def test_the_numbers_are_read_in_five_queries(in_clinic_hours, patient, physician, django_assert_num_queries):
    active_plan(patient, physician)
    answered(patient, "peg", TODAY, 5)
    answered(patient, "gad7", TODAY, 9)
    check_in(patient, TODAY, pain=4)
    with django_assert_num_queries(5):
        numbers.numbers_for(patient)
