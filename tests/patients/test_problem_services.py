"""The problem list's services and model method: adding, changing, refusing a stale edit, grouping."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.access import may_chart
from patients.models import Problem
from patients.problem_services import StaleEdit, add_problem, change_problem
from patients.selectors import group_by_domain
from tests.factories import ProblemFactory


def test_it_adds_a_problem_with_who_and_when_and_audits_it(physician, patient):
    problem = add_problem(
        patient=patient,
        by=physician,
        domain="sleep",
        title="  Wakes with pain  ",
        owner_discipline="psychologist",
        notes=" Sleep diary started. ",
    )
    problem.refresh_from_db()
    assert (problem.domain, problem.title, problem.status) == ("sleep", "Wakes with pain", "active")
    assert (problem.owner_discipline, problem.notes) == ("psychologist", "Sleep diary started.")
    assert problem.created_by == problem.updated_by == physician
    assert problem.created_at == problem.updated_at
    event = AuditEvent.objects.get(patient=patient)
    assert (event.actor, event.action, event.target) == (physician, Action.CREATE, "problem list: problem added")


@pytest.mark.parametrize(
    "bad",
    [{"domain": "spiritual"}, {"status": "gone"}, {"owner_discipline": "astrologer"}, {"title": "   "}],
)
def test_it_refuses_values_outside_the_lists(physician, patient, bad):
    fields = {"domain": "mood", "title": "Low mood", "status": "active", "owner_discipline": ""} | bad
    with pytest.raises(ValueError):
        add_problem(patient=patient, by=physician, **fields)
    assert not Problem.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_changes_a_problem_and_names_the_changed_fields_in_the_audit(physician, psychologist, patient):
    problem = add_problem(patient=patient, by=physician, domain="mood", title="Low mood")
    saved, changed = change_problem(
        problem=problem,
        by=psychologist,
        seen_updated_at=problem.updated_at,
        domain="mood",
        title="Low mood",
        status="monitoring",
        owner_discipline="psychologist",
        notes="Better since group started.",
    )
    assert changed == ["status", "owner_discipline", "notes"]
    saved.refresh_from_db()
    assert saved.status == "monitoring"
    assert saved.updated_by == psychologist
    assert saved.created_by == physician
    assert saved.updated_at > problem.updated_at
    event = AuditEvent.objects.filter(action=Action.UPDATE).get()
    assert event.target == "problem list: problem changed (status, owner_discipline, notes)"
    assert "Better" not in event.target


def test_a_save_without_changes_keeps_who_changed_it_last(physician, psychologist, patient):
    problem = add_problem(patient=patient, by=physician, domain="pain", title="Back pain")
    saved, changed = change_problem(
        problem=problem, by=psychologist, seen_updated_at=problem.updated_at, title="Back pain", status="active"
    )
    assert changed == []
    saved.refresh_from_db()
    assert (saved.updated_by, saved.updated_at) == (physician, problem.updated_at)
    assert AuditEvent.objects.filter(action=Action.UPDATE).get().target == "problem list: no change"


def test_the_second_of_two_editors_is_refused_and_nothing_is_overwritten(physician, psychologist, patient):
    problem = add_problem(patient=patient, by=physician, domain="sleep", title="Poor sleep")
    opened_at = problem.updated_at  # both open the edit form now
    change_problem(problem=problem, by=physician, seen_updated_at=opened_at, notes="Sleep hygiene handout given.")
    with pytest.raises(StaleEdit) as refused:
        change_problem(problem=problem, by=psychologist, seen_updated_at=opened_at, notes="CBT-I referral.")
    assert refused.value.current.notes == "Sleep hygiene handout given."
    assert refused.value.current.updated_by == physician
    problem.refresh_from_db()
    assert problem.notes == "Sleep hygiene handout given."
    assert problem.updated_by == physician
    assert AuditEvent.objects.filter(action=Action.UPDATE).count() == 1


def test_after_seeing_the_other_version_the_editor_can_save_over_it(physician, psychologist, patient):
    problem = add_problem(patient=patient, by=physician, domain="sleep", title="Poor sleep")
    opened_at = problem.updated_at
    change_problem(problem=problem, by=physician, seen_updated_at=opened_at, notes="First.")
    with pytest.raises(StaleEdit) as refused:
        change_problem(problem=problem, by=psychologist, seen_updated_at=opened_at, notes="Second.")
    change_problem(problem=problem, by=psychologist, seen_updated_at=refused.value.current.updated_at, notes="Second.")
    problem.refresh_from_db()
    assert problem.notes == "Second."


def test_the_model_method_refuses_fields_that_are_not_editable(physician, patient):
    problem = ProblemFactory(patient=patient)
    with pytest.raises(TypeError, match="patient"):
        problem.change(by=physician, patient=None)


def test_it_groups_problems_by_domain_in_the_lists_order_with_resolved_ones_apart(patient):
    now = timezone.now()
    make = lambda domain, title, status, days=0: ProblemFactory(  # noqa: E731
        patient=patient, domain=domain, title=title, status=status, updated_at=now - datetime.timedelta(days=days)
    )
    make("mood", "b low mood", "monitoring")
    make("mood", "Worry", "active")
    make("pain", "Knee pain", "resolved", days=30)
    make("pain", "Back pain", "active")
    make("pain", "Hip pain", "resolved", days=2)
    make("financial_vocational", "Off work", "active")
    groups = group_by_domain(list(Problem.objects.filter(patient=patient)))
    assert [g.domain for g in groups] == ["pain", "mood", "financial_vocational"]
    assert [g.label for g in groups] == ["Pain", "Mood", "Financial or vocational"]
    pain, mood, _ = groups
    assert [p.title for p in pain.current] == ["Back pain"]
    assert [p.title for p in pain.resolved] == ["Hip pain", "Knee pain"]  # most recently changed first
    assert [p.title for p in mood.current] == ["Worry", "b low mood"]  # active before monitoring
    assert mood.resolved == []


def test_it_makes_no_group_for_an_empty_list():
    assert group_by_domain([]) == []


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("physician", True), ("psychologist", True), ("coordinator", False), ("clinic_admin", False)],
)
def test_only_clinicians_with_access_may_chart(request, patient, who, allowed):
    assert may_chart(request.getfixturevalue(who), patient) is allowed


def test_a_clinician_without_the_charting_permission_may_not_chart(physician, patient):
    clinicians = Group.objects.get(name="Clinicians")
    clinicians.permissions.remove(Permission.objects.get(codename="chart_clinical_notes"))
    assert may_chart(physician, patient) is False


def test_an_inactive_clinician_may_not_chart(physician, patient):
    physician.is_active = False
    assert may_chart(physician, patient) is False
