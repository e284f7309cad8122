"""Autosave for the long forms with no draft state of their own (patients/form_draft_views.py): psychotherapy
notes, problems and referrals keep what was typed as the person's own FormDraft, restored when the form is
opened again and deleted when it is submitted. Same access rules as the forms (outsiders 404, audited), one
audit event per autosave, a version clash between the owner's tabs refused, nothing saved once signed out."""

import time

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.middleware import LAST_SEEN
from clinic.models import Referral
from patients.models import FormDraft, Problem, PsychotherapyNote
from tests.factories import CareTeamMemberFactory, ProblemFactory, StaffFactory, referral_in_state

JSON = {"HTTP_ACCEPT": "application/json"}
TODAY = "2025-03-14"
REASON = "Graded activity for low back pain; she wants to walk the dog again"


def autosave(client, url, data, version=0):
    return client.post(url, data, **JSON, HTTP_X_AUTOSAVE_VERSION=str(version))


def psychotherapy_urls(patient):
    args = [patient.public_id]
    return reverse("patients:autosave_psychotherapy_note", args=args), reverse(
        "patients:new_psychotherapy_note", args=args
    )


# --------------------------------------------------------------------------- psychotherapy notes


def test_a_psychologists_note_saves_itself_as_their_own_draft_and_is_audited(signed_in, psychologist, patient):
    client = signed_in(psychologist)
    url, _ = psychotherapy_urls(patient)

    response = autosave(client, url, {"occurred_on": TODAY, "text": "Talked about the fear of moving"})

    assert response.status_code == 200 and response.json()["saved"] is True and response.json()["version"] == 1
    draft = FormDraft.objects.get()
    assert draft.owner == psychologist and draft.form == "psychotherapy_note" and draft.object_id is None
    assert draft.data == {"occurred_on": TODAY, "text": "Talked about the fear of moving"}
    event = AuditEvent.objects.get(patient=patient, action=Action.UPDATE)
    assert event.target == "psychotherapy note draft (autosaved)" and "fear" not in event.target


def test_each_autosave_saves_over_the_last_and_answers_the_next_version(signed_in, psychologist, patient):
    client = signed_in(psychologist)
    url, _ = psychotherapy_urls(patient)
    autosave(client, url, {"text": "First"})

    response = autosave(client, url, {"text": "First, then more"}, version=1)

    assert response.json()["version"] == 2
    assert FormDraft.objects.get().data["text"] == "First, then more"
    assert AuditEvent.objects.filter(patient=patient, action=Action.UPDATE).count() == 2


def test_a_save_from_a_tab_with_an_older_version_is_refused_and_overwrites_nothing(signed_in, psychologist, patient):
    client = signed_in(psychologist)
    url, _ = psychotherapy_urls(patient)
    autosave(client, url, {"text": "From the other tab"})

    response = autosave(client, url, {"text": "From this tab"}, version=0)

    assert response.status_code == 409
    assert response.json()["message"].startswith("You saved this draft in another tab or window at ")
    assert FormDraft.objects.get().data["text"] == "From the other tab"


def test_the_note_page_brings_the_draft_back_and_writing_the_note_deletes_it(signed_in, psychologist, patient):
    client = signed_in(psychologist)
    url, page = psychotherapy_urls(patient)
    autosave(client, url, {"occurred_on": TODAY, "text": "Typed before the session ended"})

    shown = client.get(page).content.decode()

    assert "Typed before the session ended</textarea>" in shown
    assert "is back in the form below" in shown
    assert f'data-autosave="{url}" data-autosave-version="1"' in shown
    response = client.post(page, {"occurred_on": TODAY, "text": "Typed before the session ended"})
    assert response.status_code == 302 and PsychotherapyNote.objects.count() == 1
    assert not FormDraft.objects.exists()


