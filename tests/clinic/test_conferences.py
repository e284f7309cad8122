"""Case conferences: planning, candidates (complex, early warning), the agenda, the per-patient summary,
discussion and decisions (tasks, reviewing the flag); who may do what; audit; constant queries."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic import conferences
from clinic.models import CaseConference, ConferenceItem, EscalationFlag, Referral, TeamTask
from clinic.roles import Role
from patients.models import Complexity, Problem
from tests.factories import CareTeamMemberFactory, PatientFactory
from tests.measures.responses import peg

NEW = reverse("team:conference_new")
LIST = reverse("team:conferences")


@pytest.fixture
def conference(coordinator):
    return conferences.schedule_conference(
        title="May case conference",
        scheduled_for=timezone.now() + datetime.timedelta(days=3),
        attendees=[coordinator],
        by=coordinator,
    )


def detail(conference):
    return reverse("team:conference", args=[conference.public_id])


def item_url(conference, patient, name="team:conference_item"):
    return reverse(name, args=[conference.public_id, patient.public_id])


def flag(patient, facts=("PEG has not improved over the last 6 months (6.3 → 6.7)", "4 new specialist referrals")):
    return EscalationFlag.objects.create(patient=patient, facts=list(facts))


def on_agenda(conference, patient, by, reason=ConferenceItem.Reason.ADDED):
    return conferences.add_to_agenda(conference=conference, patient=patient, reason=reason, by=by)[0]


# --- Planning and reading --------------------------------------------------------------------------


def test_a_coordinator_plans_a_conference_with_attendees(signed_in, coordinator, physician, psychologist):
    client = signed_in(coordinator)
    assert client.get(NEW).status_code == 200
    when = (timezone.localtime() + datetime.timedelta(days=7)).replace(second=0, microsecond=0)
    response = client.post(
        NEW,
        {"title": "June review", "scheduled_for": when.strftime("%Y-%m-%dT%H:%M"), "attendees": [physician.pk]},
    )
    conference = CaseConference.objects.get()
    assert response["Location"] == detail(conference)
    assert (conference.title, conference.scheduled_for, conference.created_by) == ("June review", when, coordinator)
    assert list(conference.attendees.all()) == [physician]
    listing = client.get(LIST).content.decode()
    assert "June review" in listing.split('id="upcoming-heading"')[1].split('id="past-heading"')[0]


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "scheduled_for": "2026-05-01T10:00"},
        {"title": "x", "scheduled_for": "tomorrow"},
        {"title": "x", "scheduled_for": "1900-01-01T10:00"},
        {"title": "x\x00", "scheduled_for": "2026-05-01T10:00"},
        {"title": "x", "scheduled_for": "2026-05-01T10:00", "attendees": ["999999"]},
    ],
)
def test_a_bad_plan_is_refused_and_keeps_what_was_typed(signed_in, coordinator, data):
    response = signed_in(coordinator).post(NEW, data)
    assert response.status_code == 400
    assert not CaseConference.objects.exists()


def test_clinicians_plan_too_but_admins_only_read(signed_in, physician, clinic_admin, conference):
    assert signed_in(physician).get(NEW).status_code == 200
    client = signed_in(clinic_admin)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"title": "x", "scheduled_for": "2026-05-01T10:00"}).status_code == 403
    assert client.get(LIST).status_code == 200
    page = client.get(detail(conference)).content.decode()
    assert "May case conference" in page and "Add to the agenda" not in page
    assert client.post(reverse("team:conference_held", args=[conference.public_id])).status_code == 403


def test_an_unknown_conference_is_404(signed_in, coordinator):
    assert signed_in(coordinator).get(reverse("team:conference", args=[uuid.uuid4()])).status_code == 404


def test_marking_held_moves_it_to_earlier(signed_in, coordinator, conference):
    client = signed_in(coordinator)
    client.post(reverse("team:conference_held", args=[conference.public_id]))
    conference.refresh_from_db()
    assert conference.status == CaseConference.Status.HELD
    listing = client.get(LIST).content.decode()
    assert "May case conference" in listing.split('id="past-heading"')[1]


# --- Candidates and the agenda ---------------------------------------------------------------------


def test_candidates_are_flagged_patients_first_then_complex_ones_not_yet_on_the_agenda(
    coordinator, conference, patient, other_patient
):
    patient.complexity = Complexity.COMPLEX
    patient.save()
    flagged = PatientFactory()
    flag(flagged)
    already = PatientFactory(complexity=Complexity.COMPLEX)
    on_agenda(conference, already, coordinator)
    candidates, more = conferences.candidates_for(conference, coordinator)
    assert [(c.patient, c.reason) for c in candidates] == [
        (flagged, ConferenceItem.Reason.ESCALATION),
        (patient, ConferenceItem.Reason.COMPLEX),
    ]
    assert candidates[0].detail.startswith("PEG has not improved")
    assert more is False


def test_a_clinician_sees_only_candidates_and_agenda_items_of_their_patients(
    signed_in, physician, coordinator, conference, patient, other_patient
):
    other_patient.complexity = Complexity.COMPLEX
    other_patient.save()
    flag(patient)
    on_agenda(conference, other_patient, coordinator)
    candidates, _ = conferences.candidates_for(conference, physician)
    assert [c.patient for c in candidates] == [patient]
    page = signed_in(physician).get(detail(conference)).content.decode()
    assert other_patient.full_name not in page
    assert "1 more patient on this agenda is not on your care teams." in page
    assert signed_in(physician).get(item_url(conference, other_patient)).status_code == 404


def test_adding_a_candidate_puts_it_on_the_agenda_once(signed_in, coordinator, conference, patient):
    flag(patient)
    client = signed_in(coordinator)
    data = {"patient": patient.public_id, "reason": "escalation"}
    response = client.post(reverse("team:conference_add", args=[conference.public_id]), data)
    assert response["Location"] == detail(conference)
    client.post(reverse("team:conference_add", args=[conference.public_id]), data)
    item = ConferenceItem.objects.get()
    assert (item.patient, item.reason, item.added_by, item.position) == (patient, "escalation", coordinator, 0)
    event = AuditEvent.objects.get(target="case conference agenda: added")
    assert (event.patient, event.action) == (patient, Action.UPDATE)


def test_any_patient_the_person_may_see_can_be_added_by_mrn(signed_in, physician, conference, patient, other_patient):
    client = signed_in(physician)
    add = reverse("team:conference_add", args=[conference.public_id])
    response = client.post(add, {"mrn": patient.mrn, "reason_detail": "Sleep getting worse"})
    assert response.status_code == 302
    item = ConferenceItem.objects.get()
    assert (item.reason, item.reason_detail) == (ConferenceItem.Reason.ADDED, "Sleep getting worse")
    # Another team's patient reads exactly like an unknown MRN: nothing is revealed.
    for mrn in (other_patient.mrn, "999999"):
        refused = client.post(add, {"mrn": mrn})
        assert refused.status_code == 400
        assert "No patient with this MRN that you may see" in refused.content.decode()
    assert ConferenceItem.objects.count() == 1


@pytest.mark.parametrize("data", [{"patient": "not-a-uuid", "reason": "complex"}, {"reason": "complex"}])
def test_a_forged_candidate_is_404(signed_in, coordinator, conference, data):
    assert (
        signed_in(coordinator).post(reverse("team:conference_add", args=[conference.public_id]), data).status_code
        == 404
    )


def test_a_candidate_of_another_team_cannot_be_added_by_a_clinician(signed_in, physician, conference, other_patient):
    data = {"patient": other_patient.public_id, "reason": "complex"}
    response = signed_in(physician).post(reverse("team:conference_add", args=[conference.public_id]), data)
    assert response.status_code == 404
    assert not ConferenceItem.objects.exists()


def test_the_conference_page_audits_each_patient_shown(signed_in, coordinator, conference, patient, other_patient):
    on_agenda(conference, patient, coordinator)
    flag(other_patient)
    signed_in(coordinator).get(detail(conference))
    shown = set(AuditEvent.objects.filter(target="case conference agenda").values_list("patient", flat=True))
    assert shown == {patient.pk, other_patient.pk}


# --- One patient at the conference --------------------------------------------------------------


def test_the_item_page_summarises_the_patient(signed_in, physician, coordinator, conference, patient):
    Problem.objects.create(patient=patient, domain="sleep", title="Wakes four times a night")
    Problem.objects.create(patient=patient, domain="mood", title="Old worry", status="resolved")
    peg(patient, 8, days_ago=90)
    peg(patient, 7, days_ago=1)
    Referral.objects.create(patient=patient, service="surgery", reason="Opinion", state="sent", sent_at=timezone.now())
    flag(patient)
    on_agenda(conference, patient, coordinator, reason=ConferenceItem.Reason.ESCALATION)
    response = signed_in(physician).get(item_url(conference, patient))
    page = response.content.decode()
    assert "Wakes four times a night" in page and "Old worry" not in page
    assert "PEG 8.0 \u2192 7.0" in page and "not improving" in page
    assert "Surgery" in page
    assert "PEG has not improved over the last 6 months" in page
    assert "discuss at a case conference with a biopsychosocial review" in page
    event = AuditEvent.objects.get(target="case conference summary")
    assert (event.patient, event.actor) == (patient, physician)


def test_an_item_of_a_patient_not_on_the_agenda_is_404(signed_in, coordinator, conference, patient):
    assert signed_in(coordinator).get(item_url(conference, patient)).status_code == 404


def test_the_team_records_the_discussion_and_reviews_the_flag(signed_in, physician, coordinator, conference, patient):
    open_flag = flag(patient)
    on_agenda(conference, patient, coordinator)
    response = signed_in(physician).post(
        item_url(conference, patient),
        {"discussion": "Function flat; many referrals.", "decisions": "Pause new referrals; start group CBT.",
         "review_flag": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    item = ConferenceItem.objects.get()
    assert (item.discussion, item.decisions, item.discussed_by) == (
        "Function flat; many referrals.",
        "Pause new referrals; start group CBT.",
        physician,
    )
    open_flag.refresh_from_db()
    assert open_flag.reviewed_by == physician
    assert open_flag.review_note.startswith("Reviewed at May case conference")
    assert "Pause new referrals" in open_flag.review_note
    assert AuditEvent.objects.filter(target="case conference discussion", patient=patient).count() == 1


def test_an_empty_discussion_is_refused(signed_in, coordinator, conference, patient):
    on_agenda(conference, patient, coordinator)
    response = signed_in(coordinator).post(item_url(conference, patient), {"discussion": " ", "decisions": ""})
    assert response.status_code == 400
    assert ConferenceItem.objects.get().discussed_at is None


def test_a_decision_becomes_a_task_once(signed_in, coordinator, physician, conference, patient):
    on_agenda(conference, patient, coordinator)
    client = signed_in(coordinator)
    due = timezone.localdate() + datetime.timedelta(days=14)
    data = {"title": "Refer to group CBT for pain", "to": f"person:{physician.pk}", "due_on": due.isoformat(),
            "priority": "high"}  # fmt: skip
    url = item_url(conference, patient, "team:conference_item_task")
    assert client.post(url, data).status_code == 302
    client.post(url, data)  # a double click
    task = TeamTask.objects.get(source=TeamTask.Source.CONFERENCE)
    assert (task.assignee, task.patient, task.due_on, task.priority) == (physician, patient, due, "high")
    assert task.link == item_url(conference, patient)
    assert "Refer to group CBT for pain" in client.get(item_url(conference, patient)).content.decode()
    client.post(url, data | {"to": f"role:{Role.COORDINATOR}"})
    assert TeamTask.objects.filter(source=TeamTask.Source.CONFERENCE).count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "to": "role:coordinator", "due_on": "2099-01-01", "priority": "normal"},
        {"title": "x", "to": "person:999999", "due_on": "2030-01-01", "priority": "normal"},
        {"title": "x", "to": "role:coordinator", "due_on": "2001-01-01", "priority": "normal"},
        {"title": "x", "to": "role:coordinator", "due_on": "soon", "priority": "normal"},
        {"title": "x", "to": "role:coordinator", "due_on": "2030-01-01", "priority": "critical"},
    ],
)
def test_a_bad_decision_task_is_refused(signed_in, coordinator, conference, patient, data):
    on_agenda(conference, patient, coordinator)
    response = signed_in(coordinator).post(item_url(conference, patient, "team:conference_item_task"), data)
    assert response.status_code == 400
    assert not TeamTask.objects.filter(source=TeamTask.Source.CONFERENCE).exists()


def test_admins_read_an_item_but_record_nothing(signed_in, clinic_admin, coordinator, conference, patient):
    on_agenda(conference, patient, coordinator)
    client = signed_in(clinic_admin)
    page = client.get(item_url(conference, patient)).content.decode()
    assert "Save the discussion" not in page and "Create the task" not in page
    assert client.post(item_url(conference, patient), {"discussion": "x"}).status_code == 403
    task_url = item_url(conference, patient, "team:conference_item_task")
    assert client.post(task_url, {"title": "x"}).status_code == 403


# --- Constant queries --------------------------------------------------------------------------------


def test_the_conference_page_runs_the_same_queries_for_one_patient_or_many(
    signed_in, coordinator, conference, patient, django_assert_max_num_queries
):
    on_agenda(conference, patient, coordinator)
    flag(PatientFactory())
    client = signed_in(coordinator)
    client.get(detail(conference))
    with django_assert_max_num_queries(14) as one:
        client.get(detail(conference))
    for _ in range(12):
        on_agenda(conference, PatientFactory(), coordinator)
        flag(PatientFactory())
        PatientFactory(complexity=Complexity.COMPLEX)
    with django_assert_max_num_queries(14) as many:
        client.get(detail(conference))
    assert len(one) == len(many), [q["sql"][:90] for q in many.captured_queries]


def test_the_item_page_runs_the_same_queries_for_a_short_or_long_history(
    signed_in, physician, coordinator, conference, patient, django_assert_max_num_queries
):
    on_agenda(conference, patient, coordinator)
    flag(patient)
    Problem.objects.create(patient=patient, domain="sleep", title="Sleep")
    client = signed_in(physician)
    client.get(item_url(conference, patient))
    with django_assert_max_num_queries(24) as short:
        client.get(item_url(conference, patient))
    for n in range(15):
        Problem.objects.create(patient=patient, domain="pain", title=f"Problem {n}")
        Referral.objects.create(patient=patient, service="surgery", reason="x", state="sent", sent_at=timezone.now())
        conferences.decision_task(
            item=ConferenceItem.objects.get(),
            title=f"Decision {n}",
            assignee=physician,
            assignee_role="",
            due_on=timezone.localdate(),
            priority="normal",
            by=coordinator,
        )
        CareTeamMemberFactory(patient=patient)
    with django_assert_max_num_queries(24) as long:
        client.get(item_url(conference, patient))
    assert len(short) == len(long), [q["sql"][:90] for q in long.captured_queries]


@pytest.mark.parametrize("page", ["team:conference_item", "team:conference_item_task"])
def test_a_clinician_off_the_team_gets_404_for_the_item_urls(
    signed_in, outsider, coordinator, conference, patient, page
):
    on_agenda(conference, patient, coordinator)
    client = signed_in(outsider)
    assert client.get(item_url(conference, patient)).status_code == 404
    response = client.post(item_url(conference, patient, page), {"discussion": "x", "title": "x"})
    assert response.status_code == 404
    assert ConferenceItem.objects.get().discussed_at is None
    assert not TeamTask.objects.filter(source=TeamTask.Source.CONFERENCE).exists()
