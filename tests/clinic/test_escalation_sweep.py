"""The daily early-warning sweep (clinic/escalation_services.py): flags once, with a task for the lead;
idempotent; only what the rule flags; reviewed signals do not flag again; set-based reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.escalation_services import TASK_TITLE, sweep_escalations
from clinic.models import DutyShift, EscalationFlag, Referral, TeamTask, TeamTaskEvent
from clinic.roles import Discipline, Role
from tests.factories import CareTeamMemberFactory, PatientFactory, StaffFactory, put_on_duty
from tests.measures.responses import peg


def referral(patient, *, days_ago: int, service=Referral.Service.PAIN_MEDICINE, state=Referral.State.SENT):
    sent = timezone.now() - timedelta(days=days_ago)
    return Referral.objects.create(
        patient=patient, service=service, reason="Second opinion", state=state, sent_at=sent, created_at=sent
    )


def escalating(patient, *, referrals: int = 3, service=Referral.Service.PAIN_MEDICINE, first=6, last=7):
    """A PEG that has not improved over four months and `referrals` specialist referrals since."""
    peg(patient, first, days_ago=120)
    peg(patient, last, days_ago=3)
    for n in range(referrals):
        referral(patient, days_ago=100 - 20 * n, service=service)


def test_it_flags_a_patient_whose_treatment_rises_while_function_does_not_improve(physician, patient):
    escalating(patient)
    result = sweep_escalations()
    assert result.flagged == [patient.pk]
    flag = EscalationFlag.objects.get(patient=patient)
    assert flag.is_open
    assert flag.facts[0] == "PEG has not improved over the last 6 months (6.0 \u2192 7.0)"
    assert flag.facts[1].startswith("3 new specialist referrals since ")
    assert flag.facts[2] == "Not checked (not recorded in Haven yet): imaging and procedures."
    task = TeamTask.objects.get(source=TeamTask.Source.ESCALATION)
    assert (task.title, task.assignee, task.patient, task.priority) == (TASK_TITLE, physician, patient, "high")
    assert task.link.endswith(f"/patients/{patient.public_id}/#team-escalation")
    assert "biopsychosocial review" in task.details
    assert task.events.get().kind == TeamTaskEvent.Kind.CREATED


def test_a_second_run_adds_nothing(physician, patient):
    escalating(patient)
    sweep_escalations()
    again = sweep_escalations()
    assert again.flagged == [] and again.candidates == 0
    assert EscalationFlag.objects.count() == 1
    assert TeamTask.objects.filter(source=TeamTask.Source.ESCALATION).count() == 1


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param({"referrals": 2}, id="two referrals"),
        pytest.param({"service": Referral.Service.PHYSICAL_THERAPY}, id="therapy referrals are not escalation"),
        pytest.param({"first": 7, "last": 4}, id="function improving"),
    ],
)
def test_it_leaves_alone_a_patient_the_rule_does_not_flag(physician, patient, setup):
    escalating(patient, **setup)
    assert sweep_escalations().flagged == []
    assert not EscalationFlag.objects.exists()
    assert not TeamTask.objects.filter(source=TeamTask.Source.ESCALATION).exists()


def test_referrals_older_than_six_months_or_never_sent_do_not_count(physician, patient):
    peg(patient, 6, days_ago=120)
    peg(patient, 7, days_ago=3)
    referral(patient, days_ago=200)
    referral(patient, days_ago=50)
    referral(patient, days_ago=40)
    Referral.objects.create(patient=patient, service=Referral.Service.SURGERY, reason="Draft", state="draft")
    assert sweep_escalations().flagged == []


def test_a_reviewed_flag_is_not_raised_again_by_the_same_signals_but_new_ones_raise_a_new_one(physician, patient):
    escalating(patient)
    sweep_escalations()
    EscalationFlag.objects.get().mark_reviewed(by=physician, note="Discussed at the case conference.")
    EscalationFlag.objects.update(reviewed_at=timezone.now() - timedelta(days=10))
    assert sweep_escalations().flagged == []
    for days in (2, 1, 0):
        referral(patient, days_ago=days, service=Referral.Service.SURGERY)
    assert sweep_escalations().flagged == [patient.pk]
    assert EscalationFlag.objects.open().count() == 1 and EscalationFlag.objects.count() == 2
    assert TeamTask.objects.filter(source=TeamTask.Source.ESCALATION).count() == 2


def test_with_no_lead_the_task_goes_to_the_clinician_on_duty_else_to_the_medical_lead(db):
    on_duty = put_on_duty(StaffFactory(role=Role.CLINICIAN, discipline=Discipline.PHYSICIAN))
    medical_lead = StaffFactory(role=Role.CLINICIAN, discipline=Discipline.PHYSICIAN, is_medical_lead=True)
    no_team, no_one = PatientFactory(), PatientFactory()
    escalating(no_team)
    sweep_escalations()
    assert TeamTask.objects.get(patient=no_team).assignee == on_duty
    DutyShift.objects.all().delete()
    escalating(no_one)
    sweep_escalations()
    assert TeamTask.objects.get(patient=no_one).assignee == medical_lead


def test_finding_the_patients_takes_the_same_queries_for_one_candidate_or_many(
    physician, patient, django_assert_max_num_queries
):
    escalating(patient, first=7, last=3)  # a candidate (three referrals) the rule does not flag
    with django_assert_max_num_queries(20) as one:
        sweep_escalations()
    for _ in range(6):
        other = PatientFactory()
        CareTeamMemberFactory(patient=other, member=physician, is_lead=True)
        escalating(other, first=7, last=3)
    with django_assert_max_num_queries(20) as seven:
        assert sweep_escalations().candidates == 7
    assert len(one) == len(seven)


def test_the_celery_task_runs_the_sweep(eager_celery, physician, patient):
    from clinic.tasks import sweep_escalations as task

    escalating(patient)
    assert task.delay().get() == 1
    assert task.delay().get() == 0


def test_the_sweep_runs_daily_from_the_catch_up_check(settings):
    entry = settings.DAILY_SWEEPS["escalation-sweep"]  # clinic/sweeps.py: once per clinic-local day
    assert entry == {"task": "clinic.tasks.sweep_escalations", "at": "06:40"}


def medication(patient, drug_code: str, drug_class: str, *, started_days_ago: int, strength=10, doses=4):
    from medications.models import Medication

    return Medication.objects.create(
        patient=patient,
        drug_code=drug_code,
        drug_class=drug_class,
        strength=strength,
        units_per_dose=1,
        doses_per_day=doses,
        started_on=timezone.localdate() - timedelta(days=started_days_ago),
    )


def test_the_medication_list_feeds_the_rule_rising_mme_and_new_classes(physician, patient):
    peg(patient, 6, days_ago=120)
    peg(patient, 7, days_ago=3)
    medication(patient, "oxycodone", "opioid", started_days_ago=400, strength=5)  # 5 mg x 4 x 1.5 = 30 MME
    medication(patient, "morphine", "opioid", started_days_ago=60, strength=10)  # + 40 MME in the window
    medication(patient, "clonazepam", "benzodiazepine", started_days_ago=30)
    result = sweep_escalations()
    assert result.flagged == [patient.pk]
    facts = EscalationFlag.objects.get(patient=patient).facts
    assert any(fact.startswith("Daily MME rose since ") and fact.endswith("(30.0 \u2192 70.0)") for fact in facts), (
        facts
    )
    assert any(fact.startswith("2 new medication classes since ") for fact in facts), facts


def test_a_steady_regimen_started_long_ago_is_not_rising(physician, patient):
    peg(patient, 6, days_ago=120)
    peg(patient, 7, days_ago=3)
    medication(patient, "oxycodone", "opioid", started_days_ago=400, strength=5)
    assert sweep_escalations().flagged == []
