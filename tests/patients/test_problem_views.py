"""Adding and editing problems: who may, what they see when someone else saved first, and the audit."""

import re
import uuid

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from patients.models import Problem
from patients.problem_forms import OUT_OF_DATE
from patients.problem_services import add_problem, change_problem
from tests.factories import ProblemFactory

FORM = {
    "domain": "sleep",
    "title": "Wakes at 3 am with pain",
    "status": "active",
    "owner_discipline": "psychologist",
    "notes": "Sleep diary for two weeks.",
}


def add_url(patient):
    return reverse("patients:problem_add", args=[patient.public_id])


def edit_url(patient, problem):
    return reverse("patients:problem_edit", args=[patient.public_id, problem.public_id])


def edit_form(problem, **changes):
    return {
        "domain": problem.domain,
        "title": problem.title,
        "status": problem.status,
        "owner_discipline": problem.owner_discipline,
        "notes": problem.notes,
        "updated_at": problem.updated_at.isoformat(),
    } | changes


@pytest.fixture
def problem(patient, physician):
    return add_problem(patient=patient, by=physician, domain="pain", title="Low back pain", notes="Since 2019.")


# --------------------------------------------------------------------------- adding


@pytest.mark.parametrize("who", ["physician", "psychologist"])
def test_a_team_clinician_adds_a_problem(request, signed_in, patient, who):
    person = request.getfixturevalue(who)
    response = signed_in(person).post(add_url(patient), FORM)
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:chart", args=[patient.public_id]) + "#problems"
    problem = Problem.objects.get()
    assert (problem.patient, problem.domain, problem.title, problem.created_by) == (
        patient,
        "sleep",
        "Wakes at 3 am with pain",
        person,
    )
    assert AuditEvent.objects.get(action=Action.CREATE).target == "problem list: problem added"


def test_the_add_form_is_shown_and_audited(signed_in, physician, patient):
    response = signed_in(physician).get(add_url(patient))
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<label\s+for="id_title"[^>]*>\s*Problem', page) and 'name="status"' in page
    assert AuditEvent.objects.get().target == "problem list: add a problem"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "   "}, "Name the problem."),
        ({"domain": ""}, "Choose the domain this problem belongs to."),
        ({"domain": "spiritual"}, "Choose a domain from the list."),
        ({"status": "gone"}, "Choose a status from the list."),
        ({"owner_discipline": "astrologer"}, "Choose a discipline from the list."),
        ({"title": "x" * 201}, "The problem can be at most 200 characters (it has 201)."),
        ({"notes": "x" * 5001}, "Notes can be at most 5000 characters (it has 5001)."),
        ({"title": "Back\x00pain"}, "Null characters are not allowed."),
    ],
)
def test_it_explains_a_wrong_entry_and_keeps_what_was_typed(signed_in, physician, patient, change, message):
    response = signed_in(physician).post(add_url(patient), FORM | change)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Please correct the fields marked below; nothing was saved yet." in page
    if "notes" not in change:
        assert "Sleep diary for two weeks." in page
    assert not Problem.objects.exists()


# --------------------------------------------------------------------------- editing


def test_a_team_clinician_edits_a_problem(signed_in, psychologist, patient, problem):
    client = signed_in(psychologist)
    shown = client.get(edit_url(patient, problem))
    assert shown.status_code == 200
    assert shown.context["form"].initial["updated_at"] == problem.updated_at.isoformat()
    response = client.post(edit_url(patient, problem), edit_form(problem, status="monitoring", notes="Better."))
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.status, problem.notes, problem.updated_by) == ("monitoring", "Better.", psychologist)
    targets = list(AuditEvent.objects.filter(actor=psychologist).values_list("target", flat=True).order_by("id"))
    assert targets == ["problem list: edit a problem", "problem list: problem changed (status, notes)"]


