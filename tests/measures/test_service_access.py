"""The questionnaire services check permission themselves (clinic/access/schedules.py, alerts.py), whoever calls
them: called directly by someone who may not, they raise ``Refused`` and write nothing, neither a row nor an
audit event; the person who may still succeeds. An outsider is a clinician on no care team of the patient and
with no open task about them. A patient's own answers (portal) have no member of staff to check: their alerts
and urgent tasks are raised whoever the patient's clinicians are."""

import datetime
from contextlib import contextmanager

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from clinic.access import Refused
from clinic.access.alerts import CLINICIANS_ACKNOWLEDGE
from clinic.access.schedules import ENTRY_ONLY, SCHEDULE_CHANGERS_ONLY
from clinic.models import TeamTask, TeamTaskEvent
from clinic.roles import Discipline, Role
from measures.entry import record_in_clinic
from measures.models import Alert, MeasurementSchedule, Response
from measures.scheduling import set_schedule_active, start_default_schedule, update_schedule
from measures.services import acknowledge_alert, latest_instrument
from tests.factories import PatientFactory, StaffFactory, put_on_duty
from tests.measures.responses import phq9

pytestmark = pytest.mark.django_db

WATCHED = (MeasurementSchedule, Response, Alert, TeamTask, TeamTaskEvent, AuditEvent)
NOT_CHANGERS = ["outsider", "coordinator", "clinic_admin"]
PHQ9_WITH_ITEM_9 = {f"phq9_{n}": 1 for n in range(1, 9)} | {"phq9_9": 1, "phq9_difficulty": 1}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WATCHED}


@contextmanager
def refused_writing_nothing(why: str):
    before = row_counts()
    with pytest.raises(Refused) as refusal:
        yield
    assert str(refusal.value) == why
    assert row_counts() == before


def today() -> datetime.date:
    return timezone.localdate()


# --- Schedules -----------------------------------------------------------------------------------


@pytest.fixture
def peg_schedule(patient, physician):
    start_default_schedule(patient=patient, start_on=today())
    return MeasurementSchedule.objects.get(patient=patient, instrument_code="peg")


def unchanged(schedule: MeasurementSchedule) -> tuple:
    return schedule.every_days, schedule.next_due_on, schedule.active, schedule.updated_by_id


@pytest.mark.parametrize("who", NOT_CHANGERS)
def test_changing_or_pausing_a_schedule_is_refused_to_all_but_the_teams_clinicians(request, peg_schedule, who):
    user = request.getfixturevalue(who)
    before = unchanged(peg_schedule)
    later = today() + datetime.timedelta(days=3)
    with refused_writing_nothing(SCHEDULE_CHANGERS_ONLY):
        update_schedule(schedule=peg_schedule, every_days=21, next_due_on=later, active=True, by=user)
    with refused_writing_nothing(SCHEDULE_CHANGERS_ONLY):
        set_schedule_active(schedule=peg_schedule, active=False, by=user, today=today())
    peg_schedule.refresh_from_db()
    assert unchanged(peg_schedule) == before


@pytest.mark.parametrize("who", NOT_CHANGERS)
def test_starting_the_protocol_is_refused_to_all_but_the_teams_clinicians(request, patient, physician, who):
    with refused_writing_nothing(SCHEDULE_CHANGERS_ONLY):
        start_default_schedule(patient=patient, start_on=today(), by=request.getfixturevalue(who))
    assert not MeasurementSchedule.objects.filter(patient=patient).exists()


def test_a_team_clinician_changes_pauses_and_starts_schedules(patient, physician, psychologist):
    schedules = start_default_schedule(patient=patient, start_on=today(), by=physician)
    assert {schedule.updated_by for schedule in schedules} == {physician}
    peg = next(schedule for schedule in schedules if schedule.instrument_code == "peg")
    later = today() + datetime.timedelta(days=3)
    changed = update_schedule(schedule=peg, every_days=21, next_due_on=later, active=True, by=psychologist)
    assert (changed.every_days, changed.next_due_on, changed.updated_by) == (21, later, psychologist)
    assert set_schedule_active(schedule=peg, active=False, by=physician, today=today()).active is False


