"""The team's services check permission themselves (clinic/access/), whoever calls them: called directly (as a
Celery task, a command or a future page would) by someone who may not, they raise ``Refused`` and write nothing,
neither a row nor an audit event; the person who may still succeeds. An outsider here is a clinician on no care
team of the patient and with no open task about them. The app's own work (the safety net routing an urgent task
to the clinician on duty) has no person to check and is never refused."""

import datetime
from contextlib import contextmanager

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from clinic import conferences
from clinic.access import Refused
from clinic.access.alerts import CLINICIANS_REVIEW
from clinic.access.referrals import WRITERS_ONLY
from clinic.access.tasks import ACKNOWLEDGERS_ONLY, PATIENTS_WORKERS_ONLY, WORKERS_ONLY
from clinic.models import (
    CaseConference,
    ConferenceItem,
    EscalationFlag,
    OutboxMessage,
    Referral,
    ReferralEvent,
    TeamMessage,
    TeamTask,
    TeamTaskEvent,
)
from clinic.referral_services import create_referral, take_referral_step, update_referral
from clinic.roles import Discipline, Role
from clinic.safety_net import AckAction, acknowledge_task, acknowledge_tasks, raise_routed_task
from clinic.services import create_task
from clinic.team_services import (
    UrgentNeedsAcknowledgement,
    hand_on_task,
    mark_task_done,
    post_team_message,
    reopen_task,
    review_flag,
)
from tests.factories import PatientFactory, StaffFactory, put_on_duty, referral_in_state

pytestmark = pytest.mark.django_db

WATCHED = (
    Referral,
    ReferralEvent,
    TeamTask,
    TeamTaskEvent,
    TeamMessage,
    CaseConference,
    ConferenceItem,
    OutboxMessage,
    AuditEvent,
)
REFUSED_TO = ["outsider", "clinic_admin"]
DETAILS = {"service": "physical_therapy", "receiving_provider": "Harbourview Physical Therapy", "reason": "Graded"}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WATCHED}


@contextmanager
def refused_writing_nothing(why: str):
    """The call inside raises Refused with ``why`` and no row of any watched table (audit events included) is
    added or removed."""
    before = row_counts()
    with pytest.raises(Refused) as refusal:
        yield
    assert str(refusal.value) == why
    assert row_counts() == before


def person(request, who: str):
    return request.getfixturevalue(who)


# --- Referrals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", REFUSED_TO)
def test_writing_a_referral_is_refused_to_outsiders_and_admins(request, patient, physician, who):
    with refused_writing_nothing(WRITERS_ONLY):
        create_referral(patient=patient, by=person(request, who), details=DETAILS)


@pytest.mark.parametrize("who", ["physician", "coordinator"])
def test_team_clinicians_and_coordinators_write_referrals(request, patient, physician, who):
    user = person(request, who)
    referral = create_referral(patient=patient, by=user, details=DETAILS)
    assert (referral.patient, referral.created_by, referral.events.get().by) == (patient, user, user)


@pytest.mark.parametrize("who", REFUSED_TO)
def test_changing_or_moving_a_referral_on_is_refused_to_outsiders_and_admins(request, patient, physician, who):
    user = person(request, who)
    referral = referral_in_state("sent", patient=patient, by=physician)
    version = referral.version
    with refused_writing_nothing(WRITERS_ONLY):
        update_referral(referral=referral, by=user, details={"reason": "Changed"}, expected_version=version)
    with refused_writing_nothing(WRITERS_ONLY):
        take_referral_step(
            referral=referral, action="acknowledge", by=user, expected_version=version, on=timezone.localdate()
        )
    referral.refresh_from_db()
    assert (referral.state, referral.version) == ("sent", version)
    assert referral.reason == "Graded activity for chronic low back pain"


def test_a_coordinator_changes_a_referral_and_moves_it_on(patient, physician, coordinator):
    referral = referral_in_state("sent", patient=patient, by=physician)
    assert update_referral(
        referral=referral, by=coordinator, details={"reason": "Changed"}, expected_version=referral.version
    ) == ["reason"]
    take_referral_step(
        referral=referral, action="acknowledge", by=coordinator, expected_version=referral.version,
        on=timezone.localdate(),
    )  # fmt: skip
    referral.refresh_from_db()
    assert (referral.state, referral.reason, referral.state_changed_by) == ("acknowledged", "Changed", coordinator)


