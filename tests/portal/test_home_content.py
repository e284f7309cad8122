"""The portal home's content (portal/home_content.py): what is due today (the clinic's date), the plan in plain
words, the flare-up plan one tap away, appointments and referrals coming up; kind empty states; a constant number
of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from careplans.models import Goal, Intervention, Sprint
from clinic.roles import Discipline
from portal import home_content
from portal.services import issue_link
from tests.careplans.logkit import active_plan, check_in
from tests.clock import clinic_time
from tests.factories import AppointmentFactory, referral_in_state
from tests.portal.journey import open_link

HOME = reverse("portal:home")
TODAY = date(2026, 12, 9)  # a Wednesday: the clinic's date under the in_clinic_hours clock (tests/clock.py)
FLARE_LINK = f'href="{reverse("portal:plan")}#flare-up-plan"'


@pytest.fixture
def opened(in_clinic_hours, client, patient):
    _, token = issue_link(patient=patient)
    open_link(client, token)
    return client


@pytest.fixture
def plan(patient, physician):
    return active_plan(patient, physician)


def goal(plan, words, **fields) -> Goal:
    values = dict(
        metric=Goal.Metric.WALKING_MINUTES, baseline=Decimal(5), target=Decimal(30), target_date=date(2027, 3, 1)
    )
    return Goal.objects.create(plan=plan, words=words, **{**values, **fields})


def treatment(plan, name, status=Intervention.Status.ACTIVE) -> Intervention:
    return Intervention.objects.create(
        plan=plan, category="rehabilitation", name=name, owner_discipline=Discipline.PHYSICAL_THERAPIST, status=status
    )


def sprint(plan, *, goals=(), treatments=(), reviewed=False) -> Sprint:
    made = Sprint.objects.create(
        plan=plan,
        number=Sprint.objects.filter(plan=plan).count() + 1,
        starts_on=TODAY - timedelta(days=7),
        ends_on=date(2027, 1, 6),
        metrics=[f"goal:{g.public_id}" for g in goals] + ["measure:peg"],
        reviewed_at=clinic_time(2026, 12, 1, 9, 0) if reviewed else None,
    )
    made.interventions.set(treatments)
    return made


# --------------------------------------------------------------------------- what is due today


def test_the_check_in_is_due_with_a_plan_and_no_check_in_today(opened, plan):
    text = opened.get(HOME).text
    assert "You have not checked in today yet." in text
    assert "Check in for today" in text
    assert "No questionnaires right now" in text
    assert "You are all caught up" not in text


def test_the_check_in_is_not_due_once_the_patient_checked_in_today(opened, plan, patient):
    check_in(patient, TODAY, hour=7)
    text = opened.get(HOME).text
    assert "You have not checked in today yet." not in text
    assert "You checked in today. Thank you!" in text


def test_no_check_in_is_asked_for_without_a_plan(opened):
    text = opened.get(HOME).text
    assert "Daily check-in" not in text
    assert "Nothing to fill in right now" in text


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Kiritimati", "Pacific/Honolulu"])
def test_today_is_the_clinics_date_half_an_hour_after_midnight(settings, patient, physician, zone):
    settings.TIME_ZONE = zone
    active_plan(patient, physician)
    with time_machine.travel(clinic_time(2026, 12, 9, 0, 30), tick=False):
        check_in(patient, date(2026, 12, 8), hour=23, minute=45)  # yesterday, clinic time
        assert home_content.for_patient(patient).check_in_due
        check_in(patient, date(2026, 12, 9), hour=0, minute=10)
        assert not home_content.for_patient(patient).check_in_due


# --------------------------------------------------------------------------- the plan in plain words


def test_it_shows_the_goals_in_the_patients_words_and_the_sprints_focus(opened, plan):
    walk = goal(plan, "Walk the dog again")
    goal(plan, "Sit through a movie")
    goal(plan, "Garden all morning", status=Goal.Status.ACHIEVED)
    sprint(
        plan,
        goals=[walk],
        treatments=[treatment(plan, "Graded walking"), treatment(plan, "Hydrotherapy", Intervention.Status.STOPPED)],
    )
    text = opened.get(HOME).text
    assert "&ldquo;Walk the dog again&rdquo;" in text
    assert "&ldquo;Sit through a movie&rdquo;" in text
    assert "Garden all morning" not in text  # achieved: no longer worked on
    assert "Now, until January 6, 2027" in text
    assert "Right now you are working on: &ldquo;Walk the dog again&rdquo;." in text
    assert "What you are trying: Graded walking." in text
    assert "Hydrotherapy" not in text


def test_a_reviewed_sprint_is_not_the_focus(opened, plan):
    sprint(plan, goals=[goal(plan, "Walk the dog again")], reviewed=True)
    assert "Right now you are working on" not in opened.get(HOME).text


def test_without_goals_it_says_the_team_writes_them_with_the_patient(opened, plan):
    assert "Your care team will write your goals with you, in your own words." in opened.get(HOME).text


def test_the_flare_up_plan_is_one_tap_away(opened, plan):
    text = opened.get(HOME).text
    assert FLARE_LINK in text
    assert "Having a flare-up? Your flare-up plan" in text


def test_without_a_plan_there_is_no_flare_up_link(opened):
    assert FLARE_LINK not in opened.get(HOME).text


# --------------------------------------------------------------------------- coming up


def test_a_booked_visit_shows_its_day_and_who_and_is_honest_about_the_time_and_place(opened, patient, coordinator):
    referral_in_state("scheduled", patient=patient, by=coordinator, appointment_on=date(2026, 12, 14))
    text = opened.get(HOME).text
    assert "Monday, December 14 (in 5 days)" in text
    assert "Physical therapy with Harbourview Physical Therapy." in text
    assert "They will tell you the time and the place" in text


def test_referrals_waiting_for_a_visit_say_where_they_are(opened, patient, coordinator):
    referral_in_state("sent", patient=patient, by=coordinator)
    text = opened.get(HOME).text
    assert "We have sent your referral to Harbourview Physical Therapy." in text
    assert reverse("portal:referrals") in text


def test_a_past_visit_day_and_ended_referrals_are_not_coming_up(opened, patient, coordinator):
    with time_machine.travel(clinic_time(2026, 11, 20, 10, 0), tick=False):
        referral_in_state("scheduled", patient=patient, by=coordinator, appointment_on=date(2026, 12, 1))
    referral_in_state("closed", patient=patient, by=coordinator)
    content = home_content.for_patient(patient)
    assert content.appointments == [] and content.waiting == []


def test_with_nothing_coming_up_it_says_so_kindly(opened):
    text = opened.get(HOME).text
    assert "No visits with other services are booked through us right now." in text
    assert reverse("portal:referrals") not in text


@pytest.mark.parametrize(
    ("days", "words"), [(0, "today"), (1, "tomorrow"), (5, "in 5 days"), (13, "in 13 days"), (21, "in about 3 weeks")]
)
def test_how_far_away_a_visit_is(days, words):
    assert home_content.days_away(TODAY + timedelta(days=days), today=TODAY) == words


# --------------------------------------------------------------------------- queries


def test_the_content_is_read_in_seven_queries(in_clinic_hours, patient, plan, coordinator, django_assert_num_queries):
    sprint(plan, goals=[goal(plan, "Walk the dog again")], treatments=[treatment(plan, "Graded walking")])
    referral_in_state("scheduled", patient=patient, by=coordinator)
    AppointmentFactory(patient=patient)
    with django_assert_num_queries(7):
        home_content.for_patient(patient)


@pytest.mark.parametrize("many", [False, True])
def test_the_home_runs_a_constant_number_of_queries(
    opened, patient, plan, coordinator, many, django_assert_max_num_queries
):
    count = 12 if many else 1
    goals = [goal(plan, f"Goal {n}") for n in range(count)]
    sprint(plan, reviewed=True)
    sprint(plan, goals=goals, treatments=[treatment(plan, f"Treatment {n}") for n in range(count)])
    for n in range(count):
        check_in(patient, TODAY - timedelta(days=n + 1))
        referral_in_state("scheduled" if n % 2 else "sent", patient=patient, by=coordinator)
        AppointmentFactory(patient=patient, starts_at=clinic_time(2026, 12, 10 + n, 10, 0))
    with django_assert_max_num_queries(16):
        response = opened.get(HOME)
    assert response.status_code == 200
