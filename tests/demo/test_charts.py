from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

import demo.clinic
from patients.models import Complexity, Encounter, PainType, Patient, Problem, PsychotherapyNote

pytestmark = pytest.mark.django_db


def seed(patients: int) -> str:
    out = StringIO()
    call_command("seed_demo", patients=patients, stdout=out)
    return out.getvalue()


def chart_counts() -> tuple[int, int, int]:
    return Encounter.objects.count(), Problem.objects.count(), PsychotherapyNote.objects.count()


def test_every_demo_patient_gets_a_signed_initial_visit_a_problem_list_and_a_classification():
    seed(patients=20)
    for patient in Patient.objects.all():
        visits = patient.encounters.all()
        assert visits.filter(kind=Encounter.Kind.INITIAL, status=Encounter.Status.SIGNED).count() == 1
        assert patient.problems.filter(domain=Problem.Domain.PAIN).exists()
        assert patient.pain_type != PainType.NOT_CLASSIFIED
        assert patient.complexity in (Complexity.SIMPLE, Complexity.COMPLEX)
        assert patient.pain_classifications.count() == 1
        assert patient.complexity_ratings.count() == 1


def test_the_demo_has_unsigned_drafts_addenda_and_problems_beyond_pain():
    seed(patients=40)
    assert Encounter.objects.drafts().exists()
    assert Encounter.objects.filter(addenda__isnull=False).exists()
    assert Problem.objects.exclude(domain=Problem.Domain.PAIN).exists()
    assert Patient.objects.filter(complexity=Complexity.COMPLEX).exists()


def test_visits_are_written_by_the_patients_own_team():
    seed(patients=20)
    for visit in Encounter.objects.select_related("patient"):
        assert visit.patient.care_team.filter(member=visit.author_id).exists()
        assert visit.discipline == visit.author.discipline


def test_the_demo_patients_psychologist_keeps_a_psychotherapy_note_apart():
    seed(patients=5)
    maria = demo.clinic.demo_patient()
    note = maria.psychotherapy_notes.get()
    assert note.author.username == "leila.haddad"


def test_charts_are_added_once():
    seed(patients=20)
    before = chart_counts()
    seed(patients=20)
    assert chart_counts() == before


def test_the_first_demo_patients_told_their_story_before_the_first_visit():
    from patients.story import goal_suggestions

    seed(patients=5)
    maria = demo.clinic.demo_patient()
    intake = maria.intakes.get()
    first_visit = maria.encounters.get(kind=Encounter.Kind.INITIAL)
    assert intake.is_submitted and timezone.localdate(intake.submitted_at) < first_visit.occurred_on
    assert goal_suggestions(intake) == [
        "Walk the dog in the park again",
        "Sleep through the night",
        "Work full days without crashing",
    ]


def test_one_demo_patient_reported_a_history_of_cancer_already_reviewed_by_their_lead():
    from patients.models import RedFlag

    seed(patients=5)
    flag = RedFlag.objects.get()
    assert flag.code == "history_of_cancer" and flag.source == RedFlag.Source.INTAKE
    assert flag.acknowledged_by == flag.patient.care_team.get(is_lead=True).member


def test_intakes_are_added_once():
    from patients.models import Intake

    seed(patients=5)
    before = Intake.objects.count()
    seed(patients=5)
    assert Intake.objects.count() == before == 5
