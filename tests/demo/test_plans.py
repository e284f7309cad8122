"""Demo care plans (demo/plans.py): plans in each tier with goals, progress, a portfolio, reviewed
sprints and one running; the demo patient's sprint ends in 3 days; idempotent."""

import pytest
from django.utils import timezone

import demo.clinic
import demo.history
import demo.plans
from careplans import selectors, sprint_services
from careplans.models import CarePlan, Goal, GoalProgress, Sprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    demo.clinic.seed_staff()
    for _ in demo.clinic.seed_patients(9, batch_size=9):
        pass
    for _ in demo.history.seed_histories(9, batch_size=9):
        pass


def test_the_first_demo_patients_get_plans_in_each_tier_with_reviewed_sprints(clinic):
    result = demo.plans.seed_plans(9)
    assert result.plans == 9
    plans = CarePlan.objects.active().select_related("tier")
    assert {plan.tier.number for plan in plans} == {1, 2, 3}
    assert Goal.objects.filter(from_intake=True).count() == 9
    assert GoalProgress.objects.exists()
    assert Sprint.objects.filter(reviewed_at__isnull=True).count() == 9  # one running per plan
    reviewed = Sprint.objects.filter(reviewed_at__isnull=False)
    assert reviewed.exists() and not reviewed.filter(decision="").exists()
    assert reviewed.filter(decision__in=["step_up", "step_down"]).exists()
    assert all(len(s.review_snapshot) == len(s.metrics) for s in reviewed)
    assert selectors.case_conference_candidates().exists()


def test_the_demo_patients_sprint_is_due_for_review(clinic):
    demo.plans.seed_plans(3)
    maria = demo.clinic.demo_patient()
    running = Sprint.objects.get(plan__patient=maria, reviewed_at__isnull=True)
    assert (running.ends_on - timezone.localdate()).days == 3
    assert sprint_services.create_sprint_review_tasks() >= 1
    assert maria.tasks.filter(source="sprint_review").count() == 1


def test_seeding_twice_adds_nothing(clinic):
    demo.plans.seed_plans(4)
    counts = (CarePlan.objects.count(), Goal.objects.count(), Sprint.objects.count())
    assert demo.plans.seed_plans(4).plans == 0
    assert (CarePlan.objects.count(), Goal.objects.count(), Sprint.objects.count()) == counts
