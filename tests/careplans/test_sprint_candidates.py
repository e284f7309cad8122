"""Case-conference candidates: patients whose last two reviewed sprints did not improve
(CarePlan.objects.not_improving(), selectors.case_conference_candidates())."""

from datetime import timedelta

from django.utils import timezone

from careplans import selectors
from careplans.models import CarePlan
from tests.careplans.plan_builders import patient_led_by, plan_for, reviewed_sprint, sprint_for


def history(physician, *improved):
    plan = plan_for(patient_led_by(physician), physician)
    start = timezone.localdate() - timedelta(weeks=5 * (len(improved) + 1))
    for n, better in enumerate(improved):
        reviewed_sprint(plan, physician, improved=better, starts_on=start + timedelta(weeks=5 * n))
    return plan


def test_two_reviewed_sprints_without_improvement_make_a_candidate(physician):
    flat = history(physician, True, False, False)
    history(physician, False, True)  # improved last time
    history(physician, False, False, True)  # improved again
    history(physician, False)  # one sprint only
    history(physician)  # no sprint
    assert list(CarePlan.objects.not_improving()) == [flat]
    assert list(selectors.case_conference_candidates()) == [flat.patient]


def test_an_open_sprint_does_not_hide_the_last_two_reviews(physician):
    plan = history(physician, False, False)
    sprint_for(plan, physician)
    assert list(CarePlan.objects.not_improving()) == [plan]


def test_a_closed_plan_is_not_a_candidate(physician):
    plan = history(physician, False, False)
    CarePlan.objects.filter(pk=plan.pk).update(status=CarePlan.Status.CLOSED)
    assert not CarePlan.objects.not_improving().exists()


def test_it_is_one_query(physician, django_assert_num_queries):
    history(physician, False, False)
    with django_assert_num_queries(1):
        assert len(list(selectors.case_conference_candidates())) == 1
