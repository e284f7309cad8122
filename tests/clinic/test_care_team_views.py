"""The care-team page, /patients/<uuid>/care-team/, and its four changes: every member of the cast against
every URL, what the page shows, forms that keep what was typed, stale changes answered calmly, the
audit of every view and change, and what a change does to who can open the chart."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.care_team_services import add_member, end_lead, remove_member
from clinic.models import CareTeamChange, CareTeamMember
from clinic.roles import Discipline, Role
from clinic.services import team_lead
from portal.sessions import SESSION_KEY
from tests.factories import PatientFactory, StaffFactory
from tests.portal.journey import open_link

# Every test uses the database, some only through fixtures chosen by name at run time.
pytestmark = pytest.mark.django_db

ACTIONS = ["add", "remove", "lead", "end_lead"]


def page_url(patient):
    return reverse("care_team:page", args=[patient.public_id])


def action_url(patient, action):
    return reverse(f"care_team:{action}", args=[patient.public_id])


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def post_data(action, member, *, reason="Because the plan changed", replacing=""):
    """What each form posts (its fields carry the form's prefix)."""
    prefix = {"add": "add", "remove": "remove", "lead": "lead", "end_lead": "end"}[action]
    data = {f"{prefix}-member": str(member.pk) if member else "", f"{prefix}-reason": reason}
    if action == "lead":
        data["lead-replacing"] = replacing
    return data


def snapshot(patient):
    return sorted(CareTeamMember.objects.filter(patient=patient).values_list("member_id", "is_lead"))


@pytest.fixture
def team(patient, physician, psychologist):
    """The cast's patient with their team: the physician (lead) and the psychologist."""
    return patient


@pytest.fixture
def nurse(db):
    return StaffFactory(
        username="rn.mensah",
        first_name="Kofi",
        last_name="Mensah",
        credentials="RN",
        role=Role.CLINICIAN,
        discipline=Discipline.NURSE,
    )


def a_change_for(action, physician, outsider):
    """A change each action could make to the cast's team."""
    return {
        "add": post_data("add", outsider),
        "remove": post_data("remove", physician),
        "lead": post_data("lead", outsider, replacing=str(physician.pk)),
        "end_lead": post_data("end_lead", physician),
    }[action]


# --- Every role against every URL ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_see_the_page_with_its_forms(request, signed_in, who, team):
    response = signed_in(request.getfixturevalue(who)).get(page_url(team))
    assert response.status_code == 200
    page = response.content.decode()
    for form in ("care-team-add", "care-team-lead", "care-team-remove", "care-team-end-lead"):
        assert f'id="{form}"' in page
    assert "Read only" not in page


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
@pytest.mark.parametrize("action", ACTIONS)
def test_coordinators_and_admins_make_each_change(request, signed_in, who, action, team, physician, outsider):
    response = signed_in(request.getfixturevalue(who)).post(
        action_url(team, action), a_change_for(action, physician, outsider)
    )
    assert response.status_code == 302 and response["Location"] == page_url(team)
    assert CareTeamChange.objects.filter(patient=team).exists()


@pytest.mark.parametrize("who", ["physician", "psychologist"])
def test_clinicians_on_the_team_read_the_page_without_forms(request, signed_in, who, team):
    response = signed_in(request.getfixturevalue(who)).get(page_url(team))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Read only: care coordinators and clinic admins change the care team." in page
    assert not any(action_url(team, action) in page for action in ACTIONS)
    assert 'id="care-team-members"' in page and 'id="care-team-history"' in page


@pytest.mark.parametrize("who", ["physician", "psychologist"])
@pytest.mark.parametrize("action", ACTIONS)
def test_clinicians_on_the_team_cannot_change_it(request, signed_in, who, action, team, physician, outsider):
    before = snapshot(team)
    response = signed_in(request.getfixturevalue(who)).post(
        action_url(team, action), a_change_for(action, physician, outsider)
    )
    assert response.status_code == 403
    assert snapshot(team) == before
    assert not CareTeamChange.objects.exists()
    assert AuditEvent.objects.filter(patient=team, target="care team: change refused").count() == 1


@pytest.mark.parametrize("action", ["page", *ACTIONS])
def test_a_clinician_off_the_team_gets_404_and_changes_nothing(signed_in, action, team, physician, outsider):
    client = signed_in(outsider)
    if action == "page":
        response = client.get(page_url(team))
    else:
        response = client.post(action_url(team, action), a_change_for(action, physician, outsider))
    assert response.status_code == 404
    assert not CareTeamChange.objects.exists()
    assert not AuditEvent.objects.filter(patient=team).exclude(action=Action.REFUSED).exists()


def test_another_patients_lead_reads_their_page_and_gets_404_on_this_one(
    signed_in, team, other_team_lead, other_patient
):
    client = signed_in(other_team_lead)
    assert client.get(page_url(other_patient)).status_code == 200
    assert client.get(page_url(team)).status_code == 404
    response = client.post(action_url(team, "remove"), post_data("remove", team_lead(team), reason="Not mine"))
    assert response.status_code == 404
    assert not CareTeamChange.objects.exists()


@pytest.mark.parametrize("action", ["page", *ACTIONS])
def test_the_patient_and_anonymous_visitors_are_sent_to_sign_in(
    client, action, team, physician, outsider, patient_link
):
    _, token = patient_link
    open_link(client, token, follow=True)
    assert client.session.get(SESSION_KEY)  # the patient's own session
    for visitor in ("patient", "anonymous"):
        if visitor == "anonymous":
            client.logout()
        if action == "page":
            response = client.get(page_url(team))
        else:
            response = client.post(action_url(team, action), a_change_for(action, physician, outsider))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not CareTeamChange.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_the_change_urls_refuse_a_get(signed_in, coordinator, action, team):
    assert signed_in(coordinator).get(action_url(team, action)).status_code == 405


# --- What the page shows -----------------------------------------------------------------------------


def test_it_shows_each_member_with_discipline_and_the_lead_marked(signed_in, coordinator, team):
    page = signed_in(coordinator).get(page_url(team)).content.decode()
    members = page.split('id="care-team-members"', 1)[1].split("</section>", 1)[0]
    assert "Ada Okafor, MD" in members and "Physician" in members
    assert "Elin Lindqvist, PhD" in members and "Psychologist" in members
    lead_row = members.split("Ada Okafor, MD", 1)[1].split("</li>", 1)[0]
    assert "Lead clinician" in lead_row
    assert "Lead clinician" not in members.split("Elin Lindqvist, PhD", 1)[1].split("</li>", 1)[0]


def test_the_add_form_offers_active_clinicians_not_yet_on_the_team_with_their_discipline(
    signed_in, coordinator, team, outsider, nurse
):
    StaffFactory(username="rn.retired", first_name="Old", last_name="Hand", is_active=False, role=Role.CLINICIAN)
    response = signed_in(coordinator).get(page_url(team))
    offered = [label for value, label in response.context["forms"]["add"].fields["member"].choices if value]
    assert offered == ["Kofi Mensah, RN · Nurse", "Kenji Nakamura, DPT · Physical therapist"]


def test_it_shows_the_history_newest_first_with_who_when_what_and_why(signed_in, coordinator, team, physician):
    end_lead(patient=team, member=physician, by=coordinator, reason="On leave until March")
    remove_member(patient=team, member=physician, by=coordinator, reason="Left the clinic")
    page = signed_in(coordinator).get(page_url(team)).content.decode()
    table = page.split('id="care-team-history"', 1)[1]
    rows = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert ["Removed from the team" in rows[0], "No longer lead clinician" in rows[1]] == [True, True]
    assert "Left the clinic" in rows[0] and "Sam Reyes" in rows[0] and "Ada Okafor, MD" in rows[0]
    assert "<time datetime=" in rows[0]


def test_a_patient_without_a_lead_is_shown_as_waiting_for_one(signed_in, coordinator, db):
    newcomer = PatientFactory()
    page = signed_in(coordinator).get(page_url(newcomer)).content.decode()
    assert "No lead clinician yet." in page and "No care team yet." in page
    assert "Name the lead clinician" in page and 'id="care-team-end-lead"' not in page


def test_the_page_runs_the_same_queries_for_a_short_or_long_history(
    signed_in, coordinator, team, nurse, django_assert_max_num_queries
):
    client = signed_in(coordinator)
    client.get(page_url(team))
    with django_assert_max_num_queries(40) as short:
        client.get(page_url(team))
    for n in range(60):
        add_member(patient=team, member=nurse, by=coordinator, reason=f"Round {n}")
        remove_member(patient=team, member=nurse, by=coordinator, reason=f"Round {n}")
    with django_assert_max_num_queries(40) as long:
        response = client.get(page_url(team))
    assert len(response.context["history"]) == 50 and response.context["more_history"]
    assert "Showing the latest 50 changes." in response.content.decode()
    assert len(short) == len(long), [q["sql"][:90] for q in long.captured_queries]


# --- Audit -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin", "physician", "psychologist"])
def test_every_view_of_the_page_is_audited(request, signed_in, who, team):
    person = request.getfixturevalue(who)
    signed_in(person).get(page_url(team), REMOTE_ADDR="203.0.113.7")
    event = AuditEvent.objects.get(patient=team, action=Action.VIEW)
    assert (event.actor, event.target, event.path, event.ip) == (person, "care team", page_url(team), "203.0.113.7")


def test_a_change_is_audited_with_who_and_where_and_no_patient_data(signed_in, coordinator, team, outsider):
    signed_in(coordinator).post(action_url(team, "add"), post_data("add", outsider, reason="Walking plan"))
    event = AuditEvent.objects.get(patient=team, action=Action.UPDATE)
    assert (event.actor, event.target, event.path) == (coordinator, "care team: member added", action_url(team, "add"))
    assert team.family_name not in event.target and team.mrn not in event.target


# --- Who can open the chart after a change -----------------------------------------------------------


def test_a_newly_assigned_clinician_can_open_the_chart(signed_in, coordinator, team, outsider):
    assert signed_in(outsider).get(chart_url(team)).status_code == 404
    response = signed_in(coordinator).post(action_url(team, "add"), post_data("add", outsider), follow=True)
    assert "Kenji Nakamura, DPT is on the care team." in response.content.decode()
    assert signed_in(outsider).get(chart_url(team)).status_code == 200


def test_a_new_lead_from_the_worklist_can_open_the_chart(signed_in, coordinator, outsider, db):
    newcomer = PatientFactory()
    signed_in(coordinator).post(action_url(newcomer, "lead"), post_data("lead", outsider, reason=""))
    assert team_lead(newcomer) == outsider
    assert signed_in(outsider).get(chart_url(newcomer)).status_code == 200


def test_a_removed_clinician_gets_404(signed_in, coordinator, team, psychologist):
    assert signed_in(psychologist).get(chart_url(team)).status_code == 200
    signed_in(coordinator).post(action_url(team, "remove"), post_data("remove", psychologist, reason="Therapy ended"))
    client = signed_in(psychologist)
    assert client.get(chart_url(team)).status_code == 404
    assert client.get(page_url(team)).status_code == 404


# --- Forms: errors keep what was typed; stale changes are calm ---------------------------------------


def test_a_missing_reason_keeps_the_chosen_clinician_and_says_what_to_fix(signed_in, coordinator, team, outsider):
    response = signed_in(coordinator).post(action_url(team, "add"), post_data("add", outsider, reason=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please correct what is marked below; nothing was changed yet." in page
    assert "Say why." in page
    form = page.split('id="care-team-add"', 1)[1].split("</form>", 1)[0]
    assert f'<option value="{outsider.pk}" selected>' in form
    assert not CareTeamChange.objects.exists()


def test_a_reason_too_long_comes_back_with_the_text_typed(signed_in, coordinator, team, psychologist):
    reason = "Because " * 40
    response = signed_in(coordinator).post(action_url(team, "remove"), post_data("remove", psychologist, reason=reason))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The reason can be at most 300 characters" in page
    assert reason.strip() in page
    assert snapshot(team) == sorted([(psychologist.pk, False), (team_lead(team).pk, True)])


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999", "1\x00", "-1"])
def test_an_unreadable_choice_is_a_form_error_not_a_500(signed_in, coordinator, team, value):
    data = {"add-member": value, "add-reason": "Why not"}
    response = signed_in(coordinator).post(action_url(team, "add"), data)
    assert response.status_code == 400
    assert response.context["forms"]["add"].errors["member"]
    assert not CareTeamChange.objects.exists()


def test_choosing_someone_who_is_not_an_active_clinician_is_a_form_error(signed_in, coordinator, team, clinic_admin):
    response = signed_in(coordinator).post(action_url(team, "add"), post_data("add", clinic_admin))
    assert response.status_code == 400
    assert "only active clinicians join care teams" in response.content.decode()
    assert not CareTeamChange.objects.exists()


def test_removing_someone_a_colleague_already_removed_is_calm(signed_in, coordinator, clinic_admin, team, psychologist):
    remove_member(patient=team, member=psychologist, by=clinic_admin, reason="Therapy ended")
    response = signed_in(coordinator).post(
        action_url(team, "remove"), post_data("remove", psychologist, reason="Therapy ended"), follow=True
    )
    assert response.redirect_chain == [(page_url(team), 302)]
    assert "Elin Lindqvist, PhD is no longer on the care team. Nothing was changed." in response.content.decode()
    assert CareTeamChange.objects.filter(kind=CareTeamChange.Kind.REMOVED).count() == 1


def test_changing_a_lead_a_colleague_changed_meanwhile_is_calm(
    signed_in, coordinator, clinic_admin, team, physician, psychologist, nurse
):
    signed_in(clinic_admin).post(
        action_url(team, "lead"), post_data("lead", psychologist, reason="Mood first", replacing=str(physician.pk))
    )
    response = signed_in(coordinator).post(
        action_url(team, "lead"), post_data("lead", nurse, reason="Pacing", replacing=str(physician.pk)), follow=True
    )
    assert response.redirect_chain == [(page_url(team), 302)]
    assert "The lead clinician changed while you were looking" in response.content.decode()
    assert team_lead(team) == psychologist


def test_ending_a_lead_role_already_ended_is_calm(signed_in, coordinator, clinic_admin, team, physician):
    end_lead(patient=team, member=physician, by=clinic_admin, reason="Leave")
    response = signed_in(coordinator).post(
        action_url(team, "end_lead"), post_data("end_lead", physician, reason="Leave"), follow=True
    )
    assert response.status_code == 200
    assert "The patient has no lead now" in response.content.decode()
    assert CareTeamChange.objects.count() == 1


def test_making_a_new_lead_keeps_the_previous_one_on_the_team(signed_in, coordinator, team, physician, nurse):
    response = signed_in(coordinator).post(
        action_url(team, "lead"), post_data("lead", nurse, reason="Nurse-led pacing", replacing=str(physician.pk))
    )
    assert response.status_code == 302
    assert team_lead(team) == nurse
    assert CareTeamMember.objects.filter(patient=team, member=physician, is_lead=False).exists()


# --- The chart links to the page ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_the_chart_offers_change_care_team_to_those_who_may(request, signed_in, who, team):
    page = signed_in(request.getfixturevalue(who)).get(chart_url(team)).content.decode()
    assert f'<a href="{page_url(team)}">Change care team</a>' in page


@pytest.mark.parametrize("who", ["physician", "psychologist"])
def test_the_chart_offers_clinicians_the_history_only(request, signed_in, who, team):
    page = signed_in(request.getfixturevalue(who)).get(chart_url(team)).content.decode()
    assert "Change care team" not in page
    assert f'<a href="{page_url(team)}">Care team history</a>' in page
