"""Visit notes: new (draft), read, edit a draft with optimistic locking, sign (locks), addenda; who may do what
(every role of the cast), and the audit each leaves."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from patients.models import Addendum, Encounter
from tests.factories import CareTeamMemberFactory, EncounterFactory, StaffFactory

TODAY = timezone.localdate

# A page's ceiling: the banner and top bar (other parts of the chart) take most of it. What these tests
# assert is that the count stays the same however long the history.
PAGE_QUERIES = 30


def url(name, patient, *args):
    return reverse(f"patients:{name}", args=[patient.public_id, *args])


def visit_url(name, encounter):
    return reverse(f"patients:{name}", args=[encounter.patient.public_id, encounter.public_id])


def management(total=3, initial=0):
    return {
        "tests-TOTAL_FORMS": str(total),
        "tests-INITIAL_FORMS": str(initial),
        "tests-MIN_NUM_FORMS": "0",
        "tests-MAX_NUM_FORMS": "20",
    }


def tomorrow() -> str:
    """The clinic's tomorrow when the test runs (not when it was collected: a run can cross midnight)."""
    return (TODAY() + datetime.timedelta(days=1)).isoformat()


def visit_data(tests=(), version=None, **fields):
    data = {
        "occurred_on": TODAY().isoformat(),
        "kind": "follow_up",
        "priorities": "Walk the dog again",
        "findings": "Guarded lumbar movement",
        "assessment": "Slowly improving",
        "plan": "Pacing, review in four weeks",
        "free_text": "",
        **management(total=max(3, len(tests))),
    }
    for number, row in enumerate(tests):
        for key, value in row.items():
            data[f"tests-{number}-{key}"] = value
    if version is not None:
        data["version"] = str(version)
    data.update(fields)
    return data


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def signed(encounter):
    encounter.sign(by=encounter.author, based_on_version=encounter.version)
    return encounter


@pytest.fixture
def draft(patient, physician):
    return EncounterFactory(patient=patient, author=physician, discipline=physician.discipline)


@pytest.fixture
def signed_note(draft):
    return signed(draft)


# --------------------------------------------------------------------------- who may


def every_visit_request(patient, encounter):
    """(method, url, data) for every visit URL."""
    return [
        ("get", url("new_visit", patient), None),
        ("post", url("new_visit", patient), visit_data()),
        ("get", url("visits", patient), None),
        ("get", visit_url("visit", encounter), None),
        ("get", visit_url("edit_visit", encounter), None),
        ("post", visit_url("edit_visit", encounter), visit_data(version=1)),
        ("post", visit_url("sign_visit", encounter), {"version": "1"}),
        ("post", visit_url("add_addendum", encounter), {"text": "Later: called the patient"}),
    ]


def test_it_hides_every_visit_url_from_a_clinician_on_no_team_with_a_404(signed_in, outsider, physician, patient):
    encounter = signed(EncounterFactory(patient=patient, author=physician))
    client = signed_in(outsider)
    for method, address, data in every_visit_request(patient, encounter):
        response = getattr(client, method)(address, data)
        assert response.status_code == 404, (method, address)
        assert b"Walk the dog" not in response.content
    assert Encounter.objects.count() == 1
    assert not Addendum.objects.exists()
    assert not AuditEvent.objects.filter(patient=patient).exclude(action=Action.REFUSED).exists()


def test_it_hides_another_teams_patient_from_a_team_clinician(signed_in, physician, other_patient):
    encounter = EncounterFactory(patient=other_patient)
    client = signed_in(physician)
    for method, address, data in every_visit_request(other_patient, encounter):
        assert getattr(client, method)(address, data).status_code == 404, (method, address)


def test_it_answers_404_for_a_visit_of_another_patient_under_this_patients_address(
    signed_in, physician, patient, other_patient
):
    CareTeamMemberFactory(patient=other_patient, member=physician)
    elsewhere = EncounterFactory(patient=other_patient, author=physician)
    address = reverse("patients:visit", args=[patient.public_id, elsewhere.public_id])
    assert signed_in(physician).get(address).status_code == 404
    assert signed_in(physician).get(url("visit", patient, uuid.uuid4())).status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_it_refuses_charting_to_coordinators_and_admins_who_still_read_the_note(
    request, signed_in, patient, physician, who
):
    encounter = signed(EncounterFactory(patient=patient, author=physician))
    client = signed_in(request.getfixturevalue(who))
    for method, address, data in every_visit_request(patient, encounter):
        expected = 200 if address in (url("visits", patient), visit_url("visit", encounter)) else 403
        assert getattr(client, method)(address, data).status_code == expected, (method, address)
    assert Encounter.objects.count() == 1
    assert not Addendum.objects.exists()


