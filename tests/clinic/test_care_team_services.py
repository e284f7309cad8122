"""Changing a care team (clinic/care_team_services.py): who may, who can be chosen, when a reason is
required, the history and audit each change leaves, stale changes refused calmly, and one lead only,
even when two coordinators change the lead at the same moment."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from audit.models import Action, AuditEvent
from clinic import care_team_services
from clinic.access.staff import may_manage_care_team
from clinic.care_team_services import (
    BadReason,
    NotAnActiveClinician,
    ReasonRequired,
    StaleChange,
    add_member,
    end_lead,
    make_lead,
    remove_member,
)
from clinic.models import CareTeamChange, CareTeamMember
from clinic.roles import Discipline, Role
from clinic.services import team_lead
from tests.factories import PatientFactory, StaffFactory

# Every test uses the database (some only through fixtures chosen at run time): the mark keeps pytest-django
# from ordering them after the transactional tests below.
pytestmark = pytest.mark.django_db

Kind = CareTeamChange.Kind


def clinician(username, discipline=Discipline.NURSE, **fields):
    return StaffFactory(username=username, role=Role.CLINICIAN, discipline=discipline, **fields)


def history(patient) -> list[tuple[str, str, str, str]]:
    """(kind, member, by, reason), oldest first."""
    rows = CareTeamChange.objects.filter(patient=patient).order_by("at", "id").select_related("member", "by")
    return [(row.kind, row.member.username, row.by.username if row.by else "", row.reason) for row in rows]


def team(patient) -> dict[str, bool]:
    """{username: is_lead}."""
    return {
        m.member.username: m.is_lead for m in CareTeamMember.objects.filter(patient=patient).select_related("member")
    }


def care_team_events(patient) -> list[str]:
    return list(
        AuditEvent.objects.filter(patient=patient, action=Action.UPDATE).order_by("id").values_list("target", flat=True)
    )


@pytest.fixture
def new_patient(db):
    """Registered, with no care team yet."""
    return PatientFactory(given_name="Lucía", family_name="Fernández", mrn="200345")


# --- Who may change a care team ----------------------------------------------------------------------


def test_coordinators_clinic_admins_and_superusers_may_manage_care_teams(coordinator, clinic_admin, physician):
    superuser = StaffFactory(username="root", role=Role.CLINICIAN, is_superuser=True)
    assert may_manage_care_team(coordinator) and may_manage_care_team(clinic_admin) and may_manage_care_team(superuser)
    assert not may_manage_care_team(physician)
    coordinator.is_active = False
    assert not may_manage_care_team(coordinator)


@pytest.mark.parametrize("who", ["physician", "psychologist", "outsider"])
def test_clinicians_cannot_change_a_care_team_even_through_the_service(request, who, patient, new_patient, outsider):
    by = request.getfixturevalue(who)
    for change in (
        lambda: add_member(patient=new_patient, member=outsider, by=by),
        lambda: make_lead(patient=new_patient, member=outsider, by=by),
        lambda: remove_member(patient=patient, member=by, by=by, reason="Leaving"),
        lambda: end_lead(patient=patient, member=by, by=by, reason="Leaving"),
    ):
        with pytest.raises(PermissionDenied):
            change()
    assert not CareTeamChange.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_a_clinic_admin_changes_a_care_team_like_a_coordinator(clinic_admin, new_patient, outsider):
    make_lead(patient=new_patient, member=outsider, by=clinic_admin)
    assert team(new_patient) == {"pt.nakamura": True}


# --- Who can be on a team ------------------------------------------------------------------------------


def test_only_active_clinicians_join_a_team_or_lead_it(coordinator, clinic_admin, new_patient):
    retired = clinician("rn.gone", is_active=False)
    for person in (retired, clinic_admin, coordinator):
        with pytest.raises(NotAnActiveClinician):
            add_member(patient=new_patient, member=person, by=coordinator)
        with pytest.raises(NotAnActiveClinician):
            make_lead(patient=new_patient, member=person, by=coordinator)
    assert team(new_patient) == {}
    assert not CareTeamChange.objects.exists()


# --- Adding and removing -------------------------------------------------------------------------------


def test_the_first_member_joins_without_a_reason_and_the_change_is_kept_and_audited(coordinator, new_patient, outsider):
    add_member(patient=new_patient, member=outsider, by=coordinator)
    assert team(new_patient) == {"pt.nakamura": False}
    assert history(new_patient) == [(Kind.ADDED, "pt.nakamura", "coord.reyes", "")]
    event = AuditEvent.objects.get(patient=new_patient, action=Action.UPDATE)
    assert (event.actor, event.target) == (coordinator, "care team: member added")
    assert "Lucía" not in event.target and "200345" not in event.target


def test_joining_a_team_that_has_members_needs_a_reason(coordinator, patient, physician, outsider):
    with pytest.raises(ReasonRequired):
        add_member(patient=patient, member=outsider, by=coordinator, reason="   ")
    assert "pt.nakamura" not in team(patient)
    add_member(patient=patient, member=outsider, by=coordinator, reason="Graded activity for walking")
    assert history(patient) == [(Kind.ADDED, "pt.nakamura", "coord.reyes", "Graded activity for walking")]


def test_adding_someone_already_on_the_team_changes_nothing(coordinator, patient, physician, psychologist):
    with pytest.raises(StaleChange, match="already on the care team"):
        add_member(patient=patient, member=psychologist, by=coordinator, reason="Again")
    assert not CareTeamChange.objects.exists()


def test_removing_a_member_needs_a_reason_and_is_kept(coordinator, patient, physician, psychologist):
    with pytest.raises(ReasonRequired):
        remove_member(patient=patient, member=psychologist, by=coordinator, reason="")
    remove_member(patient=patient, member=psychologist, by=coordinator, reason="Therapy finished")
    assert team(patient) == {"dr.okafor": True}
    assert history(patient) == [(Kind.REMOVED, "dr.lindqvist", "coord.reyes", "Therapy finished")]
    assert care_team_events(patient) == ["care team: member removed"]


def test_removing_the_lead_ends_their_lead_role_too(coordinator, patient, physician, psychologist):
    remove_member(patient=patient, member=physician, by=coordinator, reason="Moved to another clinic")
    assert team(patient) == {"dr.lindqvist": False}
    assert team_lead(patient) is None
    assert history(patient) == [
        (Kind.LEAD_ENDED, "dr.okafor", "coord.reyes", "Moved to another clinic"),
        (Kind.REMOVED, "dr.okafor", "coord.reyes", "Moved to another clinic"),
    ]


def test_removing_someone_no_longer_on_the_team_is_a_calm_refusal(coordinator, patient, physician, outsider):
    with pytest.raises(StaleChange, match="no longer on the care team"):
        remove_member(patient=patient, member=outsider, by=coordinator, reason="Done")
    assert not CareTeamChange.objects.exists()


def test_a_reason_longer_than_the_history_keeps_is_refused(coordinator, patient, physician, outsider):
    with pytest.raises(BadReason):
        add_member(patient=patient, member=outsider, by=coordinator, reason="x" * 301)
    assert "pt.nakamura" not in team(patient)


# --- The lead --------------------------------------------------------------------------------------------


def test_the_first_lead_of_an_empty_team_joins_and_leads_without_a_reason(coordinator, new_patient, outsider):
    make_lead(patient=new_patient, member=outsider, by=coordinator)
    assert team(new_patient) == {"pt.nakamura": True}
    assert team_lead(new_patient) == outsider
    assert history(new_patient) == [
        (Kind.ADDED, "pt.nakamura", "coord.reyes", ""),
        (Kind.MADE_LEAD, "pt.nakamura", "coord.reyes", ""),
    ]
    assert care_team_events(new_patient) == ["care team: lead clinician changed"]


def test_changing_the_lead_needs_a_reason_and_the_previous_lead_stays_on_the_team(
    coordinator, patient, physician, psychologist
):
    with pytest.raises(ReasonRequired):
        make_lead(patient=patient, member=psychologist, by=coordinator)
    assert team_lead(patient) == physician
    make_lead(patient=patient, member=psychologist, by=coordinator, reason="Pain is mostly mood now")
    assert team(patient) == {"dr.okafor": False, "dr.lindqvist": True}
    assert history(patient) == [
        (Kind.LEAD_ENDED, "dr.okafor", "coord.reyes", "Pain is mostly mood now"),
        (Kind.MADE_LEAD, "dr.lindqvist", "coord.reyes", "Pain is mostly mood now"),
    ]


def test_making_someone_off_the_team_lead_adds_them_first(coordinator, patient, physician, outsider):
    make_lead(patient=patient, member=outsider, by=coordinator, reason="Rehab-led plan")
    assert team(patient) == {"dr.okafor": False, "pt.nakamura": True}
    assert [kind for kind, *_ in history(patient)] == [Kind.LEAD_ENDED, Kind.ADDED, Kind.MADE_LEAD]


def test_making_the_lead_lead_again_changes_nothing(coordinator, patient, physician):
    with pytest.raises(StaleChange, match="already the lead"):
        make_lead(patient=patient, member=physician, by=coordinator, reason="Again")
    assert not CareTeamChange.objects.exists()


def test_a_lead_changed_since_the_page_was_read_is_not_replaced_unseen(coordinator, patient, physician, psychologist):
    outsider_lead = clinician("np.sato", Discipline.NURSE_PRACTITIONER, first_name="Mei", last_name="Sato")
    make_lead(patient=patient, member=outsider_lead, by=coordinator, reason="Covering")
    with pytest.raises(StaleChange, match="changed while you were looking: Mei Sato is the lead clinician now"):
        make_lead(patient=patient, member=psychologist, by=coordinator, reason="Mood", replacing=physician)
    assert team_lead(patient) == outsider_lead


def test_ending_the_lead_role_needs_a_reason_and_keeps_them_on_the_team(coordinator, patient, physician):
    with pytest.raises(ReasonRequired):
        end_lead(patient=patient, member=physician, by=coordinator, reason="")
    end_lead(patient=patient, member=physician, by=coordinator, reason="On leave for a year")
    assert team(patient) == {"dr.okafor": False}
    assert team_lead(patient) is None
    assert history(patient) == [(Kind.LEAD_ENDED, "dr.okafor", "coord.reyes", "On leave for a year")]
    assert care_team_events(patient) == ["care team: lead clinician ended"]


def test_ending_a_lead_role_someone_no_longer_has_is_a_calm_refusal(coordinator, patient, physician, psychologist):
    with pytest.raises(StaleChange, match="Ada Okafor, MD is the lead clinician now"):
        end_lead(patient=patient, member=psychologist, by=coordinator, reason="Not them")
    end_lead(patient=patient, member=physician, by=coordinator, reason="Leave")
    with pytest.raises(StaleChange, match="no lead now"):
        end_lead(patient=patient, member=physician, by=coordinator, reason="Leave")
    assert len(history(patient)) == 1


def test_a_refused_change_writes_no_history_and_no_audit(coordinator, patient, physician, psychologist):
    with pytest.raises(ReasonRequired):
        make_lead(patient=patient, member=psychologist, by=coordinator)
    assert not CareTeamChange.objects.exists()
    assert not AuditEvent.objects.exists()


# --- One lead, whatever the timing -----------------------------------------------------------------------


def at_once(*calls):
    """Run the calls in threads (each with its own database connection) released together; each call's
    result or exception, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # the test inspects what each call raised
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def slow_reads(monkeypatch):
    """Hold each change for a moment after it has read the team, so two changes overlap: without the
    lock on the patient's row both would read the same team and both write a lead."""
    read_team = care_team_services._lock_team

    def read_then_wait(*args, **kwargs):
        found = read_team(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(care_team_services, "_lock_team", read_then_wait)


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_naming_a_lead_at_once_leave_one_lead_and_tell_the_second(
    coordinator, clinic_admin, new_patient, outsider, slow_reads
):
    other = clinician("np.sato", Discipline.NURSE_PRACTITIONER)
    results = at_once(
        lambda: make_lead(patient=new_patient, member=outsider, by=coordinator, reason="First", replacing=None),
        lambda: make_lead(patient=new_patient, member=other, by=clinic_admin, reason="Second", replacing=None),
    )
    assert sorted(type(result).__name__ for result in results) == ["CareTeamMember", "StaleChange"]
    assert CareTeamMember.objects.filter(patient=new_patient, is_lead=True).count() == 1
    assert [kind for kind, *_ in history(new_patient)] == [Kind.ADDED, Kind.MADE_LEAD]


@pytest.mark.django_db(transaction=True)
def test_two_lead_changes_at_once_take_turns_and_leave_one_lead(
    coordinator, clinic_admin, patient, physician, outsider, slow_reads
):
    other = clinician("np.sato", Discipline.NURSE_PRACTITIONER)
    results = at_once(
        lambda: make_lead(patient=patient, member=outsider, by=coordinator, reason="Rehab-led"),
        lambda: make_lead(patient=patient, member=other, by=clinic_admin, reason="Medication review"),
    )
    assert all(isinstance(result, CareTeamMember) for result in results), results
    leads = CareTeamMember.objects.filter(patient=patient, is_lead=True)
    assert leads.count() == 1
    kinds = [kind for kind, *_ in history(patient)]
    assert kinds.count(Kind.MADE_LEAD) == 2 and kinds.count(Kind.LEAD_ENDED) == 2  # each change ended the one before
    assert history(patient)[-1][:2] == (Kind.MADE_LEAD, leads.get().member.username)


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_adding_the_same_clinician_at_once_add_them_once(
    coordinator, clinic_admin, new_patient, outsider, slow_reads
):
    results = at_once(
        lambda: add_member(patient=new_patient, member=outsider, by=coordinator),
        lambda: add_member(patient=new_patient, member=outsider, by=clinic_admin),
    )
    assert sorted(type(result).__name__ for result in results) == ["CareTeamMember", "StaleChange"]
    assert team(new_patient) == {"pt.nakamura": False}
    assert [kind for kind, *_ in history(new_patient)] == [Kind.ADDED]
