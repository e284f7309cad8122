"""The early-warning flag on the chart's team section: its facts and the suggested case conference,
and its review by a clinician on the team (404 for outsiders, refused for other roles, audited)."""

import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from clinic.escalation import SUGGESTION
from clinic.models import EscalationFlag

FACTS = ["PEG has not improved over the last 6 months (6.3 \u2192 6.7)", "4 new specialist referrals since June 3"]


@pytest.fixture
def flag(patient):
    return EscalationFlag.objects.create(patient=patient, facts=FACTS)


def review_url(patient, flag):
    return reverse("team:flag_review", args=[patient.public_id, flag.public_id])


def chart(patient):
    return reverse("patients:chart", args=[patient.public_id])


def test_the_chart_shows_the_facts_and_suggests_a_case_conference(signed_in, physician, flag, patient):
    page = signed_in(physician).get(chart(patient)).content.decode()
    section = page.split('id="team-escalation"', 1)[1]
    assert "PEG has not improved over the last 6 months (6.3 \u2192 6.7)" in section
    assert "4 new specialist referrals since June 3" in section
    assert SUGGESTION in section
    assert review_url(patient, flag) in section


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_see_the_flag_but_do_not_review_it(request, signed_in, flag, patient, who):
    client = signed_in(request.getfixturevalue(who))
    page = client.get(chart(patient)).content.decode()
    assert "PEG has not improved" in page and review_url(patient, flag) not in page
    assert client.post(review_url(patient, flag), {"note": "x"}).status_code == 403
    assert EscalationFlag.objects.get().is_open


def test_a_clinician_off_the_team_gets_404(signed_in, outsider, flag, patient):
    assert signed_in(outsider).get(review_url(patient, flag)).status_code == 404
    assert signed_in(outsider).post(review_url(patient, flag), {"note": "x"}).status_code == 404


def test_a_flag_of_another_patient_or_an_unknown_one_is_404(signed_in, physician, patient, other_patient):
    theirs = EscalationFlag.objects.create(patient=other_patient, facts=["x"])
    client = signed_in(physician)
    assert client.get(review_url(patient, theirs)).status_code == 404
    assert client.get(reverse("team:flag_review", args=[patient.public_id, uuid.uuid4()])).status_code == 404


def test_a_clinician_on_the_team_reviews_it_with_a_note(signed_in, psychologist, flag, patient):
    client = signed_in(psychologist)
    assert client.get(review_url(patient, flag)).status_code == 200
    response = client.post(review_url(patient, flag), {"note": "Discussed with Mari: pause new referrals."})
    assert response["Location"] == chart(patient) + "#team-escalation"
    flag.refresh_from_db()
    assert (flag.reviewed_by, flag.review_note) == (psychologist, "Discussed with Mari: pause new referrals.")
    assert AuditEvent.objects.filter(target="early warning reviewed", patient=patient).count() == 1
    assert "PEG has not improved" not in client.get(chart(patient)).content.decode()
    again = client.post(review_url(patient, flag), {"note": "again"})
    assert again.status_code == 302
    flag.refresh_from_db()
    assert flag.review_note == "Discussed with Mari: pause new referrals."


@pytest.mark.parametrize("note", ["", "   ", "a\x00b"])
def test_a_review_needs_a_readable_note(signed_in, physician, flag, patient, note):
    response = signed_in(physician).post(review_url(patient, flag), {"note": note})
    assert response.status_code == 400
    assert EscalationFlag.objects.get().is_open


def test_the_clinician_worklist_lists_flagged_patients(signed_in, physician, flag, patient):
    page = signed_in(physician).get(reverse("team:worklist")).content.decode()
    section = page.split('id="worklist-not_improving"', 1)[1]
    assert patient.full_name in section and FACTS[0] in section