def test_it_sends_anonymous_visitors_to_sign_in(client, patient, draft):
    for method, address, data in every_visit_request(patient, draft):
        response = getattr(client, method)(address, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "clinic_admin"])
def test_it_shows_a_note_to_everyone_who_may_see_the_chart_and_audits_it(request, signed_in, patient, draft, who):
    person = request.getfixturevalue(who)
    response = signed_in(person).get(visit_url("visit", draft))
    assert response.status_code == 200
    assert "Walk the dog again" in text_of(response)
    event = AuditEvent.objects.get(patient=patient)
    assert (event.actor, event.action, event.target) == (person, Action.VIEW, "visit note")


# --------------------------------------------------------------------------- new visit


@pytest.mark.parametrize("who", ["physician", "psychologist"])
def test_it_offers_clinicians_on_the_team_the_new_visit_form(request, signed_in, patient, who):
    response = signed_in(request.getfixturevalue(who)).get(url("new_visit", patient))
    assert response.status_code == 200
    page = text_of(response)
    assert "New visit note" in page
    assert "Latest questionnaire scores" in page
    assert page.count("data-language-check=") == 5
    event = AuditEvent.objects.get(patient=patient)
    assert (event.action, event.target) == (Action.VIEW, "new visit note")


def test_it_saves_a_new_visit_as_a_draft_of_its_author_with_their_discipline(signed_in, psychologist, patient):
    tests = [
        {"test": "timed_10m_walk", "value": "12.5"},
        {"test": "", "value": ""},  # a blank row is skipped
        {"test": "other", "label": "Single-leg stance", "value": "20", "unit": "s", "note": "left"},
    ]
    data = visit_data(tests=tests, kind="initial", occurred_on=(TODAY() - datetime.timedelta(days=1)).isoformat())
    response = signed_in(psychologist).post(url("new_visit", patient), data)
    encounter = Encounter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == visit_url("visit", encounter)
    assert (encounter.patient, encounter.author, encounter.discipline) == (patient, psychologist, "psychologist")
    assert (encounter.status, encounter.version, encounter.signed_at) == ("draft", 1, None)
    assert encounter.kind == "initial"
    assert encounter.occurred_on == TODAY() - datetime.timedelta(days=1)
    assert encounter.priorities == "Walk the dog again"
    assert encounter.functional_tests == [
        {"test": "timed_10m_walk", "value": 12.5},
        {"test": "other", "label": "Single-leg stance", "value": 20, "unit": "s", "note": "left"},
    ]
    event = AuditEvent.objects.get(patient=patient, action=Action.CREATE)
    assert (event.actor, event.target) == (psychologist, "visit note (draft)")
    page = text_of(signed_in(psychologist).get(response["Location"]))
    assert "Timed 10-metre walk: 12.5 seconds" in page
    assert "Single-leg stance: 20 s (left)" in page
    assert "Draft (not signed)" in page


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"test": "timed_10m_walk", "value": "-3"}, "A result cannot be negative."),
        ({"test": "sit_to_stand_30s", "value": "400"}, "That is more than the 60 repetitions this test allows"),
        ({"test": "lift_floor_to_waist", "value": "heavy"}, "Enter the result as a number, for example 12.5."),
        ({"test": "timed_10m_walk", "value": ""}, "Enter the result of the timed 10-metre walk."),
        ({"test": "", "value": "12"}, "Choose a test from the list."),
        ({"test": "hop", "value": "12"}, "Choose a test from the list."),
        ({"test": "other", "value": "12"}, "Name the test, for example: single-leg stance."),
    ],
)
def test_it_keeps_what_was_typed_and_explains_an_impossible_functional_test(
    signed_in, physician, patient, row, message
):
    data = visit_data(tests=[row], assessment="My careful assessment")
    response = signed_in(physician).post(url("new_visit", patient), data)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert "nothing was saved yet" in page
    assert "My careful assessment" in page
    assert not Encounter.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"occurred_on": ""}, "Enter the date of the visit."),
        ({"occurred_on": "yesterday"}, "Enter the date as a date"),
        ({"occurred_on": tomorrow}, "The date cannot be in the future."),
        ({"occurred_on": "1900-01-01"}, "The date is before the patient was born"),
        ({"kind": "house_call"}, "Choose a type from the list."),
        ({"plan": "x" * 20_001}, "Plan can be at most 20000 characters (it has 20001)."),
        ({"findings": "bad\x00byte"}, "Null characters are not allowed."),
    ],
)
def test_it_refuses_impossible_fields_with_a_clear_message(signed_in, physician, patient, changes, message):
    changes = {key: value() if callable(value) else value for key, value in changes.items()}  # dated as it runs
    response = signed_in(physician).post(url("new_visit", patient), visit_data(**changes))
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Encounter.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"tests-TOTAL_FORMS": "1000"},
        {"tests-TOTAL_FORMS": "many"},
        {"tests-TOTAL_FORMS": "-1"},
        {"tests-TOTAL_FORMS": ""},
    ],
)
def test_it_answers_a_tampered_functional_test_form_without_an_error_page(signed_in, physician, patient, changes):
    response = signed_in(physician).post(url("new_visit", patient), visit_data(**changes))
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert "nothing was saved yet" in text_of(response)


