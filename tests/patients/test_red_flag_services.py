"""Red flags found at examination (the urgent task for the lead, once) and their acknowledgement."""

import uuid

import pytest

from audit.models import Action, AuditEvent
from clinic.models import TeamTask
from clinic.roles import Role
from patients.models import RedFlag
from patients.problem_services import (
    SubmissionReused,
    acknowledge_red_flag,
    record_exam_red_flag,
    red_flag_task_key,
)
from patients.redflags import UnknownRedFlagError
from tests.factories import CareTeamMemberFactory, PatientFactory, StaffFactory, put_on_duty


def intake_flag(patient, code="bladder_bowel_control", level="emergency", **fields):
    """A red flag the patient reported at intake (another part of the app records these)."""
    return RedFlag.objects.create(patient=patient, code=code, level=level, source=RedFlag.Source.INTAKE, **fields)


def test_it_records_an_examination_finding_and_gives_the_lead_an_urgent_task(psychologist, physician, patient):
    flag = record_exam_red_flag(patient=patient, by=psychologist, code="ankle_weakness", note=" Left foot drop. ")
    flag.refresh_from_db()
    assert (flag.code, flag.level, flag.source) == ("ankle_weakness", "emergency", "examination")
    assert (flag.found_by, flag.note, flag.intake) == (psychologist, "Left foot drop.", None)
    assert flag.text == "Major motor weakness: ankle plantar flexors, evertors, dorsiflexors (foot drop)"
    task = TeamTask.objects.get()
    assert (task.assignee, task.priority, task.source) == (physician, "urgent", TeamTask.Source.RED_FLAG)
    assert (task.patient, task.source_key) == (patient, f"red-flag:{flag.public_id}")
    assert task.title == (
        "Emergency red flag found at examination: major motor weakness: ankle plantar flexors, evertors, "
        "dorsiflexors (foot drop). Review today."
    )
    event = AuditEvent.objects.get(patient=patient)
    assert (event.actor, event.action, event.target) == (psychologist, Action.CREATE, "red flag found at examination")


def test_the_lead_who_finds_it_gets_no_task_of_their_own(physician, patient):
    record_exam_red_flag(patient=patient, by=physician, code="anal_sphincter_laxity")
    assert RedFlag.objects.get().found_by == physician
    assert not TeamTask.objects.exists()


def test_a_history_item_is_recorded_at_its_own_level_and_a_review_gives_no_task(psychologist, physician, patient):
    flag = record_exam_red_flag(patient=patient, by=psychologist, code="history_of_cancer")
    assert (flag.level, flag.source, flag.text) == ("review", "examination", "History of cancer")
    assert not TeamTask.objects.exists()


def test_an_emergency_history_item_found_by_a_clinician_tasks_the_lead(psychologist, physician, patient):
    record_exam_red_flag(patient=patient, by=psychologist, code="saddle_numbness")
    assert TeamTask.objects.get().assignee == physician


def test_without_a_lead_the_task_goes_to_the_clinician_on_duty_unless_they_found_it(db):
    patient = PatientFactory()
    finder = StaffFactory(password="!")
    CareTeamMemberFactory(patient=patient, member=finder)
    on_duty = put_on_duty(StaffFactory(password="!"))
    record_exam_red_flag(patient=patient, by=finder, code="quadriceps_weakness")
    assert TeamTask.objects.get().assignee == on_duty
    record_exam_red_flag(patient=patient, by=on_duty, code="perianal_sensory_loss")
    assert TeamTask.objects.count() == 1


def test_without_a_lead_or_anyone_on_duty_the_task_goes_to_every_clinician(db):
    patient = PatientFactory()
    finder = StaffFactory(password="!")
    CareTeamMemberFactory(patient=patient, member=finder)
    record_exam_red_flag(patient=patient, by=finder, code="quadriceps_weakness")
    task = TeamTask.objects.get()
    assert (task.assignee, task.assignee_role) == (None, Role.CLINICIAN)


def test_the_same_submission_twice_records_one_flag_one_task_and_one_audit_event(psychologist, physician, patient):
    key = uuid.uuid4()
    first = record_exam_red_flag(patient=patient, by=psychologist, code="ankle_weakness", key=key)
    again = record_exam_red_flag(patient=patient, by=psychologist, code="ankle_weakness", key=key)
    assert first.pk == again.pk and first.public_id == key
    assert RedFlag.objects.count() == 1
    assert TeamTask.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.CREATE).count() == 1


def test_a_submission_key_of_another_patients_flag_is_refused(psychologist, physician, patient, other_patient):
    theirs = intake_flag(other_patient)
    with pytest.raises(SubmissionReused):
        record_exam_red_flag(patient=patient, by=psychologist, code="ankle_weakness", key=theirs.public_id)
    assert not RedFlag.objects.filter(patient=patient).exists()
    assert not TeamTask.objects.exists()


