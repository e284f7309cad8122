"""The chart, /patients/<uuid>/: who may open it, what the banner shows, and the audit it leaves."""

import re
import uuid

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from tests.factories import CareTeamMemberFactory


def without_csrf(content: bytes) -> bytes:
    """Pages carry a freshly masked CSRF token on every render; everything else must match."""
    content = re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "clinic_admin"])
def test_it_shows_the_chart_with_its_banner_to_the_team_coordinators_and_admins(request, signed_in, patient, who):
    response = signed_in(request.getfixturevalue(who)).get(chart_url(patient))
    assert response.status_code == 200
    banner = response.content.decode().split('class="patient-banner"', 1)[1].split("</section>", 1)[0]
    assert "Maria Garcia-López" in banner
    assert f"<dt>Age</dt><dd>{patient.age}</dd>" in banner
    assert f"<dt>MRN</dt><dd>{patient.mrn}</dd>" in banner


def test_it_hides_the_chart_from_a_clinician_on_no_team_with_a_404(signed_in, outsider, patient):
    response = signed_in(outsider).get(chart_url(patient))
    assert response.status_code == 404
    assert patient.family_name.encode() not in response.content


def test_it_answers_a_clinician_on_no_team_exactly_as_for_a_patient_that_does_not_exist(signed_in, outsider, patient):
    client = signed_in(outsider)
    existing = client.get(chart_url(patient))
    unknown = client.get(reverse("patients:chart", args=[uuid.uuid4()]))
    assert existing.status_code == unknown.status_code == 404
    assert without_csrf(existing.content) == without_csrf(unknown.content)


def test_it_hides_another_teams_patient_from_a_team_clinician(signed_in, physician, other_patient):
    response = signed_in(physician).get(chart_url(other_patient))
    assert response.status_code == 404


def test_it_audits_only_the_refused_attempt_when_it_refuses(signed_in, outsider, patient):
    signed_in(outsider).get(chart_url(patient))
    event = AuditEvent.objects.get(patient=patient)
    assert (event.actor, event.action) == (outsider, Action.REFUSED)


def test_it_answers_404_for_an_unknown_patient_even_to_a_coordinator(signed_in, coordinator):
    response = signed_in(coordinator).get(reverse("patients:chart", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(client, patient):
    response = client.get(chart_url(patient))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not AuditEvent.objects.exists()


def test_it_records_exactly_one_audit_event_for_a_view(signed_in, physician, patient):
    signed_in(physician).get(chart_url(patient))
    event = AuditEvent.objects.get()
    assert event.actor == physician
    assert event.actor_label == "Ada Okafor, MD"
    assert event.patient == patient
    assert event.action == Action.VIEW
    assert event.target == "chart"
    assert event.path == chart_url(patient)
    assert event.ip == "127.0.0.1"


def test_it_records_the_address_the_request_came_from(signed_in, coordinator, patient):
    signed_in(coordinator).get(chart_url(patient), REMOTE_ADDR="203.0.113.9")
    assert AuditEvent.objects.get().ip == "203.0.113.9"


def test_it_lists_the_care_team_lead_first(signed_in, coordinator, physician, psychologist, patient):
    response = signed_in(coordinator).get(chart_url(patient))
    assert [m.member for m in response.context["team"]] == [physician, psychologist]
    assert b"Elin Lindqvist, PhD" in response.content


def test_it_offers_a_clinic_admin_the_access_report(signed_in, clinic_admin, patient):
    link = reverse("patients:access_report", args=[patient.public_id]).encode()
    assert link in signed_in(clinic_admin).get(chart_url(patient)).content


@pytest.mark.parametrize("who", ["physician", "coordinator"])
def test_it_offers_no_access_report_to_other_staff(request, signed_in, patient, who):
    link = reverse("patients:access_report", args=[patient.public_id]).encode()
    assert link not in signed_in(request.getfixturevalue(who)).get(chart_url(patient)).content


def test_it_runs_the_same_number_of_queries_whatever_the_size_of_the_care_team(
    signed_in, physician, patient, django_assert_max_num_queries
):
    client = signed_in(physician)
    client.get(chart_url(patient))
    # 26: the allergies add two (the banner's active ones, the chart section's with history).
    with django_assert_max_num_queries(26) as small:
        client.get(chart_url(patient))
    CareTeamMemberFactory.create_batch(20, patient=patient, member__password="!")  # no sign-in: skip hashing
    with django_assert_max_num_queries(26) as large:
        response = client.get(chart_url(patient))
    assert len(response.context["team"]) == 21
    assert len(small) == len(large), [q["sql"][:80] for q in large.captured_queries]