def test_the_apps_own_start_of_the_protocol_has_no_person_to_refuse(patient):
    assert len(start_default_schedule(patient=patient, start_on=today())) == 5


# --- Entering answers in clinic ------------------------------------------------------------------------


def enter(patient, by, source=Response.Source.ON_BEHALF, answers=None):
    return record_in_clinic(
        patient=patient,
        instrument=latest_instrument("phq9"),
        answers=answers or {f"phq9_{n}": 1 for n in range(1, 10)},
        source=source,
        by=by,
    )


@pytest.mark.parametrize("source", [Response.Source.ON_BEHALF, Response.Source.KIOSK])
@pytest.mark.parametrize("who", ["outsider", "clinic_admin"])
def test_entering_answers_in_clinic_is_refused_to_outsiders_and_admins(request, patient, physician, who, source):
    with refused_writing_nothing(ENTRY_ONLY):
        enter(patient, request.getfixturevalue(who), source=source, answers=PHQ9_WITH_ITEM_9)


@pytest.mark.parametrize("who", ["physician", "coordinator"])
def test_the_team_and_coordinators_enter_answers_on_the_patients_behalf(request, patient, physician, who):
    user = request.getfixturevalue(who)
    submission = enter(patient, user)
    assert (submission.response.source, submission.response.entered_by) == (Response.Source.ON_BEHALF, user)
    assert submission.response.completed_at is not None


def test_on_a_clinic_tablet_the_patient_typed_the_answers_so_nobody_is_kept_as_having_entered_them(
    patient, coordinator
):
    submission = enter(patient, coordinator, source=Response.Source.KIOSK)
    assert (submission.response.source, submission.response.entered_by) == (Response.Source.KIOSK, None)


# --- Acknowledging an alert ---------------------------------------------------------------------------------


@pytest.fixture
def safety_alert(patient, physician):
    return phq9(patient, 1, item9=2).alerts[0]


@pytest.mark.parametrize("who", NOT_CHANGERS)
def test_acknowledging_an_alert_is_refused_to_all_but_the_teams_clinicians(request, safety_alert, who):
    with refused_writing_nothing(CLINICIANS_ACKNOWLEDGE):
        acknowledge_alert(alert=safety_alert, by=request.getfixturevalue(who), note="Phoned.", action="reached")
    safety_alert.refresh_from_db()
    assert (safety_alert.acknowledged_at, safety_alert.task.status) == (None, TeamTask.Status.OPEN)


def test_a_team_clinician_acknowledges_the_alert_and_its_task_closes(safety_alert, psychologist):
    acknowledge_alert(alert=safety_alert, by=psychologist, note="Phoned.", action="reached")
    safety_alert.refresh_from_db()
    assert safety_alert.acknowledged_by == psychologist
    assert (safety_alert.task.status, safety_alert.task.acknowledged_by) == (TeamTask.Status.DONE, psychologist)


# --- The patient's own answers ------------------------------------------------------------------------------


def test_a_patients_own_answer_raises_the_urgent_task_for_the_clinician_on_duty(db):
    """No lead and nobody of the care team: the portal answer's alert goes to the clinician on duty, who is on no
    team, and nothing is refused."""
    on_duty = put_on_duty(
        StaffFactory(username="np.duty", role=Role.CLINICIAN, discipline=Discipline.NURSE_PRACTITIONER)
    )
    submission = phq9(PatientFactory(), 1, item9=1)
    task = submission.alerts[0].task
    assert (task.assignee, task.priority, task.is_open) == (on_duty, TeamTask.Priority.URGENT, True)
    acknowledge_alert(alert=submission.alerts[0], by=on_duty, note="Phoned.", action="reached")
    task.refresh_from_db()
    assert task.acknowledged_by == on_duty
