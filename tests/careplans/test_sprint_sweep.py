"""The review sweep: a task reaches the lead clinician 3 days before a sprint ends; set-based and
idempotent (a second run, or a second worker, creates nothing twice)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from careplans import sprint_services
from careplans.models import CarePlan, Sprint
from careplans.tasks import sweep_sprint_reviews
from clinic.models import TeamTask
from tests.careplans.plan_builders import patient_led_by, plan_for, reviewed_sprint, sprint_for
from tests.factories import CareTeamMemberFactory, PatientFactory


def ending_in(plan, lead, days: int) -> Sprint:
    return sprint_for(plan, lead, starts_on=timezone.localdate() + timedelta(days=days - 28))


def test_it_gives_the_lead_a_review_task_three_days_before_the_end(physician, patient):
    plan = plan_for(patient, physician)
    sprint = ending_in(plan, physician, 3)
    assert sprint_services.create_sprint_review_tasks() == 1
    task = TeamTask.objects.get()
    assert (task.assignee, task.patient, task.source) == (physician, patient, TeamTask.Source.SPRINT_REVIEW)
    assert task.source_key == f"sprint-review:{sprint.public_id}"
    assert task.link == reverse("careplans:sprint_review", args=[patient.public_id, sprint.public_id])
    assert task.due_on == timezone.localdate()
    assert task.title == f"Review sprint 1: it ends {sprint.ends_on:%b} {sprint.ends_on.day}"
    sprint.refresh_from_db()
    assert sprint.review_task_created_at is not None


def test_running_the_sweep_twice_creates_one_task(physician, patient):
    ending_in(plan_for(patient, physician), physician, 2)
    assert sweep_sprint_reviews.apply().get() == 1
    assert sweep_sprint_reviews.apply().get() == 0
    assert TeamTask.objects.count() == 1


def test_a_sprint_claimed_but_without_its_task_gets_none_twice(physician, patient):
    """The source key backs up the claim: re-creating a task for the same sprint keeps the first one."""
    sprint = ending_in(plan_for(patient, physician), physician, 1)
    sprint_services.create_sprint_review_tasks()
    Sprint.objects.filter(pk=sprint.pk).update(review_task_created_at=None)
    sprint_services.create_sprint_review_tasks()
    assert TeamTask.objects.count() == 1


def test_it_leaves_sprints_not_due_yet_reviewed_or_of_closed_plans(physician, patient):
    ending_in(plan_for(patient, physician), physician, 4)  # not due for a day yet
    reviewed = plan_for(patient_led_by(physician), physician)
    reviewed_sprint(reviewed, physician, improved=True, starts_on=timezone.localdate() - timedelta(weeks=5))
    closed = plan_for(patient_led_by(physician), physician)
    ending_in(closed, physician, 1)
    CarePlan.objects.filter(pk=closed.pk).update(status=CarePlan.Status.CLOSED)
    assert sprint_services.create_sprint_review_tasks() == 0
    assert not TeamTask.objects.exists()


def test_an_overdue_review_is_due_today(physician, patient):
    sprint = ending_in(plan_for(patient, physician), physician, -5)
    sprint_services.create_sprint_review_tasks()
    assert TeamTask.objects.get().due_on == timezone.localdate()
    assert sprint.ends_on < timezone.localdate()


def test_a_lead_who_left_hands_the_task_to_the_team_lead_or_on_duty(physician, psychologist, patient):
    plan = plan_for(patient, psychologist)
    ending_in(plan, psychologist, 3)
    psychologist.is_active = False
    psychologist.save(update_fields=["is_active"])
    sprint_services.create_sprint_review_tasks()
    assert TeamTask.objects.get().assignee == physician  # the care team's lead


def test_one_sweep_finds_every_due_sprint_in_a_constant_number_of_queries(physician, django_assert_max_num_queries):
    for _ in range(3):
        patient = PatientFactory()
        CareTeamMemberFactory(patient=patient, member=physician, is_lead=True)
        ending_in(plan_for(patient, physician), physician, 3)
    with django_assert_max_num_queries(40):
        assert sprint_services.create_sprint_review_tasks() == 3
    assert TeamTask.objects.filter(assignee=physician).count() == 3