# --- Giving a task -----------------------------------------------------------------------------------


def give(by, patient, assignee, key="given:1", **extra):
    return create_task(
        title="Book the follow-up", source=TeamTask.Source.OTHER, source_key=key, patient=patient, assignee=assignee,
        by=by, **extra,
    )  # fmt: skip


@pytest.mark.parametrize("who", REFUSED_TO)
def test_giving_a_task_about_a_patient_is_refused_to_outsiders_and_admins(request, patient, physician, who):
    with refused_writing_nothing(PATIENTS_WORKERS_ONLY):
        give(person(request, who), patient, physician)


def test_an_admin_may_not_give_a_task_about_nobody_either(clinic_admin, coordinator):
    with refused_writing_nothing(PATIENTS_WORKERS_ONLY):
        give(clinic_admin, None, coordinator)


@pytest.mark.parametrize("who", ["psychologist", "coordinator"])
def test_the_team_and_coordinators_give_tasks_about_the_patient(request, patient, physician, who):
    user = person(request, who)
    task = give(user, patient, physician)
    assert (task.assignee, task.events.get().by) == (physician, user)


@pytest.fixture
def duty_clinician(db):
    return put_on_duty(StaffFactory(username="np.duty", role=Role.CLINICIAN, discipline=Discipline.NURSE_PRACTITIONER))


@pytest.fixture
def urgent_task(duty_clinician):
    """The safety net's own urgent task: a patient with no lead, so it goes to the clinician on duty (on no team)."""
    return raise_routed_task(
        title="Intake red flag: contact the patient now", source=TeamTask.Source.ALERT, source_key="urgent:1",
        patient=PatientFactory(given_name="Nora", family_name="Newcomer"), priority=TeamTask.Priority.URGENT,
    )  # fmt: skip


def test_the_safety_nets_urgent_task_for_the_clinician_on_duty_is_never_refused(urgent_task, duty_clinician):
    assert (urgent_task.assignee, urgent_task.is_open) == (duty_clinician, True)
    assert urgent_task.escalate_at is not None
    assert OutboxMessage.objects.filter(staff=duty_clinician).exists()


# --- Working on a task --------------------------------------------------------------------------------


@pytest.fixture
def task(patient, physician):
    return create_task(
        title="Call the pharmacy", source=TeamTask.Source.OTHER, source_key="work:1", patient=patient,
        assignee=physician,
    )  # fmt: skip


def events(task, kind) -> int:
    return TeamTaskEvent.objects.filter(task=task, kind=kind).count()


@pytest.mark.parametrize("who", REFUSED_TO)
def test_marking_a_task_done_is_refused_to_outsiders_and_admins(request, task, who):
    with refused_writing_nothing(WORKERS_ONLY):
        mark_task_done(task=task, by=person(request, who), note="Done.")
    task.refresh_from_db()
    assert (task.status, task.done_by) == (TeamTask.Status.OPEN, None)


def test_the_assignee_marks_it_done_and_it_is_audited(task, physician):
    assert mark_task_done(task=task, by=physician, note="Called.") is True
    task.refresh_from_db()
    assert (task.status, task.done_by) == (TeamTask.Status.DONE, physician)
    assert AuditEvent.objects.filter(actor=physician, patient=task.patient, target="team task done").count() == 1


@pytest.mark.parametrize("who", REFUSED_TO)
def test_reopening_a_task_is_refused_to_outsiders_and_admins(request, task, physician, who):
    task.mark_done(by=physician)
    with refused_writing_nothing(WORKERS_ONLY):
        reopen_task(task=task, by=person(request, who), note="Not done after all.")
    task.refresh_from_db()
    assert task.status == TeamTask.Status.DONE


def test_a_coordinator_reopens_a_closed_task(task, physician, coordinator):
    task.mark_done(by=physician)
    assert reopen_task(task=task, by=coordinator, note="The pharmacy did not answer.") is True
    task.refresh_from_db()
    assert task.status == TeamTask.Status.OPEN
    assert AuditEvent.objects.filter(actor=coordinator, target="team task reopened").count() == 1


