"""A response records the language its questions were given in (Response.language: the definition's own, since
only a publisher's official wording is shown), and the team sees "answered in English" where a patient whose
preferred language is another one answered the English wording."""

from django.urls import reverse

from measures.models import Response
from patients.models import Language
from tests.measures.responses import peg

BADGE = "answered in English"


def detail_url(patient, code="peg"):
    return reverse("measures:detail", args=[patient.public_id, code])


def test_a_response_records_the_language_of_its_questions(patient):
    peg(patient, 5)
    response = Response.objects.get(patient=patient)
    assert response.language == response.instrument.spec.language == "en"


def test_the_team_sees_answered_in_english_for_a_spanish_speaking_patient(signed_in, physician, patient):
    patient.preferred_language = Language.SPANISH
    patient.save(update_fields=["preferred_language"])
    peg(patient, 5)
    page = signed_in(physician).get(detail_url(patient)).content.decode()
    assert BADGE in page


def test_the_team_sees_no_language_note_when_the_patient_answered_in_their_own_language(signed_in, physician, patient):
    peg(patient, 5)
    page = signed_in(physician).get(detail_url(patient)).content.decode()
    assert BADGE not in page