def test_discarding_the_draft_deletes_it_and_shows_the_empty_form(signed_in, psychologist, patient):
    client = signed_in(psychologist)
    url, page = psychotherapy_urls(patient)
    autosave(client, url, {"text": "Not what I meant"})

    response = client.post(url, {"discard": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == page
    assert "Draft discarded" in response.content.decode() and "Not what I meant" not in response.content.decode()
    assert not FormDraft.objects.exists()
    assert AuditEvent.objects.filter(patient=patient, target="psychotherapy note draft discarded").exists()


@pytest.mark.parametrize("who", ["physician", "coordinator", "outsider"])
def test_nobody_but_a_psychologist_with_access_may_autosave_a_psychotherapy_note(request, signed_in, patient, who):
    person = request.getfixturevalue(who)
    url, _ = psychotherapy_urls(patient)

    response = autosave(signed_in(person), url, {"text": "Sneaky"})

    assert response.status_code == 404
    assert not FormDraft.objects.exists()
    assert AuditEvent.objects.filter(actor=person, action=Action.REFUSED, patient=patient).exists()


def test_a_draft_is_its_owners_alone(signed_in, psychologist, patient):
    """A second psychologist on the team opens the same forms: nothing of the first one's drafts shows."""
    other = signed_in(psychologist)
    autosave(other, psychotherapy_urls(patient)[0], {"text": "Mine"})
    problem = reverse("patients:autosave_new_problem", args=[patient.public_id])
    autosave(other, problem, {"title": "Poor sleep", "notes": "Mine too"})

    colleague = StaffFactory(discipline=psychologist.discipline, role=psychologist.role)  # on the same team
    CareTeamMemberFactory(patient=patient, member=colleague)
    client = signed_in(colleague)
    note = client.get(psychotherapy_urls(patient)[1]).content.decode()
    problem_page = client.get(reverse("patients:problem_add", args=[patient.public_id])).content.decode()

    for page in (note, problem_page):
        assert "Mine" not in page and "is back in the form below" not in page


def test_a_session_past_its_idle_limit_keeps_no_draft_and_answers_401(signed_in, psychologist, patient, settings):
    settings.SESSION_IDLE_MINUTES = 15
    client = signed_in(psychologist)
    session = client.session
    session[LAST_SEEN] = time.time() - 16 * 60
    session.save()

    response = autosave(client, psychotherapy_urls(patient)[0], {"text": "Typed while away"})

    assert response.status_code == 401 and response.json()["signed_out"] is True
    assert not FormDraft.objects.exists()


# --------------------------------------------------------------------------- problems


def test_a_problems_notes_save_themselves_and_come_back_on_the_edit_page(signed_in, physician, patient):
    problem = ProblemFactory(patient=patient, title="Poor sleep", notes="Wakes at 3")
    client = signed_in(physician)
    edit = reverse("patients:problem_edit", args=[patient.public_id, problem.public_id])
    url = reverse("patients:autosave_problem", args=[patient.public_id, problem.public_id])
    seen = problem.updated_at.isoformat()
    typed = {"domain": "sleep", "title": "Poor sleep", "status": "active", "notes": "Wakes at 3; pain"}
    typed["updated_at"] = seen

    assert autosave(client, url, typed).status_code == 200

    problem.refresh_from_db()
    assert problem.notes == "Wakes at 3"  # the problem itself changes only when the form is saved
    shown = client.get(edit).content.decode()
    assert "Wakes at 3; pain</textarea>" in shown
    assert client.post(edit, typed).status_code == 302
    problem.refresh_from_db()
    assert problem.notes == "Wakes at 3; pain" and not FormDraft.objects.exists()


def test_a_coordinator_may_not_autosave_a_problem_and_an_outsider_gets_a_404(signed_in, coordinator, outsider, patient):
    problem = ProblemFactory(patient=patient)
    new = reverse("patients:autosave_new_problem", args=[patient.public_id])
    edit = reverse("patients:autosave_problem", args=[patient.public_id, problem.public_id])

    assert autosave(signed_in(coordinator), new, {"title": "x"}).status_code == 403
    assert autosave(signed_in(outsider), edit, {"title": "x"}).status_code == 404
    assert not FormDraft.objects.exists()
    assert AuditEvent.objects.filter(actor=outsider, action=Action.REFUSED, patient=patient).exists()
    assert Problem.objects.get().title == problem.title


# --------------------------------------------------------------------------- referrals


def test_a_new_referrals_letter_saves_itself_and_is_deleted_once_the_referral_is_written(
    signed_in, coordinator, patient
):
    client = signed_in(coordinator)
    url = reverse("referrals:autosave_new", args=[patient.public_id])
    page = reverse("referrals:new", args=[patient.public_id])
    typed = {
        "service": "physical_therapy",
        "receiving_provider": "Harbourview Physical Therapy",
        "urgency": "routine",
        "reason": REASON,
        "question": "Assess and start a walking programme",
        "prior_authorisation": "not_needed",
        "visits_used": "0",
    }

    assert autosave(client, url, typed).status_code == 200

    assert not Referral.objects.exists()
    assert REASON in client.get(page).content.decode()
    assert client.post(page, typed).status_code == 302
    assert Referral.objects.get().reason == REASON and not FormDraft.objects.exists()


def test_a_restored_referral_draft_saved_over_a_newer_referral_meets_the_conflict_page(
    signed_in, coordinator, physician, patient
):
    referral = referral_in_state("sent", patient=patient, by=coordinator)
    client = signed_in(coordinator)
    url = reverse("referrals:autosave", args=[referral.public_id])
    typed = {
        "service": "physical_therapy",
        "receiving_provider": "Harbourview Physical Therapy",
        "urgency": "routine",
        "reason": REASON,
        "question": "Assess",
        "prior_authorisation": "not_needed",
        "visits_used": "0",
        "version": str(referral.version),
    }
    autosave(client, url, typed)
    Referral.objects.filter(pk=referral.pk).update(version=referral.version + 1)  # someone changed it meanwhile

    edit = reverse("referrals:edit", args=[referral.public_id])
    assert REASON in client.get(edit).content.decode()
    response = client.post(edit, typed)

    assert response.status_code == 409
    assert Referral.objects.get().reason != REASON


def test_an_outsider_gets_a_404_from_a_referrals_autosave(signed_in, coordinator, outsider, patient):
    referral = referral_in_state("sent", patient=patient, by=coordinator)

    response = autosave(signed_in(outsider), reverse("referrals:autosave", args=[referral.public_id]), {"reason": "x"})

    assert response.status_code == 404 and not FormDraft.objects.exists()
    assert AuditEvent.objects.filter(actor=outsider, action=Action.REFUSED, patient=patient).exists()
