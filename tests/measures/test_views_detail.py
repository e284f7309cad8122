"""/patients/<uuid>/measures/<code>/: one instrument's responses with item answers, for the team,
coordinators and admins only, audited, constant queries."""

import uuid

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from measures.models import Response
from tests.factories import CareTeamMemberFactory, StaffFactory
from tests.measures.responses import peg, phq9


def detail_url(patient, code="phq9"):
    return reverse("measures:detail", args=[patient.public_id, code])


@pytest.fixture
def history(patient):
    phq9(patient, 1, days_ago=60)
    return phq9(patient, 2, item9=1, days_ago=3)


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "clinic_admin"])
def test_it_shows_the_responses_to_the_team_coordinators_and_admins(request, signed_in, patient, history, who):
    response = signed_in(request.getfixturevalue(who)).get(detail_url(patient))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2


def test_it_hides_the_responses_from_a_clinician_on_no_team_with_a_404(signed_in, outsider, patient, history):
    response = signed_in(outsider).get(detail_url(patient))
    assert response.status_code == 404
    assert patient.family_name.encode() not in response.content
    assert not AuditEvent.objects.filter(patient=patient).exclude(action=Action.REFUSED).exists()


def test_it_hides_another_teams_patient_from_a_team_clinician(signed_in, physician, other_patient):
    phq9(other_patient, 1)
    assert signed_in(physician).get(detail_url(other_patient)).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(client, patient, history):
    response = client.get(detail_url(patient))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("code", ["peg", "nonesuch"])
def test_it_answers_404_for_an_instrument_without_responses(signed_in, physician, patient, history, code):
    assert signed_in(physician).get(detail_url(patient, code)).status_code == 404


def test_it_answers_404_for_an_unknown_patient(signed_in, coordinator):
    response = signed_in(coordinator).get(reverse("measures:detail", args=[uuid.uuid4(), "phq9"]))
    assert response.status_code == 404


def test_it_lists_each_response_with_source_total_band_flags_and_item_answers(signed_in, physician, patient, history):
    Response.objects.filter(pk=history.response.pk).update(source=Response.Source.ON_BEHALF, entered_by=physician)
    page = signed_in(physician).get(detail_url(patient)).content.decode()
    table = page.split('id="responses-heading"', 1)[1].split('id="alerts-heading"', 1)[0]
    assert "Entered by staff for the patient" in table and "(Ada Okafor, MD)" in table
    assert "Patient, by link" in table
    assert "<td>17</td>" in table and "<td>moderately severe</td>" in table  # 8 x 2 + 1
    assert "safety_alert" in table
    assert "Thoughts that you would be better off dead or of hurting yourself in some way" in table
    assert 'Several days <span class="text-secondary">(1)</span>' in table
    assert page.index(str(history.response.public_id)) < page.index("<td>8</td>")  # newest first


def test_it_shows_the_attribution_of_the_instrument(signed_in, physician, patient, history):
    page = signed_in(physician).get(detail_url(patient)).content.decode()
    assert "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues" in page


def test_it_shows_the_trend_with_the_baseline_marked(signed_in, physician, patient):
    peg(patient, 8, days_ago=60)
    peg(patient, 5)
    page = signed_in(physician).get(detail_url(patient, "peg")).content.decode()
    assert 'class="baseline-marker"' in page and "30% better" in page


def test_it_records_a_view_in_the_audit_trail(signed_in, coordinator, patient, history):
    signed_in(coordinator).get(detail_url(patient))
    event = AuditEvent.objects.get(patient=patient)
    assert (event.actor, event.action, event.target) == (coordinator, Action.VIEW, "questionnaire responses: phq9")


def test_it_runs_the_same_number_of_queries_for_one_response_or_forty(
    signed_in, physician, patient, django_assert_max_num_queries
):
    phq9(patient, 3, item9=1, days_ago=400)
    client = signed_in(physician)
    client.get(detail_url(patient))
    with django_assert_max_num_queries(15) as one:  # 15: the banner's allergies are one
        client.get(detail_url(patient))
    nurse = StaffFactory(password="!")
    CareTeamMemberFactory(patient=patient, member=nurse)
    for n in range(39):
        phq9(patient, n % 4, item9=n % 2, days_ago=390 - n * 7, entered_by=nurse if n % 3 else None)
    with django_assert_max_num_queries(15) as forty:
        response = client.get(detail_url(patient))
    assert len(response.context["rows"]) == 40
    assert len(response.context["alerts"]) > 20
    assert len(one) == len(forty), [q["sql"][:80] for q in forty.captured_queries]