def test_a_submission_key_of_an_intake_flag_of_the_same_patient_is_refused(psychologist, patient):
    reported = intake_flag(patient, code="history_of_cancer", level="review")
    with pytest.raises(SubmissionReused):
        record_exam_red_flag(patient=patient, by=psychologist, code="ankle_weakness", key=reported.public_id)
    assert RedFlag.objects.get() == reported


@pytest.mark.parametrize("code", ["chest_pain", "", "LEG_WEAKNESS"])
def test_an_unknown_code_records_nothing(psychologist, patient, code):
    with pytest.raises(UnknownRedFlagError):
        record_exam_red_flag(patient=patient, by=psychologist, code=code)
    assert not RedFlag.objects.exists()
    assert not AuditEvent.objects.exists()


# --------------------------------------------------------------------------- acknowledgement


def test_acknowledging_stamps_who_when_and_what_and_closes_the_task(psychologist, physician, patient):
    flag = record_exam_red_flag(patient=patient, by=psychologist, code="ankle_weakness")
    assert acknowledge_red_flag(red_flag=flag, by=physician, note=" Sent to the emergency department. ") is True
    flag.refresh_from_db()
    assert flag.acknowledged_by == physician
    assert flag.acknowledged_at is not None
    assert flag.acknowledgement == "Sent to the emergency department."
    task = TeamTask.objects.get(source_key=red_flag_task_key(flag))
    assert (task.status, task.done_by) == ("done", physician)
    assert task.done_at >= flag.acknowledged_at
    event = AuditEvent.objects.get(action=Action.UPDATE)
    assert (event.actor, event.target) == (physician, "red flag acknowledged")


def test_the_first_acknowledgement_stays_when_two_clinicians_acknowledge(psychologist, physician, patient):
    flag = intake_flag(patient)
    stale_copy = RedFlag.objects.get(pk=flag.pk)
    assert acknowledge_red_flag(red_flag=flag, by=physician, note="Phoned the patient.") is True
    assert acknowledge_red_flag(red_flag=stale_copy, by=psychologist, note="Also phoned.") is False
    flag.refresh_from_db()
    assert (flag.acknowledged_by, flag.acknowledgement) == (physician, "Phoned the patient.")
    assert AuditEvent.objects.filter(action=Action.UPDATE).count() == 1


def test_an_acknowledgement_needs_a_note(physician, patient):
    flag = intake_flag(patient)
    with pytest.raises(ValueError):
        acknowledge_red_flag(red_flag=flag, by=physician, note="   ")
    flag.refresh_from_db()
    assert flag.acknowledged_at is None


def test_acknowledging_an_intake_flag_leaves_other_tasks_alone(physician, patient):
    other = TeamTask.objects.create(
        title="Review the intake red flags", source=TeamTask.Source.RED_FLAG, patient=patient, assignee=physician
    )
    flag = intake_flag(patient)
    acknowledge_red_flag(red_flag=flag, by=physician, note="Seen.")
    other.refresh_from_db()
    assert other.status == "open"


def test_flags_come_most_pressing_first(db):
    patient = PatientFactory()
    acknowledged = intake_flag(patient, code="leg_weakness")
    RedFlag.objects.filter(pk=acknowledged.pk).update(acknowledged_at=acknowledged.found_at)
    review = intake_flag(patient, code="history_of_cancer", level="review")
    old_emergency = intake_flag(patient, code="saddle_numbness")
    new_emergency = intake_flag(patient, code="bladder_bowel_control")
    RedFlag.objects.filter(pk=old_emergency.pk).update(found_at=old_emergency.found_at.replace(year=2020))
    order = list(RedFlag.objects.filter(patient=patient).most_pressing_first().values_list("pk", flat=True))
    assert order == [new_emergency.pk, old_emergency.pk, review.pk, acknowledged.pk]


def test_the_intakes_task_closes_once_every_flag_of_its_level_is_acknowledged(physician, coordinator, patient):
    from patients.intake_services import save_red_flags, send_intake_link

    intake = send_intake_link(patient=patient, by=coordinator).intake
    answers = {code: False for code in ("fever_with_back_pain", "unexplained_weight_loss")}
    saved = save_red_flags(
        intake=intake, answers={**answers, "leg_weakness": True, "saddle_numbness": True}, finished=False
    )
    task = TeamTask.objects.get(patient=patient, source=TeamTask.Source.RED_FLAG)
    first, second = RedFlag.objects.filter(intake=saved.intake).order_by("code")
    acknowledge_red_flag(red_flag=first, by=physician, note="Called her: no new weakness since last week.")
    task.refresh_from_db()
    assert task.status == TeamTask.Status.OPEN  # the other emergency answer is not seen yet
    acknowledge_red_flag(red_flag=second, by=physician, note="Examined today: sensation normal.")
    task.refresh_from_db()
    assert task.status == TeamTask.Status.DONE and task.done_by == physician
    assert task.events.filter(kind="acknowledged", by=physician).exists()
