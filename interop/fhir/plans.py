"""CarePlan (the patient's stepped-care plan and its treatments) and Goal (in the patient's own words)."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from careplans.models import CarePlan, Goal, Intervention
from patients.models import Patient

from .values import (
    UCUM,
    concept,
    day,
    instant,
    number,
    patient_reference,
    practitioner_reference,
    reference,
    without_empty,
)

# Haven's plan and treatment states in FHIR's request-status and care-plan-activity-status terms.
PLAN_STATUS = {CarePlan.Status.ACTIVE: "active", CarePlan.Status.CLOSED: "completed"}
ACTIVITY_STATUS = {
    Intervention.Status.PROPOSED: "not-started",
    Intervention.Status.ACTIVE: "in-progress",
    Intervention.Status.PAUSED: "on-hold",
    Intervention.Status.STOPPED: "stopped",
}
# goal-status (lifecycle) and goal-achievement (http://terminology.hl7.org/CodeSystem/goal-achievement).
GOAL_LIFECYCLE = {Goal.Status.ACTIVE: "active", Goal.Status.ACHIEVED: "completed", Goal.Status.DROPPED: "cancelled"}
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
# The goal units Haven offers that are UCUM codes as written (min, h, kg: https://ucum.org/ucum); a custom
# unit is sent as words only.
UCUM_UNITS = frozenset({"min", "h", "kg"})


def care_plan_rows(patients: QuerySet[Patient] | None) -> QuerySet[CarePlan]:
    rows = CarePlan.objects.select_related("patient", "lead", "tier").prefetch_related(
        Prefetch("goals", queryset=Goal.objects.only("public_id", "plan_id", "position").order_by("position", "pk")),
        Prefetch("interventions", queryset=Intervention.objects.order_by("pk")),
    )
    return (rows if patients is None else rows.filter(patient__in=patients)).order_by("pk")


def activity(intervention: Intervention) -> dict:
    detail = without_empty(
        {
            "kind": "ServiceRequest",
            "code": concept(f"{intervention.name} ({intervention.get_category_display()})"),
            "status": ACTIVITY_STATUS[Intervention.Status(intervention.status)],
            "statusReason": concept(intervention.stopped_reason) if intervention.stopped_reason.strip() else None,
            "description": intervention.how_it_helps,
        }
    )
    return {"detail": detail}


def care_plan_to_fhir(plan: CarePlan) -> dict:
    return without_empty(
        {
            "resourceType": "CarePlan",
            "id": str(plan.public_id),
            "status": PLAN_STATUS[CarePlan.Status(plan.status)],
            "intent": "plan",
            "title": f"Care plan: {plan.tier}",
            "subject": patient_reference(plan.patient),
            "created": instant(plan.created_at),
            "author": practitioner_reference(plan.lead),
            "goal": [reference("Goal", str(goal.public_id)) for goal in plan.goals.all()],
            "activity": [activity(intervention) for intervention in plan.interventions.all()],
        }
    )


def goal_rows(patients: QuerySet[Patient] | None) -> QuerySet[Goal]:
    rows = Goal.objects.select_related("plan__patient")
    return (rows if patients is None else rows.filter(plan__patient__in=patients)).order_by("pk")


def goal_quantity(goal: Goal, value) -> dict:
    quantity: dict[str, Any] = {"value": number(value)}
    if goal.unit:
        quantity["unit"] = goal.unit
        if goal.metric != Goal.Metric.CUSTOM and goal.unit in UCUM_UNITS:
            quantity.update(system=UCUM, code=goal.unit)
    return quantity


def goal_to_fhir(goal: Goal) -> dict:
    status = Goal.Status(goal.status)
    achieved = {"achievementStatus": concept("Achieved", {"system": GOAL_ACHIEVEMENT, "code": "achieved"})}
    return without_empty(
        {
            "resourceType": "Goal",
            "id": str(goal.public_id),
            "lifecycleStatus": GOAL_LIFECYCLE[status],
            **(achieved if status == Goal.Status.ACHIEVED else {}),
            "description": concept(goal.words),
            "subject": patient_reference(goal.plan.patient),
            "startDate": day(goal.created_at.date()),
            "target": [
                {
                    "measure": concept(goal.metric_name),
                    "detailQuantity": goal_quantity(goal, goal.target),
                    "dueDate": day(goal.target_date),
                }
            ],
            "expressedBy": patient_reference(goal.plan.patient),
            "note": [{"text": f"Baseline: {number(goal.baseline)} {goal.unit}".strip()}],
        }
    )
