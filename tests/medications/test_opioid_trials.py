"""Opioid trials judged by function: goals from the care plan, a review 1-4 weeks out, the review's decision, and
"continuing without a documented functional benefit" flagged on the chart."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from medications.models import OpioidTrial
from tests.medications.medkit import care_plan_with_goals, nurse_practitioner, oxycodone_60, pharmacist  # noqa: F401

FLAG = "Opioid continuing without a documented functional benefit."
OVERDUE = "Opioid trial review overdue: continuing without a documented functional benefit."


def start_url(patient):
    return reverse("medications:trial_start", args=[patient.public_id])


def review_url(trial):
    return reverse("medications:trial_review", args=[trial.patient.public_id, trial.public_id])


def chart(client, patient) -> str:
    return client.get(reverse("patients:chart", args=[patient.public_id])).content.decode()


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def goals(patient, physician):
    return care_plan_with_goals(patient, physician, "Walk the dog again", "Sit through a film")


def start(client, patient, line, goals, review_in=14):
    return client.post(
        start_url(patient),
        {
            "medication": line.pk,
            "goals": [g.pk for g in goals],
            "started_on": str(timezone.localdate()),
            "review_on": str(in_days(review_in)),
        },
    )


@pytest.mark.parametrize("who", ["physician", "nurse_practitioner"])
def test_a_prescriber_starts_a_trial_with_functional_goals_from_the_care_plan(
    request, signed_in, patient, physician, goals, who
):
    line = oxycodone_60(patient, physician)
    client = signed_in(request.getfixturevalue(who))
    page = client.get(start_url(patient)).content.decode()
    assert "Walk the dog again" in page and "Sit through a film" in page
    assert start(client, patient, line, goals).status_code == 302
    trial = OpioidTrial.objects.get()
    assert trial.medication == line and set(trial.goals.all()) == set(goals) and trial.review_on == in_days(14)
    safety = client.get(reverse("medications:opioid_safety", args=[patient.public_id])).content.decode()
    assert "Goals: Walk the dog again; Sit through a film" in safety


@pytest.mark.parametrize(("review_in", "ok"), [(6, False), (7, True), (28, True), (29, False)])
def test_the_review_is_one_to_four_weeks_out(signed_in, patient, physician, goals, review_in, ok):
    line = oxycodone_60(patient, physician)
    response = start(signed_in(physician), patient, line, goals, review_in=review_in)
    assert response.status_code == (302 if ok else 400)
    if not ok:
        assert "Choose a review date 1 to 4 weeks after the start" in response.content.decode()
    assert OpioidTrial.objects.exists() is ok


def test_a_trial_needs_at_least_one_goal_and_says_so_when_the_plan_has_none(signed_in, patient, physician):
    line = oxycodone_60(patient, physician)
    client = signed_in(physician)
    assert "has no active goals yet" in client.get(start_url(patient)).content.decode()
    response = start(client, patient, line, [])
    assert response.status_code == 400
    assert "Choose at least one functional goal" in response.content.decode()


@pytest.mark.parametrize("who", ["psychologist", "pharmacist", "coordinator", "clinic_admin"])
def test_only_prescribers_start_or_review_trials(request, signed_in, patient, physician, goals, who):
    line = oxycodone_60(patient, physician)
    trial = OpioidTrial.objects.create(patient=patient, medication=line, review_on=in_days(14), started_by=physician)
    client = signed_in(request.getfixturevalue(who))
    assert start(client, patient, line, goals).status_code == 403
    response = client.post(
        review_url(trial), {"function_vs_goals": "x", "benefit_documented": "yes", "decision": "continue"}
    )
    assert response.status_code == 403
    trial.refresh_from_db()
    assert trial.reviewed_at is None and OpioidTrial.objects.count() == 1


def test_the_review_records_function_against_goals_and_the_decision(signed_in, patient, physician, goals):
    line = oxycodone_60(patient, physician)
    trial = OpioidTrial.objects.create(patient=patient, medication=line, review_on=in_days(14), started_by=physician)
    client = signed_in(physician)
    data = {"function_vs_goals": "Walks 20 minutes, up from 5", "benefit_documented": "yes", "decision": "continue"}
    assert client.post(review_url(trial), data).status_code == 302
    trial.refresh_from_db()
    assert (trial.decision, trial.benefit_documented, trial.reviewed_by) == ("continue", True, physician)
    assert FLAG not in chart(client, patient)
    again = client.get(review_url(trial))
    assert again.status_code == 302  # already reviewed: nothing to do twice


def test_continuing_without_documented_benefit_needs_a_reason_and_is_flagged_on_the_chart(
    signed_in, patient, physician
):
    line = oxycodone_60(patient, physician)
    trial = OpioidTrial.objects.create(patient=patient, medication=line, review_on=in_days(14), started_by=physician)
    client = signed_in(physician)
    data = {"function_vs_goals": "No change in walking", "benefit_documented": "no", "decision": "continue"}
    response = client.post(review_url(trial), data)
    assert response.status_code == 400
    assert "Continuing without a documented functional benefit needs a reason" in response.content.decode()
    assert (
        client.post(review_url(trial), data | {"decision_reason": "Patient asked for 2 more weeks"}).status_code == 302
    )
    assert FLAG in chart(client, patient)


def test_an_overdue_review_while_the_opioid_continues_is_flagged(signed_in, patient, physician):
    line = oxycodone_60(patient, physician)
    OpioidTrial.objects.create(
        patient=patient, medication=line, started_on=in_days(-30), review_on=in_days(-2), started_by=physician
    )
    assert OVERDUE in chart(signed_in(physician), patient)


def test_a_trial_decided_as_taper_is_not_flagged(signed_in, patient, physician):
    line = oxycodone_60(patient, physician)
    OpioidTrial.objects.create(
        patient=patient,
        medication=line,
        review_on=in_days(-1),
        reviewed_at=timezone.now(),
        decision="taper",
        benefit_documented=False,
        started_by=physician,
    )
    page = chart(signed_in(physician), patient)
    assert FLAG not in page and OVERDUE not in page
