"""Visit-note autosave (patients/autosave_views.py): a new note becomes a draft on its first autosave, later
autosaves save the draft with the optimistic lock, only the author saves, outsiders get a 404 that is audited,
and a session that has ended saves nothing and answers 401 so the page can keep the text."""

import time

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.middleware import LAST_SEEN
from patients.models import Encounter
from tests.factories import EncounterFactory
from tests.patients.test_visit_views import TODAY, visit_data

JSON = {"HTTP_ACCEPT": "application/json"}


def new_url(patient):
    return reverse("patients:autosave_new_visit", args=[patient.public_id])


def draft_url(encounter):
    return reverse("patients:autosave_visit", args=[encounter.patient.public_id, encounter.public_id])


def autosave(client, url, data, version=None):
    headers = {**JSON, "HTTP_X_AUTOSAVE_VERSION": str(version)} if version is not None else JSON
    return client.post(url, data, **headers)


@pytest.fixture
def draft(physician, patient):
    return EncounterFactory(patient=patient, author=physician, assessment="First thoughts")


def test_the_first_autosave_of_a_new_note_makes_it_a_draft_and_moves_the_page_onto_it(signed_in, physician, patient):
    client = signed_in(physician)

    response = autosave(client, new_url(patient), visit_data(assessment="Typed before the coffee"))

    assert response.status_code == 200
    encounter = Encounter.objects.get()
    assert encounter.author == physician and encounter.status == Encounter.Status.DRAFT
    assert encounter.assessment == "Typed before the coffee"
    answer = response.json()
    assert answer["saved"] is True and answer["version"] == encounter.version
    assert answer["set_fields"] == {"version": str(encounter.version)}
    edit = reverse("patients:edit_visit", args=[patient.public_id, encounter.public_id])
    assert answer["urls"] == {"action": edit, "page": edit, "autosave": draft_url(encounter)}
    assert answer["keep_draft_key"] == f"visit:{encounter.public_id}:v{encounter.version}"
    assert 0 < answer["seconds_left"] <= 15 * 60
    event = AuditEvent.objects.filter(patient=patient, action=Action.CREATE).get()
    assert event.actor == physician and event.target == "visit note (draft)"


def test_an_empty_new_note_is_not_saved_yet(signed_in, physician, patient):
    client = signed_in(physician)
    empty = visit_data(priorities="", findings="", assessment="", plan="", free_text="")

    response = autosave(client, new_url(patient), empty)

    assert response.status_code == 200 and response.json()["saved"] is False
    assert not Encounter.objects.exists()


def test_an_autosave_saves_the_draft_and_answers_the_next_version(signed_in, physician, draft):
    client = signed_in(physician)

    response = autosave(client, draft_url(draft), visit_data(assessment="Second thoughts"), version=draft.version)

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.assessment == "Second thoughts" and draft.version == 2
    assert response.json()["version"] == 2 and "urls" not in response.json()
    assert AuditEvent.objects.filter(patient=draft.patient, action=Action.UPDATE, target="visit note (draft)").exists()


def test_a_half_typed_date_does_not_stop_the_text_being_saved(signed_in, physician, draft):
    client = signed_in(physician)

    response = autosave(
        client, draft_url(draft), visit_data(occurred_on="2025-13-", plan="Keep walking"), version=draft.version
    )

    draft.refresh_from_db()
    assert draft.plan == "Keep walking" and draft.occurred_on == TODAY()
    assert response.json()["note"] == "Not saved until you correct them: Date of the visit."


def test_a_save_based_on_an_older_version_is_refused_and_says_someone_else_saved(signed_in, physician, draft):
    client = signed_in(physician)
    draft.save_draft(by=physician, based_on_version=1, plan="Saved in the other tab")

    response = autosave(client, draft_url(draft), visit_data(plan="This tab's plan"), version=1)

    assert response.status_code == 409
    assert response.json()["message"].startswith("Someone else saved this note at ")
    draft.refresh_from_db()
    assert draft.plan == "Saved in the other tab" and draft.version == 2


def test_a_signed_note_is_not_changed_by_an_autosave(signed_in, physician, draft):
    client = signed_in(physician)
    draft.sign(by=physician, based_on_version=1)

    response = autosave(client, draft_url(draft), visit_data(plan="Too late"), version=1)

    assert response.status_code == 409 and "signed" in response.json()["message"]
    draft.refresh_from_db()
    assert draft.plan != "Too late"


def test_a_colleague_who_charts_cannot_autosave_someone_elses_draft(signed_in, psychologist, draft):
    client = signed_in(psychologist)

    response = autosave(client, draft_url(draft), visit_data(plan="Not mine"), version=1)

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.plan != "Not mine" and draft.version == 1
    assert AuditEvent.objects.filter(actor=psychologist, action=Action.REFUSED, patient=draft.patient).exists()


@pytest.mark.parametrize("who", ["outsider", "other_team_lead"])
def test_an_outsider_gets_a_404_and_the_attempt_is_audited(request, signed_in, draft, who):
    person = request.getfixturevalue(who)
    client = signed_in(person)

    for url in (new_url(draft.patient), draft_url(draft)):
        response = autosave(client, url, visit_data(plan="Sneaky"), version=1)
        assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.version == 1 and Encounter.objects.count() == 1
    refusals = AuditEvent.objects.filter(actor=person, action=Action.REFUSED, patient=draft.patient)
    assert refusals.count() == 2


def test_a_coordinator_cannot_start_a_note_by_autosave(signed_in, coordinator, patient):
    client = signed_in(coordinator)

    response = autosave(client, new_url(patient), visit_data())

    assert response.status_code == 403 and not Encounter.objects.exists()


def test_a_session_past_its_idle_limit_saves_nothing_and_answers_401(signed_in, physician, draft, settings):
    settings.SESSION_IDLE_MINUTES = 15
    client = signed_in(physician)
    session = client.session
    session[LAST_SEEN] = time.time() - 16 * 60
    session.save()

    response = autosave(client, draft_url(draft), visit_data(plan="Typed while away"), version=1)

    assert response.status_code == 401
    assert response.json()["signed_out"] is True and "sign in again" in response.json()["message"]
    draft.refresh_from_db()
    assert draft.version == 1
    assert "_auth_user_id" not in client.session
    # And the next autosave, now without any session, gets the same answer (not the sign-in page).
    again = autosave(client, new_url(draft.patient), visit_data(), version=1)
    assert again.status_code == 401 and Encounter.objects.count() == 1


def test_the_edit_page_autosaves_to_its_draft_and_the_new_page_to_the_patient(signed_in, physician, draft):
    client = signed_in(physician)

    edit = client.get(reverse("patients:edit_visit", args=[draft.patient.public_id, draft.public_id]))
    new = client.get(reverse("patients:new_visit", args=[draft.patient.public_id]))

    assert f'data-autosave="{draft_url(draft)}" data-autosave-version="1"' in edit.content.decode()
    assert f'data-autosave="{new_url(draft.patient)}" data-autosave-version="0"' in new.content.decode()
