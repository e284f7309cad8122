"""Complexity: simple or complex with a reason, kept as history and copied onto the patient; its page."""

import re

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from patients.models import ComplexityRating, Patient
from patients.problem_services import rate_complexity
from tests.factories import PatientFactory


def page_url(patient):
    return reverse("patients:complexity", args=[patient.public_id])


REASON = "Function declining despite escalating treatment; five providers."


def test_it_records_a_rating_with_its_reason_and_copies_the_level_onto_the_patient(physician, patient):
    row = rate_complexity(patient=patient, by=physician, level="complex", reason=f"  {REASON} ")
    assert (row.level, row.reason, row.recorded_by) == ("complex", REASON, physician)
    assert row.level_word == "Complex"
    assert Patient.objects.get(pk=patient.pk).complexity == "complex"
    event = AuditEvent.objects.get(patient=patient)
    assert (event.action, event.target) == (Action.CREATE, "complexity rated")


def test_a_new_rating_replaces_the_current_level_and_keeps_the_history(physician, psychologist, patient):
    rate_complexity(patient=patient, by=physician, level="complex", reason=REASON)
    rate_complexity(patient=patient, by=psychologist, level="simple", reason="Back at work, functional.")
    assert Patient.objects.get(pk=patient.pk).complexity == "simple"
    history = ComplexityRating.objects.filter(patient=patient).newest_first()
    assert [(r.level, r.recorded_by) for r in history] == [("simple", psychologist), ("complex", physician)]


@pytest.mark.parametrize(("level", "reason"), [("complex", "   "), ("", REASON), ("very", REASON)])
def test_it_refuses_a_rating_without_a_reason_or_level(physician, patient, level, reason):
    with pytest.raises(ValueError):
        rate_complexity(patient=patient, by=physician, level=level, reason=reason)
    assert not ComplexityRating.objects.exists()


def test_the_case_conference_finds_the_complex_patients(physician, patient, other_patient, other_team_lead):
    PatientFactory()  # never rated
    rate_complexity(patient=patient, by=physician, level="complex", reason=REASON)
    rate_complexity(patient=other_patient, by=other_team_lead, level="complex", reason=REASON)
    rate_complexity(patient=other_patient, by=other_team_lead, level="simple", reason="Responding to standard care.")
    assert list(Patient.objects.complex()) == [patient]


# --------------------------------------------------------------------------- page


@pytest.mark.parametrize("who", ["physician", "psychologist"])
def test_a_team_clinician_rates_complexity_from_the_page(request, signed_in, patient, who):
    person = request.getfixturevalue(who)
    response = signed_in(person).post(page_url(patient), {"level": "complex", "reason": REASON})
    assert response.status_code == 302
    assert response["Location"].endswith("#complexity")
    assert ComplexityRating.objects.get().recorded_by == person
    assert Patient.objects.get(pk=patient.pk).complexity == "complex"


def test_it_asks_for_the_reason_and_keeps_the_choice(signed_in, physician, patient):
    response = signed_in(physician).post(page_url(patient), {"level": "complex", "reason": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the reason for this rating." in page
    assert re.search(r'name="level" value="complex"[^>]* checked', page)
    assert not ComplexityRating.objects.exists()


def test_it_refuses_a_level_that_is_not_offered(signed_in, physician, patient):
    response = signed_in(physician).post(page_url(patient), {"level": "", "reason": REASON})
    assert response.status_code == 400
    assert "Choose simple or complex." in response.content.decode()
    assert REASON in response.content.decode()


def test_the_page_shows_the_history_with_who_and_when(signed_in, physician, psychologist, patient):
    rate_complexity(patient=patient, by=physician, level="complex", reason=REASON)
    response = signed_in(psychologist).get(page_url(patient))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ada Okafor, MD" in page and REASON in page
    assert "Complex: declining function despite escalating treatment, many providers" in page
    assert AuditEvent.objects.filter(actor=psychologist, action=Action.VIEW, target="complexity").count() == 1


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_read_but_may_not_rate(request, signed_in, physician, patient, who):
    rate_complexity(patient=patient, by=physician, level="complex", reason=REASON)
    client = signed_in(request.getfixturevalue(who))
    shown = client.get(page_url(patient))
    assert shown.status_code == 200 and shown.context["form"] is None
    assert REASON in shown.content.decode()
    assert client.post(page_url(patient), {"level": "simple", "reason": "x"}).status_code == 403
    assert Patient.objects.get(pk=patient.pk).complexity == "complex"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_clinician_on_no_team_gets_a_404(signed_in, outsider, patient, method):
    response = getattr(signed_in(outsider), method)(page_url(patient), {"level": "simple", "reason": REASON})
    assert response.status_code == 404
    assert not ComplexityRating.objects.exists()
    assert not AuditEvent.objects.exclude(action=Action.REFUSED).exists()
