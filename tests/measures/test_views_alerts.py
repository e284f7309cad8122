"""Alerts on the patient banner until a clinician on the team acknowledges them with a note of what was
done; coordinators and admins see them but cannot acknowledge; outsiders get a 404."""

import uuid

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.models import TeamTask
from measures.models import Alert
from tests.measures.responses import answer, phq9


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def ack_url(patient, alert):
    return reverse("measures:acknowledge_alert", args=[patient.public_id, alert.response.public_id, alert.kind])


def banner(response) -> str:
    return response.content.decode().split('class="patient-banner', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def urgent(patient, physician):
    """PHQ-9 with item 9 = 1 (total 17): a safety alert and an urgent task for the lead clinician."""
    phq9(patient, 2, item9=1, days_ago=1)
    return Alert.objects.get(kind=Alert.Kind.SAFETY)


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "clinic_admin"])
def test_every_chart_page_shows_the_urgent_alert_at_the_top_of_the_banner(request, signed_in, patient, urgent, who):
    client = signed_in(request.getfixturevalue(who))
    for url in (chart_url(patient), reverse("measures:detail", args=[patient.public_id, "phq9"])):
        shown = banner(client.get(url))
        assert shown.index('role="alert"') < shown.index("Maria Garcia-López")
        assert "Urgent: Safety: thoughts of self-harm (PHQ-9 item 9)" in shown
        assert "PHQ-9 (patient, by link)" in shown
        assert urgent.created_at.strftime("%b") in shown


def test_the_access_report_page_shows_the_alerts_on_its_banner_too(signed_in, clinic_admin, patient, urgent):
    response = signed_in(clinic_admin).get(reverse("patients:access_report", args=[patient.public_id]))
    assert "Urgent: Safety" in banner(response)


def test_it_lists_urgent_alerts_before_review_alerts(signed_in, physician, patient, urgent):
    answer(patient, "pcptsd5", {"pcptsd5_exposure": 1} | {f"pcptsd5_{n}": 1 for n in range(1, 6)})
    shown = banner(signed_in(physician).get(chart_url(patient)))
    assert shown.index("Urgent: Safety") < shown.index("Review: Positive screen")
    assert shown.count('role="alert"') == 1


def test_it_offers_the_acknowledge_form_to_team_clinicians_only(signed_in, patient, urgent, physician, coordinator):
    form_action = ack_url(patient, urgent)
    assert form_action in banner(signed_in(physician).get(chart_url(patient)))
    shown = banner(signed_in(coordinator).get(chart_url(patient)))
    assert form_action not in shown
    assert "A clinician on the care team acknowledges this alert." in shown


def test_a_team_clinician_acknowledges_an_alert_with_a_note_and_it_leaves_the_banner(
    signed_in, physician, patient, urgent
):
    client = signed_in(physician)
    response = client.post(
        ack_url(patient, urgent), {"action": "reached", "note": "Phoned Maria; safety plan reviewed.", "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    urgent.refresh_from_db()
    assert urgent.acknowledged_by == physician
    assert urgent.acknowledgement == "Reached the patient. Phoned Maria; safety plan reviewed."
    assert TeamTask.objects.get(pk=urgent.task_id).status == TeamTask.Status.DONE
    assert "Urgent: Safety" not in banner(client.get(chart_url(patient)))
    history = client.get(reverse("measures:detail", args=[patient.public_id, "phq9"])).content.decode()
    assert "Acknowledged by Ada Okafor, MD at" in history
    assert "Phoned Maria; safety plan reviewed." in history


def test_it_records_the_acknowledgement_in_the_audit_trail(signed_in, psychologist, patient, urgent):
    signed_in(psychologist).post(ack_url(patient, urgent), {"action": "reached", "note": "Seen in clinic today."})
    event = AuditEvent.objects.get(patient=patient, action=Action.UPDATE)
    assert event.actor == psychologist
    assert event.target == "alert acknowledged: PHQ-9 safety"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "Phoned."}, "Choose what was done."),
        ({"action": "nothing", "note": "Phoned."}, "Choose what was done."),
        ({"action": "reviewed", "note": "   "}, "Say why no contact with the patient is needed."),
    ],
)
def test_it_refuses_an_acknowledgement_that_does_not_say_what_was_done(
    signed_in, physician, patient, urgent, data, message
):
    response = signed_in(physician).post(ack_url(patient, urgent), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is None


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_may_not_acknowledge(request, signed_in, patient, urgent, who):
    response = signed_in(request.getfixturevalue(who)).post(
        ack_url(patient, urgent), {"action": "reached", "note": "Done."}
    )
    assert response.status_code == 403
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is None


def test_a_clinician_on_no_team_gets_a_404(signed_in, outsider, patient, urgent):
    response = signed_in(outsider).post(ack_url(patient, urgent), {"action": "reached", "note": "Done."})
    assert response.status_code == 404
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is None


def test_an_alert_of_another_patient_cannot_be_acknowledged_through_this_patients_chart(
    signed_in, physician, patient, other_patient
):
    phq9(other_patient, 1, item9=2)
    theirs = Alert.objects.get(patient=other_patient, kind=Alert.Kind.SAFETY)
    url = reverse("measures:acknowledge_alert", args=[patient.public_id, theirs.response.public_id, theirs.kind])
    assert signed_in(physician).post(url, {"action": "reached", "note": "Done."}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None


@pytest.mark.parametrize("kind", ["positive_screen", "nonsense"])
def test_an_unknown_alert_is_a_404(signed_in, physician, patient, urgent, kind):
    url = reverse("measures:acknowledge_alert", args=[patient.public_id, urgent.response.public_id, kind])
    assert signed_in(physician).post(url, {"action": "reached", "note": "Done."}).status_code == 404
    url = reverse("measures:acknowledge_alert", args=[patient.public_id, uuid.uuid4(), "safety"])
    assert signed_in(physician).post(url, {"action": "reached", "note": "Done."}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, patient, urgent):
    response = client.post(ack_url(patient, urgent), {"action": "reached", "note": "Done."})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_shows_the_acknowledge_page_and_keeps_what_was_typed_on_a_mistake(signed_in, physician, patient, urgent):
    client = signed_in(physician)
    page = client.get(ack_url(patient, urgent))
    assert page.status_code == 200 and b"What was done" in page.content
    page = client.post(ack_url(patient, urgent), {"action": "reached", "note": "x" * 501})
    assert page.status_code == 400
    assert ("x" * 501).encode() in page.content


def test_it_never_redirects_to_another_site(signed_in, physician, patient, urgent):
    response = signed_in(physician).post(
        ack_url(patient, urgent), {"action": "reached", "note": "Done.", "next": "https://evil.test/"}
    )
    assert response["Location"] == chart_url(patient)


def test_acknowledging_twice_keeps_the_first_acknowledgement(signed_in, physician, psychologist, patient, urgent):
    signed_in(physician).post(ack_url(patient, urgent), {"action": "reached", "note": "First."})
    signed_in(psychologist).post(ack_url(patient, urgent), {"action": "reached", "note": "Second."})
    urgent.refresh_from_db()
    assert (urgent.acknowledged_by, urgent.acknowledgement) == (physician, "Reached the patient. First.")
