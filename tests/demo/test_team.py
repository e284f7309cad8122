"""The demo's team coordination (demo/team.py): tasks with history, a mention, a past case
conference and the next one, one patient flagged by the early warning; a second run adds nothing."""

import pytest

import demo.charts
import demo.clinic
import demo.history
import demo.team
from clinic.models import CaseConference, EscalationFlag, Referral, TeamMessage, TeamTask, TeamTaskEvent
from clinic.roles import Role
from patients.models import Patient

pytestmark = pytest.mark.django_db


def seed_demo(patients: int) -> None:
    """The demo clinic without its team coordination (seed_demo may call seed_team itself)."""
    demo.clinic.seed_staff()
    list(demo.clinic.seed_patients(patients))
    list(demo.history.seed_histories(patients))
    demo.charts.seed_charts(patients)


def counts() -> tuple:
    return (
        TeamTask.objects.count(),
        TeamTaskEvent.objects.count(),
        TeamMessage.objects.count(),
        CaseConference.objects.count(),
        Referral.objects.count(),
        EscalationFlag.objects.count(),
    )


def test_the_demo_has_tasks_a_past_conference_and_one_early_warning_and_a_rerun_adds_nothing():
    seed_demo(60)
    result = demo.team.seed_team(60)
    assert (result.tasks, result.messages, result.conferences, result.flagged) == (4, 2, 2, 1)
    flag = EscalationFlag.objects.get()
    assert flag.patient.care_team.get(is_lead=True).member.username == demo.team.LEAD
    assert any(fact.startswith("4 new specialist referrals since") for fact in flag.facts)
    escalation_task = TeamTask.objects.get(source=TeamTask.Source.ESCALATION)
    assert escalation_task.assignee.username == demo.team.LEAD
    past = CaseConference.objects.get(title=demo.team.PAST_CONFERENCE)
    assert past.status == CaseConference.Status.HELD
    assert past.items.exists() and all(item.decisions for item in past.items.all())
    assert TeamTask.objects.filter(source=TeamTask.Source.CONFERENCE).exists()
    assert TeamTask.objects.filter(source=TeamTask.Source.MENTION, assignee__username=demo.team.PSYCHOLOGIST).exists()
    handout = TeamTask.objects.get(source_key="demo:team:flare-handout")
    assert list(handout.events.values_list("kind", flat=True)) == ["created", "reassigned", "done"]
    assert TeamTask.objects.filter(assignee_role=Role.COORDINATOR, assignee__isnull=True).exists()
    before = counts()
    again = demo.team.seed_team(60)
    assert (again.tasks, again.messages, again.conferences, again.referrals, again.flagged) == (0, 0, 0, 0, 0)
    assert counts() == before


def test_a_tiny_demo_seeds_what_it_can_without_failing():
    seed_demo(3)
    result = demo.team.seed_team(3)
    assert result.tasks == 4 and result.flagged == 0
    assert not Referral.objects.filter(patient__mrn__gt="100003").exists()


def test_at_benchmark_size_every_nth_patient_gets_an_open_and_a_closed_task(monkeypatch):
    monkeypatch.setattr(demo.team, "CHART_PATIENTS", 4)
    monkeypatch.setattr(demo.team, "SCALE_EVERY", 3)
    seed_demo(12)
    assert demo.team.seed_scale_tasks(12) == 6  # patients 4, 7 and 10
    assert demo.team.seed_scale_tasks(12) == 0
    scale = TeamTask.objects.filter(source_key__startswith="demo:scale:")
    assert scale.filter(status=TeamTask.Status.OPEN).count() == 3
    assert set(scale.values_list("patient__mrn", flat=True)) == {
        p.mrn for p in Patient.objects.filter(mrn__in=["100005", "100008", "100011"])
    }