def test_it_answers_a_post_without_the_functional_test_form_with_a_message(signed_in, physician, patient):
    data = {k: v for k, v in visit_data().items() if not k.startswith("tests-")}
    response = signed_in(physician).post(url("new_visit", patient), data)
    assert response.status_code == 400
    assert "The functional tests could not be read" in text_of(response)
    assert not Encounter.objects.exists()


def test_it_refuses_more_functional_tests_than_a_visit_holds(signed_in, physician, patient):
    rows = [{"test": "sit_to_stand_30s", "value": "5"}] * 21
    response = signed_in(physician).post(url("new_visit", patient), visit_data(tests=rows))
    assert response.status_code == 400
    assert "A visit can record at most 20 functional tests." in text_of(response)
    assert not Encounter.objects.exists()


# --------------------------------------------------------------------------- the draft, by its author


def test_it_shows_the_author_edit_and_sign_and_others_only_the_draft_mark(signed_in, physician, psychologist, draft):
    own = text_of(signed_in(physician).get(visit_url("visit", draft)))
    assert "Edit draft" in own and "Sign the note" in own
    theirs = text_of(signed_in(psychologist).get(visit_url("visit", draft)))
    assert "Draft (not signed)" in theirs
    assert "Edit draft" not in theirs and "Sign the note" not in theirs
    assert "Only Ada Okafor, MD can change or sign it." in theirs


