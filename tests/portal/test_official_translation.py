"""A questionnaire with its publisher's official translation loaded is given in the patient's language: the
questions in that wording, the response records it, and no "only in English" note. Without one, the English
wording and the note (tests/portal/test_translations.py). The instrument and its Spanish are made up."""

import pytest
from django.urls import reverse

from measures.importer import import_instrument
from measures.models import Response
from patients.models import Language
from tests.measures.translated_instrument import SOURCE, translated_data
from tests.portal.journey import invite, open_link

pytestmark = pytest.mark.django_db

ONLY_ENGLISH = "solo están en inglés"


@pytest.fixture
def translated(clinic_admin):
    return import_instrument(data=translated_data(), by=clinic_admin)


def started(client, patient, *, language):
    patient.preferred_language = language
    patient.save(update_fields=["preferred_language"])
    _, token = invite(patient, codes=("demo_steps",))
    open_link(client, token)
    first = client.post(reverse("portal:start", args=["demo_steps"]), follow=True)
    return Response.objects.get(patient=patient), first.content.decode()


def test_a_spanish_speaking_patient_answers_the_official_spanish_wording(client, patient, translated):
    response, page = started(client, patient, language=Language.SPANISH)
    assert response.language == "es"
    assert "¿Cuántos días caminó afuera?" in page and "Piense en los últimos 7 días." in page
    assert "Ningún día" in page and "No days" not in page
    assert ONLY_ENGLISH not in page
    assert 'lang="es"' in page
    assert SOURCE in page  # the translation's source, beside the instrument's attribution


def test_the_review_shows_the_answers_in_the_same_wording(client, patient, translated):
    response, _ = started(client, patient, language=Language.SPANISH)
    for number, value in ((1, 2), (2, 1), (3, 0), (4, 1)):
        client.post(reverse("portal:question", args=[response.public_id, number]), {"answer": value})
    review = client.get(reverse("portal:review", args=[response.public_id])).content.decode()
    assert "¿Cuántos días hizo estiramientos?" in review and "3 o 4 días" in review


def test_an_english_speaking_patient_gets_the_original_wording(client, patient, translated):
    response, page = started(client, patient, language=Language.ENGLISH)
    assert response.language == "en"
    assert "How many days did you walk outside?" in page and "¿Cuántos" not in page


def test_a_response_keeps_the_language_it_was_started_in_when_the_page_language_changes(client, patient, translated):
    response, _ = started(client, patient, language=Language.SPANISH)
    client.post(reverse("portal:language"), {"language": "en"})
    page = client.get(reverse("portal:question", args=[response.public_id, 1])).content.decode()
    assert "¿Cuántos días caminó afuera?" in page
    response.refresh_from_db()
    assert response.language == "es"
