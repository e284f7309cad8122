"""Intake workflows: sending the link, saving sections, the red-flag screen (flags and tasks in the same
transaction as the answer, never twice), and submitting once with PHQ-2/GAD-2 as real measures responses."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from clinic.models import OutboxMessage, TeamTask
from clinic.roles import Discipline, Role
from measures.models import Alert, Response
from patients import intake as sections
from patients import intake_services, redflags
from patients.intake_services import (
    RESEND_WINDOW_SECONDS,
    IntakeClosed,
    save_red_flags,
    save_section,
    send_intake_link,
    submit_intake,
)
from patients.models import Intake, RedFlag
from portal.models import PatientLink
from portal.services import LINK_MESSAGE
from tests.factories import StaffFactory, mark_away, put_on_duty

ALL_NO = {item.code: False for item in redflags.ITEMS}


@pytest.fixture
def intake(patient, coordinator):
    return send_intake_link(patient=patient, by=coordinator).intake


def fresh(intake) -> Intake:
    return Intake.objects.get(pk=intake.pk)


def on_duty_clinician():
    return put_on_duty(StaffFactory(username="dr.duty", role=Role.CLINICIAN, discipline=Discipline.PHYSICIAN))


# --------------------------------------------------------------------------- sending the link


def test_it_opens_an_intake_with_a_14_day_intake_link_and_queues_a_message_without_health_words(patient, coordinator):
    sent = send_intake_link(patient=patient, by=coordinator)
    assert sent.intake.patient == patient and sent.intake.created_by == coordinator
    assert sent.link.purpose == PatientLink.Purpose.INTAKE and sent.intake.link == sent.link
    assert timedelta(days=13, hours=23) < sent.link.expires_at - timezone.now() <= timedelta(days=14)
    message = OutboxMessage.objects.get(patient=patient)
    assert (message.channel, message.to_address, sent.channel) == ("email", patient.email, "email")
    assert message.body == LINK_MESSAGE % {"sender": settings.MESSAGE_SENDER, "url": sent.url}
    for word in ("pain", "intake", "red flag", patient.family_name):
        assert word.lower() not in message.body.lower()


def test_sending_again_reuses_the_open_intake_and_revokes_the_old_link(patient, coordinator):
    first = send_intake_link(patient=patient, by=coordinator)
    save_section(intake=first.intake, code="onset", values={"when": "not_sure"}, finished=True)
    with time_machine.travel(timezone.now() + timedelta(seconds=RESEND_WINDOW_SECONDS + 1), tick=False):
        second = send_intake_link(patient=patient, by=coordinator)  # after the double-click window
    assert second.intake.pk == first.intake.pk
    assert fresh(second.intake).answers["onset"] == {"when": "not_sure"}
    old, new = PatientLink.objects.get(pk=first.link.pk), PatientLink.objects.get(pk=second.link.pk)
    assert old.revoked_at is not None and new.is_usable()
    assert Intake.objects.get().link_id == new.pk


def test_after_a_submitted_intake_sending_opens_a_new_one(patient, coordinator, intake):
    save_red_flags(intake=intake, answers=ALL_NO, finished=True)
    submit_intake(intake=intake)
    again = send_intake_link(patient=patient, by=coordinator)
    assert again.intake.pk != intake.pk
    assert Intake.objects.filter(patient=patient).count() == 2


def test_without_a_consented_channel_it_queues_nothing_and_returns_the_link_to_give_in_person(patient, coordinator):
    patient.consents_to_email = False
    patient.save(update_fields=["consents_to_email"])
    sent = send_intake_link(patient=patient, by=coordinator)
    assert sent.channel is None and sent.url.startswith("http")
    assert not OutboxMessage.objects.exists()


def test_the_database_allows_one_open_intake_per_patient(patient, intake):
    with pytest.raises(IntegrityError):
        Intake.objects.create(patient=patient)


# --------------------------------------------------------------------------- saving sections


def test_a_section_is_merged_over_what_was_saved_and_marked_saved_only_when_finished(intake):
    save_section(intake=intake, code="better_worse", values={"better": "Heat"}, finished=False)
    assert fresh(intake).sections_saved == []
    save_section(intake=intake, code="better_worse", values={"worse": "Cold"}, finished=True)
    save_section(intake=intake, code="better_worse", values={"worse": "Cold and stress"}, finished=True)
    saved = fresh(intake)
    assert saved.answers["better_worse"] == {"better": "Heat", "worse": "Cold and stress"}
    assert saved.sections_saved == ["better_worse"]


def test_the_red_flag_screen_is_not_saved_as_a_plain_section(intake):
    with pytest.raises(ValueError):
        save_section(intake=intake, code=sections.SAFETY, values={"leg_weakness": True}, finished=True)
    with pytest.raises(ValueError):
        save_section(intake=intake, code="nowhere", values={}, finished=True)


def test_nothing_changes_once_the_intake_is_sent(intake):
    save_red_flags(intake=intake, answers=ALL_NO, finished=True)
    submit_intake(intake=intake)
    with pytest.raises(IntakeClosed):
        save_section(intake=intake, code="onset", values={"when": "not_sure"}, finished=True)
    with pytest.raises(IntakeClosed):
        save_red_flags(intake=intake, answers={"leg_weakness": True}, finished=True)
    assert not RedFlag.objects.exists()


# --------------------------------------------------------------------------- the red-flag screen


def test_an_emergency_answer_records_the_flag_and_an_urgent_task_for_the_lead_who_is_away_passed_to_duty(
    intake, physician
):
    duty = on_duty_clinician()
    mark_away(physician)
    saved = save_red_flags(intake=intake, answers={**ALL_NO, "saddle_numbness": True}, finished=True)
    assert saved.is_emergency and saved.new_emergency
    flag = RedFlag.objects.get()
    assert (flag.code, flag.level, flag.source, flag.intake, flag.patient) == (
        "saddle_numbness",
        redflags.EMERGENCY,
        RedFlag.Source.INTAKE,
        intake,
        intake.patient,
    )
    task = TeamTask.objects.get()
    assert (task.priority, task.assignee, task.source) == (TeamTask.Priority.URGENT, duty, TeamTask.Source.RED_FLAG)
    assert task.source_key == f"intake:{intake.public_id}:red_flag:emergency"
    assert intake.patient.family_name not in task.title
    assert fresh(intake).red_flag_level == redflags.EMERGENCY


def test_with_nobody_on_duty_the_urgent_task_goes_to_the_lead(intake, physician):
    save_red_flags(intake=intake, answers={"leg_weakness": True}, finished=False)
    assert TeamTask.objects.get().assignee == physician


def test_with_nobody_on_duty_and_no_lead_the_urgent_task_goes_to_every_clinician(intake):
    save_red_flags(intake=intake, answers={"bladder_bowel_control": True}, finished=False)
    task = TeamTask.objects.get()
    assert (task.assignee, task.assignee_role, task.priority) == (None, Role.CLINICIAN, TeamTask.Priority.URGENT)


def test_a_review_answer_creates_a_high_priority_task_for_the_lead_not_the_clinician_on_duty(intake, physician):
    on_duty_clinician()
    saved = save_red_flags(intake=intake, answers={**ALL_NO, "history_of_cancer": True}, finished=True)
    assert saved.assessment.level == redflags.REVIEW and not saved.new_emergency
    task = TeamTask.objects.get()
    assert (task.priority, task.assignee) == (TeamTask.Priority.HIGH, physician)


def test_a_review_task_with_no_lead_goes_to_every_clinician(intake):
    save_red_flags(intake=intake, answers={"injecting_drugs": True}, finished=False)
    task = TeamTask.objects.get()
    assert (task.assignee, task.assignee_role, task.priority) == (None, Role.CLINICIAN, TeamTask.Priority.HIGH)


def test_a_retry_or_a_second_submit_creates_no_second_flag_or_task(intake, physician):
    answers = {**ALL_NO, "leg_weakness": True, "saddle_numbness": True, "unexplained_weight_loss": True}
    first = save_red_flags(intake=intake, answers=answers, finished=True)
    second = save_red_flags(intake=intake, answers=answers, finished=True)
    assert len(first.new_flags) == 3 and second.new_flags == [] and not second.new_emergency
    assert RedFlag.objects.count() == 3
    assert sorted(TeamTask.objects.values_list("priority", flat=True)) == ["high", "urgent"]
    assert [t.pk for t in first.tasks] == [t.pk for t in second.tasks]


def test_a_task_exists_whenever_an_emergency_answer_is_stored(intake, physician):
    save_red_flags(intake=intake, answers={"leg_weakness": True}, finished=False)
    stored = fresh(intake)
    assert stored.red_flag_answers["leg_weakness"] is True
    assert TeamTask.objects.filter(source_key=f"intake:{intake.public_id}:red_flag:emergency").exists()


def test_if_the_task_cannot_be_created_the_answer_and_the_flag_are_not_stored_either(intake, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("task table unavailable")

    monkeypatch.setattr("clinic.safety_net.create_task", broken)
    with pytest.raises(RuntimeError):
        save_red_flags(intake=intake, answers={"saddle_numbness": True}, finished=True)
    stored = fresh(intake)
    assert stored.red_flag_answers == {} and stored.red_flag_level == ""
    assert not RedFlag.objects.exists()


def test_changing_yes_to_no_keeps_the_flag_for_a_clinician_to_review(intake, physician):
    save_red_flags(intake=intake, answers={**ALL_NO, "history_of_cancer": True}, finished=True)
    saved = save_red_flags(intake=intake, answers={"history_of_cancer": False}, finished=True)
    assert saved.assessment.level == redflags.NONE
    assert RedFlag.objects.filter(code="history_of_cancer").exists()
    assert TeamTask.objects.filter(status=TeamTask.Status.OPEN).count() == 1
    assert fresh(intake).red_flag_answers["history_of_cancer"] is False


def test_an_unanswered_item_keeps_its_earlier_answer(intake):
    save_red_flags(intake=intake, answers={"fever_with_back_pain": False}, finished=False)
    save_red_flags(intake=intake, answers={"fever_with_back_pain": None, "history_of_cancer": False}, finished=False)
    assert fresh(intake).red_flag_answers == {"fever_with_back_pain": False, "history_of_cancer": False}


def test_the_screen_counts_as_saved_only_when_every_item_is_answered(intake):
    save_red_flags(intake=intake, answers={"fever_with_back_pain": False}, finished=True)
    assert sections.SAFETY not in fresh(intake).sections_saved
    save_red_flags(intake=intake, answers=ALL_NO, finished=True)
    assert fresh(intake).sections_saved == [sections.SAFETY]


# --------------------------------------------------------------------------- submitting


def test_submitting_marks_it_sent_and_closes_the_link(intake):
    save_red_flags(intake=intake, answers=ALL_NO, finished=True)
    submission = submit_intake(intake=intake)
    assert submission.newly_submitted and submission.intake.submitted_at is not None
    assert PatientLink.objects.get(pk=intake.link_id).completed_at is not None


def test_submitting_twice_does_it_once(intake):
    save_section(intake=intake, code=sections.MOOD, values={"phq2_1": 1, "phq2_2": 1}, finished=True)
    first = submit_intake(intake=intake)
    second = submit_intake(intake=intake)
    assert not second.newly_submitted
    assert second.intake.submitted_at == first.intake.submitted_at
    assert [r.pk for r in second.responses] == [r.pk for r in first.responses]
    assert Response.objects.count() == 1


def test_phq2_and_gad2_become_scored_portal_responses_that_raise_alerts_like_any_other(intake, physician):
    save_section(
        intake=intake,
        code=sections.MOOD,
        values={"phq2_1": 3, "phq2_2": 2, "gad2_1": 2, "gad2_2": 2},
        finished=True,
    )
    submission = submit_intake(intake=intake)
    by_code = {r.instrument.code: r for r in submission.responses}
    assert set(by_code) == {"phq2", "gad2"}
    for code, total in (("phq2", 5), ("gad2", 4)):
        response = Response.objects.get(pk=by_code[code].pk)
        assert (response.source, response.total, response.positive, response.valid) == ("portal", total, True, True)
        assert Alert.objects.get(response=response).kind == Alert.Kind.POSITIVE_SCREEN
    assert fresh(intake).answers[intake_services.MEASURES_KEY] == {
        code: str(response.public_id) for code, response in by_code.items()
    }


def test_an_instrument_with_an_unanswered_item_is_not_recorded(intake):
    save_section(intake=intake, code=sections.MOOD, values={"phq2_1": 3, "phq2_2": None, "gad2_1": 0}, finished=True)
    submission = submit_intake(intake=intake)
    assert submission.responses == []
    assert not Response.objects.exists()


def test_needs_support_reads_red_flags_and_positive_screens(intake, physician):
    assert intake_services.needs_support(fresh(intake)) == (False, False)
    save_red_flags(intake=intake, answers={"history_of_cancer": True}, finished=False)
    assert intake_services.needs_support(fresh(intake)) == (False, True)
    save_red_flags(intake=intake, answers={"leg_weakness": True}, finished=False)
    assert intake_services.needs_support(fresh(intake)) == (True, True)


def test_needs_support_after_a_positive_phq2_alone(intake):
    save_section(intake=intake, code=sections.MOOD, values={"phq2_1": 2, "phq2_2": 2}, finished=True)
    submit_intake(intake=intake)
    assert intake_services.needs_support(fresh(intake)) == (False, True)
