"""The worklists (clinic/worklists.py, /worklist/): what each role sees, urgent tasks first and never
filtered away, filters and sorting, clinicians limited to their patients, admins read only, one audit
event per page, and the same number of queries for one row or many."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clinic.care_team_services import make_lead
from clinic.models import EscalationFlag, Referral
from clinic.roles import Role
from clinic.services import create_task
from clinic.worklists import TaskFilters, clinician_worklist, coordinator_worklist, tasks_for
from measures.models import Invitation
from patients.models import Encounter
from tests.factories import CareTeamMemberFactory, PatientFactory, StaffFactory
from tests.measures.responses import phq9

URL = reverse("team:worklist")


def task(title, *, priority="normal", assignee=None, role="", patient=None, days=0, source="other"):
    return create_task(
        title=title,
        source=source,
        source_key=title,
        patient=patient,
        assignee=assignee,
        assignee_role=role,
        priority=priority,
        due_on=timezone.localdate() + timedelta(days=days),
    )


def titles(section) -> list[str]:
    return [row.title for row in section.rows]


def referral(patient, state, **stamps):
    return Referral.objects.create(
        patient=patient, service="physical_therapy", reason="Back pain", state=state, **stamps
    )


def draft_note(patient, author, *, days_ago=0):
    return Encounter.objects.create(
        patient=patient,
        author=author,
        discipline=author.discipline,
        occurred_on=timezone.localdate() - timedelta(days=days_ago),
    )


# --- What each role sees -------------------------------------------------------------------------


def test_a_clinician_sees_urgent_tasks_first_then_their_sections(physician, psychologist, patient, other_patient):
    phq9(patient, 1, item9=1)  # an urgent alert and an urgent task for the lead
    task("Call back", assignee=physician, patient=patient)
    task("Any clinician on this team", role=Role.CLINICIAN, patient=patient)
    task("Any clinician, another team", role=Role.CLINICIAN, patient=other_patient)
    task("Any clinician, no patient", role=Role.CLINICIAN)
    task("For the psychologist", assignee=psychologist, patient=patient)
    draft_note(patient, physician, days_ago=2)
    draft_note(patient, psychologist)
    EscalationFlag.objects.create(patient=patient, facts=["PEG has not improved over the last 6 months (6.3 → 6.7)"])
    EscalationFlag.objects.create(patient=other_patient, facts=["Another team's patient"])
    worklist = clinician_worklist(physician)
    assert titles(worklist.urgent) == ["PHQ-9 item 9 answered above 0: contact the patient today"]
    assert [s.key for s in worklist.sections] == ["urgent_alerts", "mine", "unsigned_notes", "not_improving"]
    assert [a.patient for a in worklist.section("urgent_alerts").rows] == [patient]
    assert set(titles(worklist.section("mine"))) == {
        "Call back",
        "Any clinician on this team",
        "Any clinician, no patient",
    }
    assert [n.author_id for n in worklist.section("unsigned_notes").rows] == [physician.pk]
    assert [f.patient for f in worklist.section("not_improving").rows] == [patient]


def test_a_coordinator_sees_tasks_referrals_caps_and_patients_not_reached(coordinator, physician, patient):
    now = timezone.now()
    task("Mine", assignee=coordinator, patient=patient)
    task("Any coordinator", role=Role.COORDINATOR, patient=patient)
    task("Any clinician, nobody took it", role=Role.CLINICIAN, patient=patient)
    task("The physician's", assignee=physician, patient=patient)
    referral(patient, "sent", sent_at=now - timedelta(days=12))  # not acknowledged after 5 business days
    referral(patient, "sent", sent_at=now - timedelta(hours=2))  # on time
    referral(patient, "scheduled", appointment_on=timezone.localdate() - timedelta(days=1))  # attendance missing
    referral(patient, "attended", attended_at=now - timedelta(days=20))  # report missing after 14 days
    referral(patient, "attended", attended_at=now - timedelta(days=3))
    referral(patient, "scheduled", visits_authorised=6, visits_used=6, appointment_on=timezone.localdate())
    referral(patient, "closed", visits_authorised=6, visits_used=6)  # closed: no longer a worry
    Invitation.objects.create(patient=patient, due_on=timezone.localdate() - timedelta(days=5), not_reached_at=now)
    Invitation.objects.create(
        patient=patient, due_on=timezone.localdate() - timedelta(days=40), not_reached_at=now, completed_at=now
    )
    worklist = coordinator_worklist(coordinator)
    assert titles(worklist.section("mine")) == ["Mine"]
    assert set(titles(worklist.section("unassigned"))) == {"Any coordinator", "Any clinician, nobody took it"}
    late = worklist.section("late_referrals").rows
    assert sorted(r.overdue_stage for r in late) == ["appointment", "report", "unacknowledged"]
    assert [(r.visits_used, r.visits_authorised) for r in worklist.section("visit_caps").rows] == [(6, 6)]
    assert len(worklist.section("not_reached").rows) == 1


def test_the_page_shows_each_section_and_the_rows(signed_in, coordinator, patient):
    task("Book the PT visit", assignee=coordinator, patient=patient)
    referral(patient, "sent", sent_at=timezone.now() - timedelta(days=12))
    page = signed_in(coordinator).get(URL).content.decode()
    for section in ("worklist-urgent", "worklist-mine", "worklist-unassigned", "worklist-late_referrals"):
        assert f'id="{section}"' in page
    assert "Book the PT visit" in page and "Not acknowledged within 5 business days" in page
    assert page.index('id="worklist-urgent"') < page.index('id="worklist-mine"')


def test_urgent_tasks_stay_on_top_whatever_the_filters(signed_in, physician, patient):
    task("Urgent one", priority="urgent", assignee=physician, patient=patient, days=5, source="alert")
    task("High referral", priority="high", assignee=physician, patient=patient, source="referral")
    response = signed_in(physician).get(URL, {"source": "referral", "priority": "high", "due": "today"})
    worklist = response.context["worklist"]
    assert titles(worklist.urgent) == ["Urgent one"]
    assert titles(worklist.section("mine")) == ["High referral"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (TaskFilters(), ["High today", "Normal overdue", "Normal this week", "Normal next month"]),
        (TaskFilters(sort="due"), ["Normal overdue", "High today", "Normal this week", "Normal next month"]),
        (TaskFilters(priority="normal"), ["Normal overdue", "Normal this week", "Normal next month"]),
        (TaskFilters(source="referral"), ["Normal this week"]),
        (TaskFilters(due="overdue"), ["Normal overdue"]),
        (TaskFilters(due="today"), ["High today", "Normal overdue"]),
        (TaskFilters(due="week"), ["High today", "Normal overdue", "Normal this week"]),
    ],
)
def test_filters_and_sorting(physician, filters, expected):
    task("Normal overdue", assignee=physician, days=-2)
    task("High today", priority="high", assignee=physician)
    task("Normal this week", assignee=physician, days=5, source="referral")
    task("Normal next month", assignee=physician, days=30)
    assert titles(clinician_worklist(physician, filters=filters).section("mine")) == expected


@pytest.mark.parametrize(
    "query",
    [{"priority": "urgent"}, {"source": "nope"}, {"due": "\x00"}, {"sort": "-id"}, {"priority": ["a", "b"]}],
)
def test_unreadable_filters_fall_back_to_everything(signed_in, physician, query):
    task("Still listed", assignee=physician)
    response = signed_in(physician).get(URL, query)
    assert response.status_code == 200
    assert titles(response.context["worklist"].section("mine")) == ["Still listed"]


def test_the_filter_form_answers_htmx_with_the_sections_only(signed_in, physician):
    response = signed_in(physician).get(URL, {"due": "overdue"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="worklist-sections"')
    assert "<html" not in page


def test_a_filter_change_skips_the_warnings_only_the_full_page_shows(
    signed_in, coordinator, patient, django_assert_max_num_queries
):
    """The rota's gaps and the held messages are shown above the sections: an htmx filter change, which swaps the
    sections alone, does not count them. Three queries fewer: those two and the navigation's count of open tasks
    (the page's frame)."""
    from clinic.models import OutboxMessage

    OutboxMessage.objects.create(channel="email", to_address="x@example.org", body="Hi", state="held")
    client = signed_in(coordinator)
    client.get(URL)
    with django_assert_max_num_queries(16) as full:
        page = client.get(URL, {"due": "overdue"}).content.decode()
    assert "held after a restore" in page and "Gap in tomorrow's rota" in page
    with django_assert_max_num_queries(13) as sections:
        client.get(URL, {"due": "overdue"}, headers={"HX-Request": "true"})
    assert len(sections) == len(full) - 3

    def warnings(queries) -> list[str]:
        return [q["sql"] for q in queries.captured_queries if "dutyshift" in q["sql"] or "outboxmessage" in q["sql"]]

    assert len(warnings(full)) == 2
    assert warnings(sections) == []


# --- Needs a care team -----------------------------------------------------------------------------


def waiting(worklist) -> list[str]:
    return [patient.mrn for patient in worklist.section("needs_care_team").rows]


def test_patients_without_a_lead_wait_for_a_care_team_newest_first(coordinator, physician, patient):
    now = timezone.now()
    PatientFactory(mrn="300001", created_at=now - timedelta(days=3))
    PatientFactory(mrn="300002", created_at=now - timedelta(hours=1))
    team_but_no_lead = PatientFactory(mrn="300003", created_at=now - timedelta(days=1))
    CareTeamMemberFactory(patient=team_but_no_lead, member=physician)
    lead_gone = PatientFactory(mrn="300004", created_at=now - timedelta(days=2))
    CareTeamMemberFactory(patient=lead_gone, member=StaffFactory(is_active=False), is_lead=True)
    rows = coordinator_worklist(coordinator).section("needs_care_team").rows
    assert [row.mrn for row in rows] == ["300002", "300003", "300004", "300001"]  # the cast's patient has a lead
    assert [row.has_team for row in rows] == [False, True, True, False]


def test_a_patient_leaves_the_section_once_given_a_lead(coordinator, db):
    newcomer = PatientFactory(mrn="300001")
    assert waiting(coordinator_worklist(coordinator)) == ["300001"]
    make_lead(patient=newcomer, member=StaffFactory(role=Role.CLINICIAN), by=coordinator)
    assert waiting(coordinator_worklist(coordinator)) == []


def test_the_section_links_each_patient_to_their_care_team_page(signed_in, coordinator, db):
    newcomer = PatientFactory(mrn="300001", given_name="Lucía", family_name="Fernández")
    page = signed_in(coordinator).get(URL).content.decode()
    section = page.split('id="worklist-needs_care_team"', 1)[1].split("</section>", 1)[0]
    assert "Needs a care team" in section
    assert f'<a href="{reverse("care_team:page", args=[newcomer.public_id])}">Lucía Fernández</a>' in section
    assert "No care team yet: no clinician can open the chart" in section


def test_the_section_says_so_when_every_patient_has_a_lead(signed_in, coordinator, physician):
    page = signed_in(coordinator).get(URL).content.decode()
    assert "Every patient has a lead clinician." in page


def test_clinicians_have_no_care_team_section(physician, db):
    PatientFactory()
    assert "needs_care_team" not in [section.key for section in clinician_worklist(physician).sections]


# --- Access ----------------------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_clinician_sees_nothing_of_other_teams(outsider, patient):
    phq9(patient, 1, item9=1)
    task("Any clinician, their patient", role=Role.CLINICIAN, patient=patient)
    draft_note(patient, CareTeamMemberFactory(patient=patient).member)
    EscalationFlag.objects.create(patient=patient, facts=["x"])
    worklist = clinician_worklist(outsider)
    assert worklist.urgent.rows == []
    assert all(section.rows == [] for section in worklist.sections)


def test_clinic_admins_see_the_coordinator_worklist_read_only(signed_in, clinic_admin, patient):
    task("Any coordinator", role=Role.COORDINATOR, patient=patient)
    response = signed_in(clinic_admin).get(URL)
    assert response.context["worklist"].kind == "coordinator"
    assert response.context["may_act"] is False
    assert "read only" in response.content.decode()


def test_one_audit_event_per_page_without_a_patient(signed_in, physician, patient):
    task("A", assignee=physician, patient=patient)
    signed_in(physician).get(URL)
    event = AuditEvent.objects.get(target="worklist: clinician")
    assert event.patient is None and event.actor == physician


# --- The top bar counts what the worklist shows ---------------------------------------------------


def test_the_top_bar_counts_the_urgent_tasks_of_the_worklist(signed_in, physician, coordinator, patient, other_patient):
    task("Mine, urgent", priority="urgent", assignee=physician, patient=patient)
    task("Team, urgent", priority="urgent", role=Role.CLINICIAN, patient=patient)
    task("Other team, urgent", priority="urgent", role=Role.CLINICIAN, patient=other_patient)
    assert tasks_for(physician).urgent().count() == 2
    page = signed_in(physician).get(URL).content.decode()
    assert '<span class="urgent-number">2</span> urgent tasks' in page
    assert len(signed_in(physician).get(URL).context["worklist"].urgent.rows) == 2
    # A coordinator routes every urgent task nobody has taken.
    assert '<span class="urgent-number">2</span> urgent tasks' in signed_in(coordinator).get(URL).content.decode()


# --- Constant queries --------------------------------------------------------------------------------


def fill_clinician(physician, count):
    for n in range(count):
        other = PatientFactory()
        CareTeamMemberFactory(patient=other, member=physician, is_lead=True)
        phq9(other, 1, item9=1)
        task(f"Task {n}", assignee=physician, patient=other, days=n - 3)
        task(f"Role task {n}", role=Role.CLINICIAN, patient=other)
        draft_note(other, physician)
        EscalationFlag.objects.create(patient=other, facts=["PEG has not improved"])


def fill_coordinator(coordinator, count):
    now = timezone.now()
    for n in range(count):
        other = PatientFactory()
        task(f"Task {n}", assignee=coordinator, patient=other)
        task(f"Urgent {n}", priority="urgent", role=Role.COORDINATOR, patient=other)
        task(f"Role {n}", role=Role.CLINICIAN, patient=other)
        referral(other, "sent", sent_at=now - timedelta(days=12))
        referral(other, "scheduled", appointment_on=timezone.localdate() - timedelta(days=2))
        referral(other, "attended", attended_at=now - timedelta(days=20), visits_authorised=1, visits_used=1)
        Invitation.objects.create(patient=other, due_on=timezone.localdate() - timedelta(days=6), not_reached_at=now)


@pytest.mark.parametrize(
    ("who", "fill"),
    [("physician", fill_clinician), ("coordinator", fill_coordinator)],
    ids=["clinician", "coordinator"],
)
def test_the_worklist_runs_the_same_queries_for_one_row_or_many(
    request, signed_in, patient, who, fill, django_assert_max_num_queries
):
    person = request.getfixturevalue(who)
    fill(person, 1)
    client = signed_in(person)
    client.get(URL)
    with django_assert_max_num_queries(16) as one:
        client.get(URL)
    fill(person, 30)
    with django_assert_max_num_queries(16) as many:
        response = client.get(URL)
    assert all(len(section.rows) == 25 and section.more for section in response.context["worklist"].sections)
    assert len(one) == len(many), [q["sql"][:90] for q in many.captured_queries]
