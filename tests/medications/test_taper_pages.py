"""The taper pages: the planner from the current regimen (preview, then save), a recorded reason for a rapid
taper or a stop from above the policy's MME (the guideline's exception quoted), the plan with MME over time,
planned vs actual and PEG and PHQ-9 beside it, follow-ups, and the patient's printable schedule."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import TeamTask
from medications.models import TaperActual, TaperPlan
from medications.services.monitoring import sweep_monitoring
from medications.services.tapers import start_taper
from tests.measures.responses import answer
from tests.medications.medkit import add_line, days_ago, nurse_practitioner, oxycodone_60, pharmacist  # noqa: F401

EXCEPTION = "Unless there are indications of a life-threatening issue such as warning signs of impending overdose"


def new_url(patient):
    return reverse("medications:taper_new", args=[patient.public_id])


def detail_url(taper):
    return reverse("medications:taper_detail", args=[taper.patient.public_id, taper.public_id])


def plan_data(**overrides):
    data = {
        "period": "month",
        "rate_percent": "10",
        "target_mme": "0",
        "starts_on": str(timezone.localdate()),
        "reason": "",
        "action": "preview",
    }
    data.update(overrides)
    return data


def test_the_planner_previews_a_dated_schedule_from_the_current_regimen(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    client = signed_in(physician)
    page = client.get(new_url(patient)).content.decode()
    assert "<strong>60 MME/day</strong>" in page and EXCEPTION in page
    response = client.post(new_url(patient), plan_data())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Schedule: 17 steps" in page
    assert "<td>54</td><td>90</td><td>Reduce</td>" in page
    assert "Smaller steps near the end" in page and "Last step: stop" in page
    assert 'class="taper-chart trend-chart"' in page
    assert not TaperPlan.objects.exists()


def test_saving_the_plan_keeps_the_schedule_and_the_starting_regimen(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    response = signed_in(physician).post(
        new_url(patient), plan_data(action="save", pause_1_after="3", pause_1_periods="1")
    )
    assert response.status_code == 302
    taper = TaperPlan.objects.get()
    assert (taper.starting_mme, taper.rate_percent, taper.period, taper.status) == (60, 10, "month", "active")
    assert taper.schedule[3]["kind"] == "pause" and len(taper.schedule) == 18
    assert taper.starting_regimen[0]["drug_code"] == "oxycodone"
    assert taper.faster_reason == ""
    assert AuditEvent.objects.filter(patient=patient, action=Action.CREATE, target="taper plan").exists()


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"rate_percent": "15"}, "faster than the guideline"),
        ({"single_step": "on"}, "It stops from 60 MME/day, above the clinic"),
    ],
)
def test_a_rapid_taper_or_a_stop_from_above_the_policy_needs_a_recorded_reason(
    signed_in, patient, physician, overrides, why
):
    oxycodone_60(patient, physician)
    client = signed_in(physician)
    response = client.post(new_url(patient), plan_data(action="save", **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert why in page and "Record the reason" in page and EXCEPTION in page
    assert not TaperPlan.objects.exists()
    reason = "Sedation and slurred speech at the visit"
    assert client.post(new_url(patient), plan_data(action="save", reason=reason, **overrides)).status_code == 302
    taper = TaperPlan.objects.get()
    assert taper.faster_reason == reason
    page = client.get(detail_url(taper)).content.decode()
    assert reason in page and EXCEPTION in page


def test_a_weekly_taper_for_a_patient_on_opioids_a_year_or_more_is_rapid(signed_in, patient, physician):
    add_line(patient, physician, "oxycodone", 5, units=2, doses=4, started=400)
    client = signed_in(physician)
    assert "long-term use, so taper per month" in client.get(new_url(patient)).content.decode()

    response = client.post(new_url(patient), plan_data(action="save", period="week"))

    assert response.status_code == 400
    assert "a year or more: for long-term use the guideline" in response.content.decode()
    assert not TaperPlan.objects.exists()


def test_a_weekly_taper_at_the_guidelines_rate_needs_no_reason_for_shorter_use(signed_in, patient, physician):
    oxycodone_60(patient, physician)  # started 30 days ago

    response = signed_in(physician).post(new_url(patient), plan_data(action="save", period="week"))

    assert response.status_code == 302
    assert TaperPlan.objects.get().period == "week"


def test_the_service_judges_a_weekly_taper_by_the_medication_history_too(patient, physician):
    from medications.rules.tapering import plan_taper
    from medications.services import ReasonRequired

    add_line(patient, physician, "oxycodone", 5, units=2, doses=4, started=400)
    weekly = plan_taper(original_mme=60, starts_on=timezone.localdate(), period="week")
    with pytest.raises(ReasonRequired):
        start_taper(patient=patient, by=physician, schedule=weekly)
    assert not TaperPlan.objects.exists()


def test_a_stop_in_one_step_from_below_the_policy_level_is_still_rapid(signed_in, patient, physician):
    add_line(patient, physician, "hydrocodone", 5, doses=4)  # 20 MME
    response = signed_in(physician).post(new_url(patient), plan_data(action="save", single_step="on"))
    assert response.status_code == 400
    assert "faster than the guideline" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"rate_percent": "25"}, "less than or equal to 20"),
        ({"rate_percent": "4"}, "greater than or equal to 5"),
        ({"target_mme": "60"}, "The target must be lower than the current daily MME"),
        ({"pause_1_after": "2"}, "Give both the step and how long to pause."),
        ({"pause_1_after": "40", "pause_1_periods": "1"}, "There is no step 40 to pause after"),
        ({"starts_on": "2001-01-01"}, "Choose a date from 4 weeks ago to a year ahead."),
        ({"period": "year"}, "Select a valid choice."),
    ],
)
def test_impossible_plans_are_refused_plainly(signed_in, patient, physician, overrides, error):
    oxycodone_60(patient, physician)
    response = signed_in(physician).post(new_url(patient), plan_data(**overrides))
    assert response.status_code == 400
    assert error in response.content.decode()


def test_there_is_nothing_to_taper_without_an_opioid(signed_in, patient, physician):
    add_line(patient, physician, "gabapentin", 300, doses=3)
    response = signed_in(physician).post(new_url(patient), plan_data())
    assert response.status_code == 400
    assert "There is no opioid dose with a known MME to taper." in response.content.decode()


def test_one_taper_at_a_time(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    client = signed_in(physician)
    client.post(new_url(patient), plan_data(action="save"))
    response = client.post(new_url(patient), plan_data(action="save"))
    assert response.status_code == 409
    assert TaperPlan.objects.count() == 1


@pytest.mark.parametrize("who", ["psychologist", "pharmacist", "coordinator", "clinic_admin"])
def test_only_prescribers_plan_or_change_a_taper(request, signed_in, patient, physician, who):
    oxycodone_60(patient, physician)
    signed_in(physician).post(new_url(patient), plan_data(action="save"))
    taper = TaperPlan.objects.get()
    client = signed_in(request.getfixturevalue(who))
    assert client.post(new_url(patient), plan_data(action="save")).status_code == 403
    actual = reverse("medications:taper_actual", args=[patient.public_id, taper.public_id])
    assert client.post(actual, {"on": str(timezone.localdate()), "mme": "54"}).status_code == 403
    status = reverse("medications:taper_status", args=[patient.public_id, taper.public_id])
    assert client.post(status, {"status": "stopped", "version": "1"}).status_code == 403
    assert client.get(detail_url(taper)).status_code == 200  # everyone with access reads it
    taper.refresh_from_db()
    assert taper.status == "active" and not TaperActual.objects.exists()


def saved_taper(patient, physician, starts_on=None) -> TaperPlan:
    from medications.rules.tapering import plan_taper

    schedule = plan_taper(original_mme=Decimal(60), starts_on=starts_on or days_ago(35))
    return start_taper(patient=patient, by=physician, schedule=schedule)


def test_the_plan_page_shows_planned_vs_actual_and_peg_and_phq9_beside_it(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    taper = saved_taper(patient, physician)
    answer(patient, "peg", {"peg_1": 7, "peg_2": 6, "peg_3": 6}, days_ago=30)
    answer(patient, "peg", {"peg_1": 6, "peg_2": 5, "peg_3": 5}, days_ago=2)
    answer(patient, "phq9", {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_difficulty": 1}, days_ago=2)
    client = signed_in(physician)
    url = reverse("medications:taper_actual", args=[patient.public_id, taper.public_id])
    assert client.post(url, {"on": str(days_ago(4)), "mme": "54"}).status_code == 302
    page = client.get(detail_url(taper)).content.decode()
    assert "Actual on " in page and "54 MME/day (planned 48)" in page
    assert "Pain, function and mood (PEG and PHQ-9)" in page
    assert 'id="taper-trend-peg"' in page and 'id="taper-trend-phq9"' in page


def test_a_dose_below_the_plan_or_a_stop_from_a_high_dose_needs_a_reason(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    taper = saved_taper(patient, physician)
    client = signed_in(physician)
    url = reverse("medications:taper_actual", args=[patient.public_id, taper.public_id])
    response = client.post(url, {"on": str(days_ago(1)), "mme": "30"})  # planned 48 by now
    assert response.status_code == 400
    assert "faster than the plan, or a stop from a higher dose: record the reason" in response.content.decode()
    assert EXCEPTION in response.content.decode()
    assert (
        client.post(url, {"on": str(days_ago(1)), "mme": "30", "note": "Patient chose to go faster"}).status_code == 302
    )
    assert client.get(detail_url(taper)).content.decode().count("Faster than the plan") == 1


def test_recording_a_follow_up_closes_the_follow_up_task(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    taper = saved_taper(patient, physician, starts_on=days_ago(40))
    sweep_monitoring()
    task = TeamTask.objects.get(title="Taper follow-up due")
    assert task.assignee == physician
    url = reverse("medications:taper_actual", args=[patient.public_id, taper.public_id])
    signed_in(physician).post(url, {"on": str(timezone.localdate()), "mme": "54"})
    task.refresh_from_db()
    assert task.status == "done"
    assert sweep_monitoring().tasks_created == 0
    in_a_month = timezone.localdate() + datetime.timedelta(days=31)
    assert sweep_monitoring(today=in_a_month).tasks_created >= 1
    assert TeamTask.objects.filter(title="Taper follow-up due", status="open").count() == 1


def test_the_status_changes_with_optimistic_locking(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    taper = saved_taper(patient, physician)
    client = signed_in(physician)
    url = reverse("medications:taper_status", args=[patient.public_id, taper.public_id])
    assert client.post(url, {"status": "paused", "version": "1"}).status_code == 302
    client.post(url, {"status": "stopped", "version": "1"})
    taper.refresh_from_db()
    assert (taper.status, taper.version) == ("paused", 2)


def test_the_patients_printable_schedule_is_plain_kind_and_audited(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    taper = saved_taper(patient, physician, starts_on=datetime.date(2026, 3, 2))
    response = signed_in(physician).get(reverse("medications:taper_print", args=[patient.public_id, taper.public_id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your plan to lower your opioid pain medicine" in page
    assert "We made this plan together." in page and "You can ask to pause at any step." in page
    # Not confirmed by a prescriber yet: no dose, kind words (tests/medications/test_taper_schedule.py: the steps).
    assert "Your schedule is being prepared" in page and "take 1 tablet" not in page
    assert "MME" not in page.split('id="taper-print-title"', 1)[1]
    for unkind in ("nothing can be done", "live with it", "nothing wrong with you", "addict", "abuse"):
        assert unkind not in page.lower()
    assert AuditEvent.objects.filter(
        patient=patient, action=Action.PRINT, target="taper schedule printed for the patient"
    ).exists()


@pytest.mark.parametrize("count", [1, 40])
def test_the_taper_page_runs_a_constant_number_of_queries(
    signed_in, patient, physician, count, django_assert_max_num_queries
):
    oxycodone_60(patient, physician)
    taper = saved_taper(patient, physician)
    for n in range(count):
        TaperActual.objects.create(taper=taper, on=days_ago(30 - n % 30), mme=54, recorded_by=physician)
        answer(patient, "peg", {"peg_1": 6, "peg_2": 5, "peg_3": 5}, days_ago=n + 1)
    client = signed_in(physician)
    with django_assert_max_num_queries(24):
        assert client.get(detail_url(taper)).status_code == 200


def test_the_service_refuses_a_second_taper_while_one_is_paused(patient, physician):
    from medications.services import AlreadyExists
    from medications.services.tapers import set_taper_status

    oxycodone_60(patient, physician)
    taper = saved_taper(patient, physician)
    set_taper_status(taper=taper, by=physician, status="paused", expected_version=taper.version)
    with pytest.raises(AlreadyExists):
        saved_taper(patient, physician)
    assert TaperPlan.objects.count() == 1


def test_a_taper_resumed_after_a_pause_takes_its_next_step_as_long_after_the_resume(patient, physician):
    """Paused 60 days in (after step 3 of a monthly 10% taper) for 45 days: no step is skipped or doubled; the
    steps still to come move 45 days later, so the patient does not go from 80% straight to 60%."""
    import time_machine

    from medications.services.tapers import set_taper_status

    oxycodone_60(patient, physician)
    started = timezone.localdate() - datetime.timedelta(days=60)
    taper = saved_taper(patient, physician, starts_on=started)
    before = [(row["on"], row["mme"]) for row in taper.schedule]
    paused_on = timezone.localdate()
    taper = set_taper_status(taper=taper, by=physician, status="paused", expected_version=taper.version)
    assert taper.paused_on == paused_on

    resume = timezone.now() + datetime.timedelta(days=45)
    with time_machine.travel(resume, tick=False):
        taper = set_taper_status(taper=taper, by=physician, status="active", expected_version=taper.version)

    after = [(row["on"], row["mme"]) for row in taper.schedule]
    assert taper.paused_on is None and taper.status == "active"
    assert [mme for _, mme in after] == [mme for _, mme in before]  # the same steps, none dropped
    for (was, _), (now, _) in zip(before, after, strict=True):
        moved = datetime.date.fromisoformat(was) > paused_on
        expected = datetime.date.fromisoformat(was) + datetime.timedelta(days=45 if moved else 0)
        assert datetime.date.fromisoformat(now) == expected


def test_a_paused_taper_is_still_followed_up_at_least_monthly(patient, physician):
    from medications.services.tapers import set_taper_status

    oxycodone_60(patient, physician)
    taper = saved_taper(patient, physician, starts_on=days_ago(40))
    set_taper_status(taper=taper, by=physician, status="paused", expected_version=taper.version)

    sweep_monitoring()

    assert TeamTask.objects.get(title="Taper follow-up due", status="open").assignee == physician