@pytest.mark.parametrize("who", REFUSED_TO)
def test_handing_a_task_on_is_refused_to_outsiders_and_admins(request, task, physician, psychologist, who):
    with refused_writing_nothing(WORKERS_ONLY):
        hand_on_task(task=task, by=person(request, who), to=psychologist, note="Yours.")
    task.refresh_from_db()
    assert task.assignee == physician


def test_a_coordinator_hands_an_urgent_task_on_and_the_new_person_is_told(urgent_task, coordinator, physician):
    told_before = OutboxMessage.objects.filter(staff=physician).count()
    assert hand_on_task(task=urgent_task, by=coordinator, to=physician, note="Covering.") is True
    urgent_task.refresh_from_db()
    assert urgent_task.assignee == physician
    assert OutboxMessage.objects.filter(staff=physician).count() == told_before + 1
    assert AuditEvent.objects.filter(actor=coordinator, target="team task reassigned").count() == 1


def test_an_open_urgent_task_is_not_closed_by_marking_it_done(urgent_task, duty_clinician):
    with pytest.raises(UrgentNeedsAcknowledgement):
        mark_task_done(task=urgent_task, by=duty_clinician)
    urgent_task.refresh_from_db()
    assert urgent_task.is_open


# --- Acknowledging urgent work ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "coordinator", "clinic_admin"])
def test_acknowledging_urgent_work_is_refused_to_all_but_a_clinician_who_may_see_the_patient(request, urgent_task, who):
    escalates_at = urgent_task.escalate_at
    with refused_writing_nothing(ACKNOWLEDGERS_ONLY):
        acknowledge_task(task=urgent_task, by=person(request, who), action=AckAction.REACHED, note="Phoned.")
    urgent_task.refresh_from_db()
    assert (urgent_task.is_open, urgent_task.acknowledged_by, urgent_task.escalate_at) == (True, None, escalates_at)


def test_the_clinician_on_duty_acknowledges_the_task_that_gave_them_the_patient(urgent_task, duty_clinician):
    assert acknowledge_task(task=urgent_task, by=duty_clinician, action=AckAction.REACHED, note="Phoned.") is True
    urgent_task.refresh_from_db()
    assert (urgent_task.status, urgent_task.acknowledged_by, urgent_task.escalate_at) == ("done", duty_clinician, None)


def test_acknowledging_several_tasks_closes_none_when_one_is_not_theirs(urgent_task, patient, physician):
    theirs = raise_routed_task(
        title="Urgent", source=TeamTask.Source.ALERT, source_key="urgent:2", patient=patient,
        priority=TeamTask.Priority.URGENT,
    )  # fmt: skip
    both = TeamTask.objects.filter(pk__in=[urgent_task.pk, theirs.pk])
    with refused_writing_nothing(ACKNOWLEDGERS_ONLY):
        acknowledge_tasks(tasks=both, by=physician, action=AckAction.REACHED, note="Phoned.")
    assert TeamTask.objects.filter(pk__in=[urgent_task.pk, theirs.pk], status=TeamTask.Status.OPEN).count() == 2


@pytest.mark.parametrize("count", [1, 6])
def test_acknowledging_tasks_checks_them_all_in_a_constant_number_of_queries(
    patient, physician, count, django_assert_num_queries
):
    tasks = [
        raise_routed_task(
            title="Urgent", source=TeamTask.Source.ALERT, source_key=f"urgent:n{n}", patient=patient,
            priority=TeamTask.Priority.URGENT,
        )
        for n in range(count)
    ]  # fmt: skip
    chosen = TeamTask.objects.filter(pk__in=[task.pk for task in tasks])
    with django_assert_num_queries(6):  # lock, who may see the patients, close, history...: the same for 1 or 6
        assert acknowledge_tasks(tasks=chosen, by=physician, action=AckAction.REACHED, note="Phoned.") == count


# --- Team messages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", REFUSED_TO)
def test_posting_a_team_message_is_refused_to_outsiders_and_admins(request, patient, physician, who):
    with refused_writing_nothing(PATIENTS_WORKERS_ONLY):
        post_team_message(patient=patient, author=person(request, who), body="A note", mentions=[physician])


