"""Refused attempts (audit/refusals.py): every 404 or 403 a signed-in person gets on a patient's object writes one
REFUSED event with who, from where, the outcome and what was asked for (kinds and public ids, never a name),
while the person sees the same page as before, whether the object exists or not."""

import re
import uuid

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.models import TeamTask
from clinic.services import create_task
from tests.careplans.plan_builders import plan_for
from tests.factories import PsychotherapyNoteFactory, referral_in_state
from tests.measures.responses import phq9
from tests.medications.medkit import oxycodone_60
from tests.portal.journey import open_link


def page_of(response) -> str:
    """The page without what changes on every response (CSP nonces, the masked CSRF token)."""
    return re.sub(r'(nonce="|Token": "|csrfmiddlewaretoken" value=")[^"]*"', "", response.content.decode())


def refused_events():
    return list(AuditEvent.objects.filter(action=Action.REFUSED).select_related("actor", "patient"))


def the_refusal():
    (event,) = refused_events()
    return event


def assert_no_name_in(event, *patients):
    for person in patients:
        for name in (person.given_name, person.family_name, person.preferred_name, person.mrn):
            if name:
                assert name not in event.target and name not in event.path


def objects_of(patient, physician):
    """One URL per kind of patient object, with the public id each names (the chart, a care plan, a
    questionnaire response, a referral, a team task)."""
    plan_for(patient, physician, tier_number=2)
    response = phq9(patient, 1).response
    referral = referral_in_state("sent", patient=patient, by=physician)
    task = create_task(
        title="Call back",
        source=TeamTask.Source.MENTION,
        source_key="t:refused",
        patient=patient,
        assignee=physician,
        link=f"/patients/{patient.public_id}/",
    )
    return {
        "chart": (reverse("patients:chart", args=[patient.public_id]), f"patient {patient.public_id}"),
        "care plan": (reverse("careplans:plan", args=[patient.public_id]), f"patient {patient.public_id}"),
        "measure response": (
            reverse("measures:entered_safety", args=[patient.public_id, response.public_id]),
            f"questionnaire response {response.public_id}",
        ),
        "referral": (reverse("referrals:detail", args=[referral.public_id]), f"referral {referral.public_id}"),
        "task": (reverse("team:task", args=[task.public_id]), f"team task {task.public_id}"),
    }


@pytest.mark.parametrize("page", ["chart", "care plan", "measure response", "referral", "task"])
def test_a_clinician_outside_the_team_gets_404_and_the_attempt_is_audited_with_who_and_what(
    signed_in, outsider, physician, patient, page
):
    url, asked = objects_of(patient, physician)[page]
    before = AuditEvent.objects.filter(action=Action.REFUSED).count()
    response = signed_in(outsider).get(url)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=Action.REFUSED).count() == before + 1
    event = AuditEvent.objects.filter(action=Action.REFUSED).latest("id")
    assert (event.actor, event.actor_label, event.path, event.ip) == (outsider, outsider.display_name, url, "127.0.0.1")
    assert event.target.startswith("refused (404) at ")
    assert asked in event.target
    assert event.patient == patient  # the attempt shows on this patient's own access report
    assert_no_name_in(event, patient)
    assert not AuditEvent.objects.filter(actor=outsider).exclude(action=Action.REFUSED).exists()  # no view counted


def test_an_unknown_id_is_audited_as_tried_and_answered_with_the_same_404(signed_in, outsider, patient):
    client = signed_in(outsider)
    existing = client.get(reverse("patients:chart", args=[patient.public_id]))
    unknown_id = uuid.uuid4()
    unknown = client.get(reverse("patients:chart", args=[unknown_id]))
    assert existing.status_code == unknown.status_code == 404
    assert page_of(existing) == page_of(unknown)  # nothing says which one exists
    first, second = sorted(refused_events(), key=lambda event: event.id)
    assert (first.patient, second.patient) == (patient, None)
    assert second.target == f"refused (404) at patients:chart: patient {unknown_id}"
    assert second.actor == outsider


