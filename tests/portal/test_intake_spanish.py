"""The pre-visit intake for a Spanish-speaking patient: the app's own wording (section titles, questions, hints,
answers, the body map's places) is in Spanish (patients/locale/es); the instruments' items and the red-flag
questions stay in their English wording, with the Spanish note saying so; answers are stored by their codes;
and the clinician's summary of the same intake stays English."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from measures.definitions import get_definition
from patients import intake as sections
from patients import intake_views as staff_views
from patients import redflags
from patients.intake_services import send_intake_link
from patients.models import Intake, Language
from tests.portal.intake_steps import ALL_NO, fresh, section_url, text
from tests.portal.journey import open_link

OVERVIEW = reverse("portal:intake")
REVIEW = reverse("portal:intake_review")
ONLY_IN_ENGLISH = "Algunas de las preguntas de su historia solo están en inglés por ahora."


@pytest.fixture
def sent(patient, coordinator):
    patient.preferred_language = Language.SPANISH
    patient.save(update_fields=["preferred_language"])
    return send_intake_link(patient=patient, by=coordinator)


@pytest.fixture
def phone(sent):
    """The patient's phone (its own client: the clinician's desk below is another browser)."""
    phone = Client()
    open_link(phone, sent.url.rstrip("/").rsplit("/", 1)[1])
    return phone


@pytest.fixture
def answered(phone, sent):
    """A few sections answered on the phone, in Spanish."""
    phone.post(section_url("onset"), {"when": "1_to_5_years", "how": "Levantando a mi nieto", "go": "next"})
    where = {"regions": ["front_left_knee", "back_lower_back"], "worst": "back_lower_back", "go": "next"}
    phone.post(section_url("where"), where)
    phone.post(section_url(sections.SAFETY), {**ALL_NO, "go": "next"})
    phone.post(section_url("feels"), {"words": ["burning", "pins_and_needles"], "go": "next"})
    phone.post(section_url("treatments"), {"medications_result": "helped", "medications_side_effects": "1"})
    return fresh(sent.intake)


def page(phone, code: str) -> str:
    response = phone.get(section_url(code))
    assert response.status_code == 200
    return text(response)


# --------------------------------------------------------------------------- the patient's pages


def test_the_section_list_names_every_section_in_spanish(phone):
    listing = text(phone.get(OVERVIEW + "?all=1"))
    for title in ("1. Cuándo y cómo empezó", "2. Dónde le duele", "3. Algunas preguntas de seguridad"):
        assert title in listing
    assert "12. Lo que usted piensa" in listing
    assert "When and how it started" not in listing


def test_section_titles_questions_hints_and_choices_are_in_spanish(phone):
    onset = page(phone, "onset")
    assert "<h1>Cuándo y cómo empezó</h1>" in onset
    assert "Toda historia de dolor empieza en algún momento." in onset
    assert "¿Cuándo empezó su dolor?" in onset
    assert "Hace de 1 a 5 años" in onset
    assert "Por ejemplo: después de una caída" in onset
    assert "When did your pain start?" not in onset and "1 to 5 years ago" not in onset

    treatments = page(phone, "treatments")
    assert "Medicinas: ¿le ayudó?" in treatments  # a label built from two phrases, both in Spanish
    assert "Me causó efectos secundarios" in treatments
    assert "No lo he probado" in treatments

    feels = page(phone, "feels")
    assert "Ardor o quemazón" in feels and "Hormigueo" in feels and "Burning" not in feels
    assert "¿Cuánto le afecta el dolor en:" in page(phone, "impact")
    assert "Cosa 1" in page(phone, "goals")


def test_the_body_map_names_its_places_in_spanish_and_keeps_its_codes(phone):
    where = page(phone, "where")
    assert "<h1>Dónde le duele</h1>" in where
    assert "<title>Rodilla izquierda (de frente)</title>" in where  # the drawing's places
    assert "Parte baja de la espalda" in where  # the list under the drawing
    assert "Antebrazo y codo derechos" in where
    assert ">De frente</text>" in where and ">De espaldas</text>" in where  # the figures' captions
    assert ">Derecha</text>" in where and ">Izquierda</text>" in where  # the patient's sides
    assert "Left knee" not in where and "(front)" not in where
    # static/js/bodymap.js pairs the drawing with the list by code: codes are the same in every language.
    assert 'data-region="front_left_knee"' in where
    assert 'name="regions" value="front_left_knee"' in where


def test_instrument_items_stay_in_their_official_english_wording_with_the_spanish_note(phone):
    mood = page(phone, sections.MOOD)
    assert "<h1>Ánimo y preocupación</h1>" in mood  # the app's own title and intro are translated
    assert "Muchas clínicas hacen estas cuatro preguntas cortas." in mood
    phq2 = get_definition("phq2")
    assert phq2.items[0].text in mood
    assert phq2.items[0].options[0].label in mood
    assert ONLY_IN_ENGLISH in mood


def test_the_red_flag_questions_stay_english_with_the_spanish_note(phone):
    safety = page(phone, sections.SAFETY)
    assert "<h1>Algunas preguntas de seguridad</h1>" in safety
    assert redflags.SCREEN_INTRO in safety
    for item in redflags.ITEMS:
        assert item.text in safety
    assert ONLY_IN_ENGLISH in safety
    assert "<span>Sí</span>" in safety  # the app's own answer buttons


def test_a_spanish_speaking_patients_answers_are_stored_by_code(answered):
    assert answered.answers["onset"]["when"] == "1_to_5_years"
    assert answered.answers["where"] == {
        "regions": ["front_left_knee", "back_lower_back"],
        "worst": "back_lower_back",
        "where_notes": "",
    }
    assert answered.answers["feels"]["words"] == ["burning", "pins_and_needles"]
    assert answered.answers["treatments"]["medications_result"] == "helped"


def test_the_review_page_gives_the_answers_in_spanish(phone, answered):
    review = text(phone.get(REVIEW))
    assert "Hace de 1 a 5 años" in review
    assert "Rodilla izquierda (de frente), Parte baja de la espalda (de espaldas)" in review
    assert "Ardor o quemazón, Hormigueo" in review
    assert "<dt>Medicinas: ¿le ayudó?</dt><dd>Me ayudó</dd>" in review
    assert "1 to 5 years ago" not in review


def test_an_answer_that_needs_a_look_is_explained_in_spanish(phone):
    response = phone.post(section_url("where"), {"regions": ["front_left_knee"], "worst": "front_head", "go": "next"})
    assert response.status_code == 400
    assert "Por favor, marque también este lugar en la lista de arriba" in text(response)


# --------------------------------------------------------------------------- the clinician's pages


def test_the_clinicians_summary_of_the_same_intake_stays_english(phone, answered, signed_in, physician, monkeypatch):
    languages = []

    def story_for_spy(intake: Intake):
        languages.append(translation.get_language())
        return story_for(intake)

    story_for = staff_views.story_for
    monkeypatch.setattr(staff_views, "story_for", story_for_spy)
    phone.get(section_url("where"))  # a Spanish page just before, in the same process
    desk = signed_in(physician)
    story = text(desk.get(reverse("patients:intake_story", args=[answered.patient.public_id])))
    assert languages == ["en-us"]  # staff requests run in English
    assert "<strong>When:</strong> 1 to 5 years ago" in story
    assert "<strong>Hurts most:</strong> Lower back (back)" in story
    assert "Left knee (front), Lower back (back)" in story
    assert '<li class="story-word is-neuropathic">Burning <span' in story
    assert "Medicines" in story
    for spanish in ("Rodilla", "Hace de", "Ardor", "Medicinas", "De espaldas"):
        assert spanish not in story

    answers = text(desk.get(reverse("patients:intake_answers", args=[answered.patient.public_id])))
    assert "When and how it started" in answers
    assert "<dt>When did your pain start?</dt><dd>1 to 5 years ago</dd>" in answers
    assert "Cuándo" not in answers