def test_it_lets_the_author_change_the_draft(signed_in, physician, patient, draft):
    client = signed_in(physician)
    form = client.get(visit_url("edit_visit", draft))
    assert form.status_code == 200
    assert 'name="version" value="1"' in form.content.decode()
    data = visit_data(version=1, plan="Graded walking", tests=[{"test": "six_minute_walk", "value": "320"}])
    response = client.post(visit_url("edit_visit", draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.plan, draft.version, draft.status) == ("Graded walking", 2, "draft")
    assert draft.functional_tests == [{"test": "six_minute_walk", "value": 320}]
    targets = list(AuditEvent.objects.filter(patient=patient).order_by("id").values_list("action", "target"))
    assert targets == [(Action.VIEW, "visit note (editing)"), (Action.UPDATE, "visit note (draft)")]


def test_it_offers_the_saved_functional_tests_for_editing_with_blank_rows(signed_in, physician, draft):
    Encounter.objects.filter(pk=draft.pk).update(functional_tests=[{"test": "lift_floor_to_waist", "value": 7.5}])
    page = signed_in(physician).get(visit_url("edit_visit", draft)).content.decode()
    assert 'name="tests-TOTAL_FORMS" value="4"' in page
    assert 'name="tests-0-value" value="7.5"' in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_lets_no_one_but_the_author_change_a_draft(signed_in, psychologist, draft, method):
    client = signed_in(psychologist)
    response = getattr(client, method)(visit_url("edit_visit", draft), visit_data(version=1))
    assert response.status_code == 302
    assert response["Location"] == visit_url("visit", draft)
    draft.refresh_from_db()
    assert (draft.plan, draft.version) == ("Pacing; review in 4 weeks", 1)
    followed = client.get(response["Location"])
    assert "Only the clinician who wrote this draft can change or sign it." in text_of(followed)


def test_it_refuses_a_save_based_on_an_older_version_and_shows_both(signed_in, physician, draft):
    client = signed_in(physician)
    client.get(visit_url("edit_visit", draft))  # opened at version 1
    other_tab = Encounter.objects.get(pk=draft.pk)
    other_tab.save_draft(by=physician, based_on_version=1, plan="Plan saved in the other tab")
    response = client.post(visit_url("edit_visit", draft), visit_data(version=1, plan="Plan typed in this tab"))
    assert response.status_code == 409
    page = text_of(response)
    assert "Someone saved this note after you opened it." in page
    assert "Plan saved in the other tab" in page  # the saved version
    assert "Plan typed in this tab" in page  # what this clinician typed, still in the form
    assert 'name="version" value="2"' in page
    draft.refresh_from_db()
    assert (draft.plan, draft.version) == ("Plan saved in the other tab", 2)
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()
    # After reading both, saving again keeps this clinician's version.
    again = client.post(visit_url("edit_visit", draft), visit_data(version=2, plan="Plan typed in this tab"))
    assert again.status_code == 302
    draft.refresh_from_db()
    assert (draft.plan, draft.version) == ("Plan typed in this tab", 3)


def test_it_refuses_a_save_without_a_version_as_a_conflict(signed_in, physician, draft):
    response = signed_in(physician).post(visit_url("edit_visit", draft), visit_data(plan="No version"))
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.plan == "Pacing; review in 4 weeks"


def test_it_refuses_a_tampered_version_without_an_error_page(signed_in, physician, draft):
    response = signed_in(physician).post(visit_url("edit_visit", draft), visit_data(version="abc"))
    assert response.status_code == 400
    assert "This page is out of date." in text_of(response)


# --------------------------------------------------------------------------- signing and the lock


def test_it_lets_the_author_sign_and_then_locks_the_note(signed_in, physician, patient, draft):
    client = signed_in(physician)
    response = client.post(visit_url("sign_visit", draft), {"version": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "signed"
    assert draft.signed_at is not None
    event = AuditEvent.objects.get(patient=patient, action=Action.UPDATE)
    assert (event.actor, event.target) == (physician, "visit note signed")
    page = text_of(client.get(response["Location"]))
    assert "Visit note signed." in page
    assert "Edit draft" not in page and "Sign the note" not in page
    assert "Add addendum" in page


def test_it_answers_an_edit_of_a_signed_note_with_a_message_and_changes_nothing(signed_in, physician, signed_note):
    client = signed_in(physician)
    opened = client.get(visit_url("edit_visit", signed_note))
    assert opened.status_code == 302
    assert "This note is signed, so it can no longer be changed." in text_of(client.get(opened["Location"]))
    before = Encounter.objects.values().get(pk=signed_note.pk)
    response = client.post(visit_url("edit_visit", signed_note), visit_data(version=2, plan="Too late"))
    assert response.status_code == 409
    page = text_of(response)
    assert "This note was signed after you opened it, so it can no longer be changed." in page
    assert "Too late" in page  # what was typed is not lost
    assert "Save draft" not in page
    assert Encounter.objects.values().get(pk=signed_note.pk) == before


def test_the_model_refuses_to_change_a_signed_note(physician, signed_note):
    from patients.encounters import NoteLocked

    with pytest.raises(NoteLocked):
        signed_note.save_draft(by=physician, based_on_version=signed_note.version, plan="x")
    with pytest.raises(NoteLocked):
        signed_note.sign(by=physician, based_on_version=signed_note.version)


def test_it_lets_no_one_but_the_author_sign(signed_in, psychologist, draft):
    client = signed_in(psychologist)
    response = client.post(visit_url("sign_visit", draft), {"version": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert "Only the clinician who wrote this draft" in text_of(client.get(response["Location"]))


def test_it_refuses_to_sign_a_version_the_author_has_not_read(signed_in, physician, draft):
    draft.save_draft(by=physician, based_on_version=1, plan="Changed in another tab")
    client = signed_in(physician)
    response = client.post(visit_url("sign_visit", draft), {"version": "1"})
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert "Someone saved this note after you opened it." in text_of(client.get(response["Location"]))


def test_it_says_so_when_a_note_is_signed_twice(signed_in, physician, signed_note):
    client = signed_in(physician)
    signed_at = signed_note.signed_at
    response = client.post(visit_url("sign_visit", signed_note), {"version": str(signed_note.version)})
    assert "This note is already signed." in text_of(client.get(response["Location"]))
    signed_note.refresh_from_db()
    assert signed_note.signed_at == signed_at


@pytest.mark.parametrize("data", [{}, {"version": "x"}, {"version": "0"}])
def test_it_answers_an_unreadable_sign_request_with_a_message(signed_in, physician, draft, data):
    client = signed_in(physician)
    response = client.post(visit_url("sign_visit", draft), data)
    assert response.status_code == 302
    assert "The note could not be signed" in text_of(client.get(response["Location"]))
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_signing_and_adding_addenda_take_posts_only(signed_in, physician, signed_note):
    client = signed_in(physician)
    assert client.get(visit_url("sign_visit", signed_note)).status_code == 405
    assert client.get(visit_url("add_addendum", signed_note)).status_code == 405


# --------------------------------------------------------------------------- addenda


def test_any_clinician_on_the_team_adds_an_addendum_shown_with_author_and_time(
    signed_in, psychologist, patient, signed_note
):
    client = signed_in(psychologist)
    response = client.post(visit_url("add_addendum", signed_note), {"text": "Patient phoned: walked the dog."})
    assert response.status_code == 302
    addendum = Addendum.objects.get()
    assert (addendum.encounter, addendum.author, addendum.text) == (
        signed_note,
        psychologist,
        "Patient phoned: walked the dog.",
    )
    page = text_of(client.get(response["Location"]))
    assert "Patient phoned: walked the dog." in page
    assert "Elin Lindqvist, PhD" in page
    assert timezone.localtime(addendum.created_at).strftime("%b %-d, %Y") in page
    event = AuditEvent.objects.get(patient=patient, action=Action.CREATE)
    assert (event.actor, event.target) == (psychologist, "visit note addendum")
    signed_note.refresh_from_db()
    assert signed_note.plan == "Pacing; review in 4 weeks"  # the signed note itself is untouched


def test_it_refuses_an_addendum_to_a_draft(signed_in, psychologist, draft):
    client = signed_in(psychologist)
    response = client.post(visit_url("add_addendum", draft), {"text": "Too early"})
    assert response.status_code == 302
    assert not Addendum.objects.exists()
    assert "Addenda are for signed notes." in text_of(client.get(response["Location"]))


@pytest.mark.parametrize(("text", "message"), [("", "Write the addendum."), ("   ", "Write the addendum.")])
def test_it_refuses_an_empty_addendum_with_a_message(signed_in, physician, signed_note, text, message):
    response = signed_in(physician).post(visit_url("add_addendum", signed_note), {"text": text})
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Addendum.objects.exists()


def test_the_note_page_runs_the_same_number_of_queries_however_many_addenda(
    signed_in, physician, signed_note, django_assert_max_num_queries
):
    client = signed_in(physician)
    Addendum.objects.create(encounter=signed_note, author=physician, text="First")
    client.get(visit_url("visit", signed_note))
    with django_assert_max_num_queries(PAGE_QUERIES) as one:
        client.get(visit_url("visit", signed_note))
    writers = [StaffFactory(password="!") for _ in range(5)]
    for number in range(29):
        Addendum.objects.create(encounter=signed_note, author=writers[number % 5], text=f"Addendum {number}")
    with django_assert_max_num_queries(PAGE_QUERIES) as many:
        response = client.get(visit_url("visit", signed_note))
    assert len(response.context["addenda"]) == 30
    assert len(one) == len(many), [q["sql"][:90] for q in many.captured_queries]
