"""Build care plans for tests through the real services (careplans/plan_services.py), which let only clinicians
on the patient's care team change a plan: build a plan for a patient whose team its author is on
(``patient_led_by``)."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from careplans import plan_services as services
from careplans import sprint_services, sprints
from careplans.models import CarePlan, Goal, GoalProgress, Intervention, Sprint, Tier
from tests.factories import CareTeamMemberFactory, PatientFactory

FOUR_ANSWERS = {
    "expected_benefit": "Moderate; builds over 8 to 12 weeks.",
    "risks": "Sore muscles at first.",
    "how_it_helps": "Walking the dog again.",
    "how_measured": "Walking minutes weekly; decide at the sprint review.",
}


def tier(number: int) -> Tier:
    return Tier.objects.get(number=number)


def patient_led_by(clinician):
    """A new patient whose care team the clinician leads."""
    patient = PatientFactory()
    CareTeamMemberFactory(patient=patient, member=clinician, is_lead=True)
    return patient


def plan_for(patient, lead, *, tier_number: int = 1, who_to_call: str = "Nurse line 555-0100") -> CarePlan:
    return services.start_plan(patient=patient, by=lead, lead=lead, tier=tier(tier_number), who_to_call=who_to_call)


def goal_for(plan, by, *, words="Walk the dog again", metric=Goal.Metric.WALKING_MINUTES, baseline=5, target=30, **kw):
    return services.add_goal(
        plan=plan,
        by=by,
        words=words,
        metric=metric,
        baseline=Decimal(baseline),
        target=Decimal(target),
        target_date=kw.pop("target_date", timezone.localdate() + timedelta(weeks=12)),
        **kw,
    )


def progress(goal, by, value, *, on: date) -> GoalProgress:
    return GoalProgress.objects.create(goal=goal, value=Decimal(str(value)), recorded_on=on, recorded_by=by)


def treatment_for(plan, by, *, name="Graded walking", complete=True, **fields) -> Intervention:
    values = {
        "category": Intervention.Category.REHABILITATION,
        "owner_discipline": "physical_therapist",
        "status": Intervention.Status.ACTIVE,
        **(FOUR_ANSWERS if complete else {}),
        **fields,
    }
    return services.add_intervention(plan=plan, by=by, name=name, **values)


def sprint_for(plan, by, *, starts_on: date | None = None, weeks=4, metrics=None, treatments=()) -> Sprint:
    starts_on = starts_on or timezone.localdate()
    return sprint_services.start_sprint(
        plan=plan,
        by=by,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(weeks=weeks),
        metrics=metrics or ["measure:peg"],
        interventions=treatments,
    )


def reviewed_sprint(plan, by, *, improved: bool, starts_on: date, decision="pivot") -> Sprint:
    """A past sprint on one goal, reviewed, that improved (goal reached) or did not (goal unchanged)."""
    goal = goal_for(plan, by, words=f"Goal of the sprint from {starts_on}", baseline=5, target=30)
    sprint = sprint_for(plan, by, starts_on=starts_on, metrics=[sprints.goal_metric(goal.public_id)])
    progress(goal, by, 30 if improved else 5, on=starts_on + timedelta(days=20))
    plan.refresh_from_db()
    return sprint_services.review_sprint(
        sprint=sprint, by=by, decision=decision, reason="Reviewed with the patient.", based_on_plan_version=plan.version
    )
