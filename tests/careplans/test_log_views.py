"""The clinician's view of the daily logs: trend charts and the latest check-ins, and the plan page's
section (careplans/logs/_plan_section.html) with charts, pacing planned vs actual and the flare-up plan."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans.logs.selectors import log_section_for
from careplans.models import FlarePlan
from tests.careplans.logkit import active_plan, check_in, session, walking_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def plan(patient, physician):
    return active_plan(patient, physician)


def trends_url(patient, weeks=None) -> str:
    url = reverse("careplans:log_trends", args=[patient.public_id])
    return f"{url}?weeks={weeks}" if weeks is not None else url


def test_the_clinician_sees_trend_charts_and_the_latest_check_ins(signed_in, physician, plan, patient, today):
    check_in(patient, today, pain=3, sleep_hours=Decimal("6.5"), sleep_quality=5, mood_word="tired", note="Stiff <b>")
    check_in(patient, today - timedelta(days=2), pain=6, steps=5100)
    response = signed_in(physician).get(trends_url(patient))
    assert response.status_code == 200
    assert response.text.count('class="log-chart"') == 4  # pain, sleep quality, hours slept, steps
    assert "Pain interference (0-10)" in response.text
    assert "<td>3/10</td>" in response.text and "<td>6/10</td>" in response.text
    assert "Stiff &lt;b&gt;" in response.text
    assert "2 check-ins on 2 days" in response.text
    event = AuditEvent.objects.get(patient=patient)
    assert (event.actor, event.action, event.target) == (physician, Action.VIEW, "daily logs")


@pytest.mark.parametrize(("asked", "shown"), [("2", 2), ("12", 12), ("7", 6), ("lots", 6), ("-1", 6), ("9" * 30, 6)])
def test_it_shows_2_to_12_weeks_and_6_for_anything_else(signed_in, physician, plan, patient, asked, shown):
    response = signed_in(physician).get(trends_url(patient, asked))
    assert response.status_code == 200
    assert f"The last {shown} weeks" in response.text


def test_the_trends_are_seen_by_the_team_and_not_by_outsiders(
    signed_in, psychologist, coordinator, outsider, plan, patient
):
    assert signed_in(psychologist).get(trends_url(patient)).status_code == 200
    assert signed_in(coordinator).get(trends_url(patient)).status_code == 200
    assert signed_in(outsider).get(trends_url(patient)).status_code == 404
    assert not AuditEvent.objects.filter(actor=outsider).exclude(action=Action.REFUSED).exists()


def test_there_are_no_trends_without_an_active_plan(signed_in, physician, patient):
    assert signed_in(physician).get(trends_url(patient)).status_code == 404


@pytest.mark.parametrize("days", [1, 150])
def test_the_trends_run_a_constant_number_of_queries(
    signed_in, physician, plan, patient, today, days, django_assert_max_num_queries
):
    for n in range(days):
        check_in(patient, today - timedelta(days=n % 84), hour=n % 24, pain=n % 11)
    client = signed_in(physician)
    with django_assert_max_num_queries(18):
        assert client.get(trends_url(patient, 12)).status_code == 200


def render_section(plan, patient, user, **context):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "careplans/logs/_plan_section.html", {"plan": plan, "patient": patient, **context}, request=request
    )


def test_the_plan_section_shows_charts_pacing_and_the_flare_up_plan(plan, patient, physician, today):
    walking = walking_plan(plan, starts_on=today - timedelta(days=4), by=physician)
    session(walking, today - timedelta(days=4), "done")
    session(walking, today - timedelta(days=3), "flare")
    check_in(patient, today, pain=4)
    FlarePlan.objects.create(plan=plan, reduce_by_percent=30, what_helps="Heat", updated_by=physician)
    html = render_section(plan, patient, physician, may_edit=True)
    assert "Daily logs: the last 6 weeks" in html
    assert html.count('class="log-chart"') == 4  # pain, sleep quality, hours slept; the pacing chart
    assert "Today: 4 minutes (step 1 of 7), target 10 minutes." in html
    assert "On hold since a flare on" in html
    assert "Done: 25% of planned sessions in these weeks." in html  # 1 done of 4 planned (the flare day is not)
    assert "Reduce activity by 30% for 48 hours, then back up." in html
    assert reverse("careplans:flare_edit", args=[patient.public_id]) in html
    assert reverse("careplans:pacing_create", args=[patient.public_id]) in html


def test_the_plan_section_offers_no_edits_to_those_who_may_not_edit(plan, patient, coordinator):
    html = render_section(plan, patient, coordinator, may_edit=False)
    assert "Not written yet." in html
    assert reverse("careplans:flare_edit", args=[patient.public_id]) not in html


def test_the_plan_section_uses_the_context_the_view_passed(plan, patient, physician, django_assert_num_queries):
    section = log_section_for(plan)
    with django_assert_num_queries(0):
        render_section(plan, patient, physician, log_section=section)


def test_the_print_partials_need_only_the_plan_and_speak_plainly(plan, patient, physician, today):
    walking_plan(plan, starts_on=today - timedelta(days=1), by=physician)
    FlarePlan.objects.create(plan=plan, what_helps="Heat", when_to_call="If the flare is not settling")
    flare = render_to_string("careplans/flare/_print.html", {"plan": plan})
    assert "A flare is not a reason to change your whole plan." in flare
    assert "Do about 25% less for 48 hours. Then build back up to your plan." in flare
    assert "Heat" in flare and "If the flare is not settling" in flare
    steps = render_to_string("careplans/pacing/_print.html", {"plan": plan})
    assert "Your activity plan" in steps
    assert "<td>Now</td><td>4 minutes</td>" in steps
    assert "<td>10 minutes (your goal)</td>" in steps


def test_the_printable_plan_page_includes_the_flare_up_and_pacing_parts(signed_in, physician, plan, patient, today):
    walking_plan(plan, starts_on=today, by=physician)
    response = signed_in(physician).get(reverse("careplans:print", args=[patient.public_id]))
    assert response.status_code == 200
    assert "If you have a flare-up" in response.text
    assert "Your activity plan" in response.text