def test_the_second_save_is_told_shown_the_other_version_and_overwrites_nothing(
    signed_in, physician, psychologist, patient, problem
):
    seen_by_psychologist = edit_form(problem)  # the psychologist opens the form
    change_problem(problem=problem, by=physician, seen_updated_at=problem.updated_at, notes="MRI booked.")
    response = signed_in(psychologist).post(
        edit_url(patient, problem), seen_by_psychologist | {"notes": "Pacing plan agreed."}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Ada Okafor, MD changed this problem at" in page
    assert "Your changes were not saved." in page
    assert "MRI booked." in page  # their version
    assert "Pacing plan agreed." in page  # what the psychologist typed is kept
    problem.refresh_from_db()
    assert problem.notes == "MRI booked."
    assert problem.updated_by == physician
    # The form now carries the version shown: saving again replaces it knowingly.
    hidden = re.search(r'name="updated_at" value="([^"]+)"', page).group(1)
    assert hidden == problem.updated_at.isoformat()
    again = signed_in(psychologist).post(
        edit_url(patient, problem), seen_by_psychologist | {"notes": "Pacing plan agreed.", "updated_at": hidden}
    )
    assert again.status_code == 302
    problem.refresh_from_db()
    assert problem.notes == "Pacing plan agreed."


@pytest.mark.parametrize("updated_at", ["", "yesterday", "2026-01-01T10:00:00"])
def test_a_missing_or_tampered_version_is_refused_with_a_message(signed_in, physician, patient, problem, updated_at):
    response = signed_in(physician).post(
        edit_url(patient, problem), edit_form(problem, notes="X", updated_at=updated_at)
    )
    assert response.status_code == 400
    assert OUT_OF_DATE in response.content.decode()
    problem.refresh_from_db()
    assert problem.notes == "Since 2019."


def test_an_old_but_valid_version_is_a_conflict_not_an_overwrite(signed_in, physician, patient, problem):
    old = edit_form(problem, updated_at="2020-01-01T10:00:00+00:00", notes="Old tab.")
    response = signed_in(physician).post(edit_url(patient, problem), old)
    assert response.status_code == 409
    problem.refresh_from_db()
    assert problem.notes == "Since 2019."


# --------------------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_may_not_add_or_edit(request, signed_in, patient, problem, who):
    client = signed_in(request.getfixturevalue(who))
    before = AuditEvent.objects.count()
    assert client.get(add_url(patient)).status_code == 403
    assert client.post(add_url(patient), FORM).status_code == 403
    assert client.get(edit_url(patient, problem)).status_code == 403
    assert client.post(edit_url(patient, problem), edit_form(problem, notes="Changed")).status_code == 403
    assert Problem.objects.count() == 1
    problem.refresh_from_db()
    assert problem.notes == "Since 2019."
    assert AuditEvent.objects.exclude(action=Action.REFUSED).count() == before


def test_a_clinician_on_no_team_gets_a_404_everywhere(signed_in, outsider, patient, problem):
    client = signed_in(outsider)
    before = AuditEvent.objects.count()
    for response in (
        client.get(add_url(patient)),
        client.post(add_url(patient), FORM),
        client.get(edit_url(patient, problem)),
        client.post(edit_url(patient, problem), edit_form(problem, notes="Changed")),
    ):
        assert response.status_code == 404
    assert Problem.objects.count() == 1
    assert AuditEvent.objects.exclude(action=Action.REFUSED).count() == before


def test_a_problem_of_another_patient_cannot_be_edited_through_this_patients_chart(
    signed_in, physician, patient, other_patient
):
    theirs = ProblemFactory(patient=other_patient, notes="Theirs")
    response = signed_in(physician).post(edit_url(patient, theirs), edit_form(theirs, notes="Mine"))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.notes == "Theirs"


def test_an_unknown_problem_is_a_404(signed_in, physician, patient):
    url = reverse("patients:problem_edit", args=[patient.public_id, uuid.uuid4()])
    assert signed_in(physician).get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, patient, problem):
    for url in (add_url(patient), edit_url(patient, problem)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
