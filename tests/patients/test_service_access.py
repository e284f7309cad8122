"""The patients app's services check who asks themselves (clinic/access/), whatever page or task calls them.

Each service is called directly, with the patient as a task or a command would hand it over (not reached
through ``get_patient_for_user``): everyone the rule leaves out gets ``Refused`` and nothing is written (no row
changed, no audit event); the person the rule allows succeeds. Services the patient calls through a portal
link (intake sections, the red-flag screen, submitting) take no staff member and are not here.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from clinic.access import Refused
from clinic.models import CareTeamMember, OutboxMessage, TeamTask
from clinic.roles import Discipline, Role
from patients.encounters import NotTheAuthor
from patients.intake_services import send_intake_link
from patients.models import (
    Addendum,
    ComplexityRating,
    Encounter,
    Intake,
    PainClassification,
    Patient,
    Problem,
    PsychotherapyNote,
    RedFlag,
)
from patients.problem_services import (
    acknowledge_red_flag,
    add_problem,
    change_problem,
    classify_pain,
    rate_complexity,
    record_exam_red_flag,
)
from patients.services import register_patient, update_patient_details
from patients.visit_services import (
    add_addendum,
    save_visit_draft,
    sign_visit,
    start_visit,
    write_psychotherapy_note,
)
from portal.models import PatientLink
from tests.factories import CareTeamMemberFactory, EncounterFactory, ProblemFactory, StaffFactory

#: Every table these services write, audit included: a refused call leaves each exactly as it was.
WATCHED = [
    Patient,
    CareTeamMember,
    Encounter,
    Addendum,
    PsychotherapyNote,
    Problem,
    PainClassification,
    ComplexityRating,
    RedFlag,
    TeamTask,
    Intake,
    PatientLink,
    OutboxMessage,
    AuditEvent,
]


def everything() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


@dataclass
class World:
    """What the services act on: the patient as a task would hand it over, and their records."""

    patient: Patient
    draft: Encounter
    signed: Encounter
    problem: Problem
    red_flag: RedFlag


@pytest.fixture
def world(patient, physician, psychologist):
    draft = EncounterFactory(patient=patient, author=physician)
    signed = EncounterFactory(patient=patient, author=physician)
    signed.sign(by=physician, based_on_version=signed.version)
    red_flag = RedFlag.objects.create(patient=patient, code="saddle_numbness", level="emergency", source="intake")
    fresh = Patient.objects.get(pk=patient.pk)  # no proof of access on it: each service asks the database
    return World(patient=fresh, draft=draft, signed=signed, problem=ProblemFactory(patient=patient), red_flag=red_flag)


@pytest.fixture
def outside_psychologist(db):
    """A psychologist on no care team."""
    return StaffFactory(username="dr.outside", role=Role.CLINICIAN, discipline=Discipline.PSYCHOLOGIST)


# --------------------------------------------------------------------------- the calls


def start(w: World, by):
    return start_visit(patient=w.patient, by=by, occurred_on=timezone.localdate(), kind="follow_up", plan="Pacing")


def save_draft(w: World, by):
    return save_visit_draft(encounter=w.draft, by=by, based_on_version=w.draft.version, assessment="Changed")


def sign(w: World, by):
    return sign_visit(encounter=w.draft, by=by, based_on_version=w.draft.version)


def addendum(w: World, by):
    return add_addendum(encounter=w.signed, by=by, text="Later: the patient phoned.")


def psychotherapy(w: World, by):
    return write_psychotherapy_note(patient=w.patient, by=by, occurred_on=timezone.localdate(), text="In confidence")


def problem_added(w: World, by):
    return add_problem(patient=w.patient, by=by, domain="sleep", title="Wakes at 3am")


def problem_changed(w: World, by):
    return change_problem(problem=w.problem, by=by, seen_updated_at=w.problem.updated_at, status="resolved")


def classified(w: World, by):
    return classify_pain(patient=w.patient, by=by, pain_type="neuropathic", main_condition="low_back_pain")


def rated(w: World, by):
    return rate_complexity(patient=w.patient, by=by, level="complex", reason="Function declining")


def exam_flag(w: World, by):
    return record_exam_red_flag(patient=w.patient, by=by, code="ankle_weakness")


def acknowledged(w: World, by):
    return acknowledge_red_flag(red_flag=w.red_flag, by=by, note="Phoned: seen in the emergency department.")


def registered(w: World, by):
    return register_patient(
        by=by, mrn="100555", given_name="Noor", family_name="Haddad", date_of_birth=datetime.date(1970, 3, 1)
    )


def details_changed(w: World, by):
    return update_patient_details(patient=w.patient, by=by, pronouns="they/them")


def link_sent(w: World, by):
    return send_intake_link(patient=w.patient, by=by)


CHARTING = [start, addendum, problem_added, problem_changed, classified, rated, exam_flag, acknowledged]
AUTHOR_ONLY = [save_draft, sign]
REGISTRY = [registered, details_changed]

#: (the call, who is refused, who succeeds)
RULES = [
    *[(call, ["outsider", "coordinator", "clinic_admin"], "psychologist") for call in CHARTING],
    *[(call, ["outsider", "coordinator", "clinic_admin"], "physician") for call in AUTHOR_ONLY],
    (psychotherapy, ["outsider", "coordinator", "clinic_admin", "physician", "outside_psychologist"], "psychologist"),
    *[(call, ["outsider", "physician"], "coordinator") for call in REGISTRY],
    *[(call, ["outsider", "physician"], "clinic_admin") for call in REGISTRY],
    (link_sent, ["outsider", "physician", "clinic_admin"], "coordinator"),
]
REFUSALS = [pytest.param(call, who, id=f"{call.__name__}-{who}") for call, refused, _ in RULES for who in refused]
SUCCESSES = [pytest.param(call, who, id=f"{call.__name__}-{who}") for call, _, who in RULES]


@pytest.mark.parametrize(("call", "who"), REFUSALS)
def test_the_service_refuses_and_writes_nothing(request, world, call, who):
    person = request.getfixturevalue(who)
    before = everything()

    with pytest.raises(Refused):
        call(world, person)

    assert everything() == before


@pytest.mark.parametrize(("call", "who"), SUCCESSES)
def test_the_person_the_rule_allows_succeeds(request, world, call, who):
    person = request.getfixturevalue(who)
    before = everything()

    assert call(world, person)

    assert everything() != before


# --------------------------------------------------------------------------- visit notes: the author and the team


@pytest.mark.parametrize("call", AUTHOR_ONLY)
def test_a_colleague_who_may_chart_is_told_only_the_author_changes_a_draft(world, psychologist, call):
    """What the edit and sign pages show a colleague (NotTheAuthor, as before), not a 403."""
    before = everything()

    with pytest.raises(NotTheAuthor):
        call(world, psychologist)

    assert everything() == before


@pytest.mark.parametrize("call", AUTHOR_ONLY)
def test_the_author_who_left_the_care_team_may_no_longer_change_their_draft(world, physician, call):
    CareTeamMember.objects.filter(member=physician).delete()
    before = everything()

    with pytest.raises(Refused):
        call(world, physician)

    assert everything() == before


def test_a_clinician_with_an_open_task_about_the_patient_may_chart(world, outsider):
    """The on-duty clinician sent an urgent task about a patient with no lead: their access counts."""
    from clinic.services import create_task

    create_task(title="Urgent alert", source="alert", source_key="t:1", patient=world.patient, assignee=outsider)

    assert problem_added(world, outsider).created_by == outsider


def test_an_inactive_psychologist_is_refused_psychotherapy_notes(world, psychologist):
    psychologist.is_active = False

    with pytest.raises(Refused, match="Only psychologists write and read psychotherapy notes"):
        psychotherapy(world, psychologist)
    assert not PsychotherapyNote.objects.exists()


def test_a_psychologist_on_the_team_of_another_patient_is_refused_this_one(world, other_patient):
    theirs = StaffFactory(username="dr.other.psych", role=Role.CLINICIAN, discipline=Discipline.PSYCHOLOGIST)
    CareTeamMemberFactory(patient=other_patient, member=theirs)

    with pytest.raises(Refused):
        psychotherapy(world, theirs)
    note = write_psychotherapy_note(patient=other_patient, by=theirs, occurred_on=timezone.localdate(), text="Theirs")
    assert note.patient == other_patient
