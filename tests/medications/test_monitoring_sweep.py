"""Monitoring: drug screens, PDMP checks and events recorded on the opioid safety page; due dates from the policy
and the prescriber's closer plan; the sweep's tasks (idempotent, set-based, closed when the work is recorded);
repeated events suggesting a closer plan that the prescriber decides."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import TeamTask
from medications.models import DrugScreen, MedicationEvent, MonitoringPlan, OpioidTrial, PdmpCheck, TaperPlan
from medications.rules.tapering import plan_taper
from medications.services.monitoring import sweep_monitoring
from medications.tasks import sweep_opioid_monitoring_task
from tests.factories import CareTeamMemberFactory, PatientFactory
from tests.medications.medkit import add_line, days_ago, oxycodone_60, pharmacist  # noqa: F401 (fixtures)

TODAY = timezone.localdate


def safety(client, patient) -> str:
    return client.get(reverse("medications:opioid_safety", args=[patient.public_id])).content.decode()


def tasks(patient=None):
    found = TeamTask.objects.filter(source=TeamTask.Source.MONITORING)
    if patient is not None:
        found = found.filter(patient=patient)
    return sorted(found.values_list("title", flat=True))


def test_a_patient_new_on_an_opioid_is_due_a_screen_a_pdmp_check_and_an_agreement(patient, physician):
    oxycodone_60(patient, physician)
    result = sweep_monitoring()
    assert (result.patients_on_opioids, result.tasks_created) == (1, 3)
    assert tasks(patient) == ["PDMP check due", "Treatment agreement review due", "Urine drug screen due"]
    task = TeamTask.objects.get(title="PDMP check due")
    assert task.assignee == physician and task.priority == "high"  # 60 MME/day: increased risk
    assert "Increased risk: 50 MME/day or more." in task.details
    assert task.link == reverse("medications:opioid_safety", args=[patient.public_id])
    assert task.events.filter(kind="created").count() == 1


def test_running_the_sweep_twice_creates_each_task_once(patient, physician):
    oxycodone_60(patient, physician)
    sweep_monitoring()
    again = sweep_monitoring()
    assert again.tasks_created == 0
    assert TeamTask.objects.count() == 3
    assert sweep_opioid_monitoring_task.apply().get() == {"patients_on_opioids": 1, "due": 3, "tasks_created": 0}


def test_no_opioid_no_monitoring(patient, physician):
    add_line(patient, physician, "gabapentin", 300, doses=3)
    assert sweep_monitoring().tasks_created == 0


def test_recording_the_check_closes_its_task_and_the_next_one_is_due_after_the_interval(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    sweep_monitoring()
    url = reverse("medications:pdmp_add", args=[patient.public_id])
    response = signed_in(physician).post(url, {"checked_on": str(TODAY()), "findings": "One prescriber, one pharmacy"})
    assert response.status_code == 302
    assert TeamTask.objects.get(title="PDMP check due").status == "done"
    assert sweep_monitoring().tasks_created == 0
    assert sweep_monitoring(today=TODAY() + datetime.timedelta(days=89)).tasks_created == 0
    later = sweep_monitoring(today=TODAY() + datetime.timedelta(days=90))
    assert later.tasks_created == 1
    assert TeamTask.objects.filter(title="PDMP check due", status="open").count() == 1


def test_a_closer_plan_brings_the_next_screen_forward(patient, physician):
    oxycodone_60(patient, physician)
    DrugScreen.objects.create(patient=patient, collected_on=days_ago(40), recorded_by=physician)
    PdmpCheck.objects.create(patient=patient, checked_on=days_ago(1), recorded_by=physician)
    assert "Urine drug screen due" not in tasks(patient)
    sweep_monitoring()
    assert "Urine drug screen due" not in tasks(patient)
    MonitoringPlan.objects.create(
        patient=patient, drug_screen_every_days=30, reason="Repeated early refills", decided_by=physician
    )
    sweep_monitoring()
    task = TeamTask.objects.get(title="Urine drug screen due")
    assert task.due_on == days_ago(10) and "closer monitoring plan" in task.details and "overdue" in task.details


def test_trial_reviews_and_taper_follow_ups_are_due_too(patient, physician):
    line = oxycodone_60(patient, physician)
    OpioidTrial.objects.create(
        patient=patient, medication=line, started_on=days_ago(20), review_on=days_ago(1), started_by=physician
    )
    schedule = plan_taper(original_mme=60, starts_on=days_ago(40))
    TaperPlan.objects.create(
        patient=patient, starting_mme=60, schedule=schedule.as_json(), starts_on=days_ago(40), created_by=physician
    )
    sweep_monitoring()
    assert {"Opioid trial review due", "Taper follow-up due"} <= set(tasks(patient))
    assert sweep_monitoring().tasks_created == 0


def test_without_a_lead_the_tasks_go_to_every_clinician(patient, psychologist):
    add_line(patient, psychologist, "gabapentin", 300, doses=3)
    from medications.models import Medication

    Medication.objects.create(patient=patient, drug_code="tramadol", drug_class="opioid", strength=50, doses_per_day=2)
    sweep_monitoring()
    task = TeamTask.objects.get(title="PDMP check due")
    assert task.assignee is None and task.assignee_role == "clinician" and task.priority == "normal"


@pytest.mark.parametrize("count", [1, 12])
def test_the_sweep_runs_a_constant_number_of_queries(physician, count, django_assert_max_num_queries):
    for n in range(count):
        someone = PatientFactory()
        CareTeamMemberFactory(patient=someone, member=physician, is_lead=n % 2 == 0)
        oxycodone_60(someone, physician)
        OpioidTrial.objects.create(patient=someone, review_on=days_ago(1), started_by=physician)
    with django_assert_max_num_queries(12):
        result = sweep_monitoring()
    assert result.tasks_created == 4 * count


def test_screens_pdmp_checks_and_events_show_on_the_safety_page(request, signed_in, patient, physician):
    rph = request.getfixturevalue("pharmacist")
    oxycodone_60(patient, physician)
    client = signed_in(rph)
    today = str(TODAY())
    screen = {
        "collected_on": today,
        "expected_findings": "Oxycodone",
        "unexpected_findings": "Cannabis",
        "action_taken": "",
    }
    refused = client.post(reverse("medications:drug_screen_add", args=[patient.public_id]), screen)
    assert refused.status_code == 400 and "record the action taken" in refused.content.decode()
    screen["action_taken"] = "Talked it through with the patient"
    assert client.post(reverse("medications:drug_screen_add", args=[patient.public_id]), screen).status_code == 302
    event = {"kind": "early_refill", "on": today, "note": "Ran out 5 days early"}
    assert client.post(reverse("medications:event_add", args=[patient.public_id]), event).status_code == 302
    page = safety(client, patient)
    assert "Unexpected finding" in page and "Talked it through with the patient" in page
    assert "Early refill request" in page and "Ran out 5 days early" in page
    assert "Urine drug screen</strong>: next due" in page


def test_repeated_events_suggest_a_closer_plan_that_only_the_prescriber_decides(
    signed_in, patient, physician, psychologist
):
    oxycodone_60(patient, physician)
    for kind in ("early_refill", "lost_or_stolen"):
        MedicationEvent.objects.create(patient=patient, kind=kind, recorded_by=psychologist)
    assert "Repeated events (2)" in safety(signed_in(psychologist), patient)
    url = reverse("medications:monitoring_plan", args=[patient.public_id])
    data = {
        "supply_days": "7",
        "drug_screen_every_days": "30",
        "pdmp_every_days": "30",
        "reason": "Two events in a month",
    }
    assert signed_in(psychologist).post(url, data).status_code == 403
    client = signed_in(physician)
    assert client.post(url, {"reason": "x"}).status_code == 400
    assert client.post(url, data).status_code == 302
    plan = MonitoringPlan.objects.get()
    assert (plan.supply_days, plan.decided_by) == (7, physician)
    page = safety(client, patient)
    assert "Repeated events" not in page  # counted again from the decision
    assert "7-day supplies; drug screen every 30 days; PDMP check every 30 days" in page


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_read_but_do_not_record(request, signed_in, patient, physician, who):
    oxycodone_60(patient, physician)
    client = signed_in(request.getfixturevalue(who))
    assert client.get(reverse("medications:opioid_safety", args=[patient.public_id])).status_code == 200
    for name, data in (
        ("drug_screen_add", {"collected_on": str(TODAY())}),
        ("pdmp_add", {"checked_on": str(TODAY())}),
        ("event_add", {"kind": "early_refill", "on": str(TODAY())}),
    ):
        assert client.post(reverse(f"medications:{name}", args=[patient.public_id]), data).status_code == 403
    assert not (DrugScreen.objects.exists() or PdmpCheck.objects.exists() or MedicationEvent.objects.exists())


@pytest.mark.parametrize("count", [1, 30])
def test_the_safety_page_runs_a_constant_number_of_queries(
    signed_in, patient, physician, count, django_assert_max_num_queries
):
    line = oxycodone_60(patient, physician)
    for _ in range(count):
        DrugScreen.objects.create(patient=patient, collected_on=days_ago(3), recorded_by=physician)
        PdmpCheck.objects.create(patient=patient, checked_on=days_ago(3), recorded_by=physician)
        MedicationEvent.objects.create(patient=patient, kind="early_refill", recorded_by=physician)
        OpioidTrial.objects.create(patient=patient, medication=line, review_on=days_ago(1), started_by=physician)
    client = signed_in(physician)
    with django_assert_max_num_queries(27):
        assert client.get(reverse("medications:opioid_safety", args=[patient.public_id])).status_code == 200