def test_an_unknown_referral_or_task_id_is_audited_too(signed_in, physician):
    client = signed_in(physician)
    referral_id, task_id = uuid.uuid4(), uuid.uuid4()
    assert client.get(reverse("referrals:detail", args=[referral_id])).status_code == 404
    assert client.get(reverse("team:task", args=[task_id])).status_code == 404
    targets = sorted(event.target for event in refused_events())
    assert targets == [
        f"refused (404) at referrals:detail: referral {referral_id}",
        f"refused (404) at team:task: team task {task_id}",
    ]


def test_a_403_for_a_role_without_the_permission_is_audited(signed_in, coordinator, patient):
    url = reverse("patients:new_visit", args=[patient.public_id])
    response = signed_in(coordinator).get(url)
    assert response.status_code == 403
    event = the_refusal()
    assert (event.actor, event.patient, event.path) == (coordinator, patient, url)
    assert event.target == f"refused (403) at patients:new_visit: patient {patient.public_id}"


def test_a_refusal_shown_as_its_own_403_page_is_audited(signed_in, patient, physician, psychologist):
    line = oxycodone_60(patient, physician)
    url = reverse("medications:medication_annotate", args=[patient.public_id, line.public_id])
    response = signed_in(psychologist).post(url, {"note": "x"})
    assert response.status_code == 403
    event = the_refusal()
    assert (event.actor, event.patient) == (psychologist, patient)
    assert event.target == (
        f"refused (403) at medications:medication_annotate: patient {patient.public_id}, "
        f"medication line {line.public_id}"
    )


def test_a_refused_psychotherapy_note_read_is_audited(signed_in, physician, psychologist, patient):
    note = PsychotherapyNoteFactory(patient=patient, author=psychologist)
    url = reverse("patients:psychotherapy_note", args=[patient.public_id, note.public_id])
    response = signed_in(physician).get(url)  # on the team, but not the author's discipline
    assert response.status_code == 404
    assert note.text not in response.content.decode()
    event = the_refusal()
    assert (event.actor, event.patient, event.path) == (physician, patient, url)
    assert event.target == (
        f"refused (404) at patients:psychotherapy_note: patient {patient.public_id}, "
        f"psychotherapy note {note.public_id}"
    )
    assert not AuditEvent.objects.filter(target="psychotherapy note").exists()


def test_the_access_report_shows_refused_attempts_apart(signed_in, outsider, clinic_admin, patient):
    signed_in(outsider).get(reverse("patients:chart", args=[patient.public_id]))
    client = signed_in(clinic_admin)
    everything = client.get(reverse("patients:access_report", args=[patient.public_id]))
    assert 'class="table-warning refused"' in everything.content.decode()
    refused_only = client.get(reverse("patients:access_report", args=[patient.public_id]) + "?refused=1")
    assert refused_only.context["refused_only"]
    assert [(event.action, event.actor) for event in refused_only.context["events"]] == [(Action.REFUSED, outsider)]
    assert "Refused attempts only" in refused_only.content.decode()


def test_the_admin_lists_refused_attempts_by_action(signed_in, outsider, clinic_admin, patient):
    signed_in(outsider).get(reverse("patients:chart", args=[patient.public_id]))
    response = signed_in(clinic_admin).get(reverse("admin:audit_auditevent_changelist") + "?action__exact=refused")
    assert response.status_code == 200
    assert [event.action for event in response.context["cl"].result_list] == [Action.REFUSED]


def test_a_page_that_is_not_refused_writes_no_refusal(signed_in, physician, patient):
    assert signed_in(physician).get(reverse("patients:chart", args=[patient.public_id])).status_code == 200
    assert refused_events() == []


def test_no_patient_link_token_reaches_the_audit_trail(client, patient_link):
    _link, token = patient_link
    open_link(client, token)
    client.get(reverse("portal:open", args=["not-a-real-token"]))
    for event in AuditEvent.objects.all():
        assert token not in event.path and token not in event.target