def test_a_coordinator_posts_a_team_message_and_the_mention_becomes_a_task(patient, physician, coordinator):
    message = post_team_message(patient=patient, author=coordinator, body="Call her back", mentions=[physician])
    assert list(message.mentions.all()) == [physician]
    assert TeamTask.objects.get(source=TeamTask.Source.MENTION).assignee == physician


# --- The early warning -----------------------------------------------------------------------------------------


@pytest.fixture
def open_flag(patient):
    return EscalationFlag.objects.create(patient=patient, facts=["PEG has not improved"])


@pytest.mark.parametrize("who", ["outsider", "coordinator", "clinic_admin"])
def test_reviewing_the_early_warning_is_refused_to_all_but_the_teams_clinicians(request, open_flag, physician, who):
    with refused_writing_nothing(CLINICIANS_REVIEW):
        review_flag(flag=open_flag, by=person(request, who), note="Seen.")
    open_flag.refresh_from_db()
    assert open_flag.is_open


def test_a_team_clinician_reviews_the_early_warning_and_it_is_audited(open_flag, physician):
    assert review_flag(flag=open_flag, by=physician, note="Pause new referrals.") is True
    open_flag.refresh_from_db()
    assert (open_flag.reviewed_by, open_flag.review_note) == (physician, "Pause new referrals.")
    assert AuditEvent.objects.filter(actor=physician, target="early warning reviewed").count() == 1


# --- Case conferences ------------------------------------------------------------------------------------------


@pytest.fixture
def conference(coordinator):
    when = timezone.now() + datetime.timedelta(days=3)
    return conferences.schedule_conference(title="May review", scheduled_for=when, attendees=[], by=coordinator)


@pytest.fixture
def item(conference, patient, coordinator):
    return conferences.add_to_agenda(conference=conference, patient=patient, reason="added", by=coordinator)[0]


def test_planning_a_conference_is_refused_to_admins(clinic_admin):
    when = timezone.now() + datetime.timedelta(days=3)
    with refused_writing_nothing(WORKERS_ONLY):
        conferences.schedule_conference(title="June", scheduled_for=when, attendees=[], by=clinic_admin)


@pytest.mark.parametrize("who", REFUSED_TO)
def test_putting_a_patient_on_the_agenda_is_refused_to_outsiders_and_admins(request, conference, patient, who):
    with refused_writing_nothing(PATIENTS_WORKERS_ONLY):
        conferences.add_to_agenda(conference=conference, patient=patient, reason="added", by=person(request, who))


@pytest.mark.parametrize("who", REFUSED_TO)
def test_recording_the_discussion_or_a_decision_is_refused_to_outsiders_and_admins(request, item, physician, who):
    user = person(request, who)
    with refused_writing_nothing(PATIENTS_WORKERS_ONLY):
        conferences.record_discussion(item=item, discussion="Flat.", decisions="Group CBT.", by=user)
    with refused_writing_nothing(PATIENTS_WORKERS_ONLY):
        conferences.decision_task(
            item=item, title="Book CBT", assignee=physician, assignee_role="", due_on=timezone.localdate(),
            priority=TeamTask.Priority.NORMAL, by=user,
        )  # fmt: skip
    item.refresh_from_db()
    assert (item.discussion, item.discussed_by) == ("", None)


def test_a_coordinator_records_the_discussion_but_does_not_review_the_flag(item, open_flag, coordinator):
    with refused_writing_nothing(CLINICIANS_REVIEW):
        conferences.record_discussion(item=item, discussion="Flat.", decisions="", by=coordinator, review_flag=True)
    item.refresh_from_db()
    open_flag.refresh_from_db()
    assert (item.discussion, open_flag.is_open) == ("", True)
    conferences.record_discussion(item=item, discussion="Flat.", decisions="", by=coordinator)
    item.refresh_from_db()
    assert item.discussed_by == coordinator


def test_a_team_clinician_records_the_discussion_and_reviews_the_flag(item, open_flag, physician):
    reviewed = conferences.record_discussion(
        item=item, discussion="Flat.", decisions="Group CBT.", by=physician, review_flag=True
    )
    assert reviewed == open_flag
    open_flag.refresh_from_db()
    assert open_flag.reviewed_by == physician
