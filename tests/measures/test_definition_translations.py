"""Instrument definitions carry their publishers' official translations (measures/definition_translations.py):
all items and answers, same codes and values, with a source; the same scoring whatever the words."""

import pytest

from measures.definitions import get_definition, load_definition
from measures.instrument import DefinitionError
from measures.scoring import score_with
from tests.measures.translated_instrument import SOURCE, translated_data

ANSWERS = {"demo_1": 2, "demo_2": 1, "demo_3": 0, "demo_note": 1}


def test_a_definition_loads_with_its_translation_and_says_which_languages_it_speaks():
    spec = load_definition(translated_data())
    assert spec.languages == ("en", "es")
    spanish = spec.worded_in("es")
    assert spanish.language == "es"
    assert spanish.stem == "Piense en los últimos 7 días."
    assert spanish.item("demo_1").text == "¿Cuántos días caminó afuera?"
    assert spanish.item("demo_1").options[0].label == "Ningún día"
    assert spanish.translation_source == SOURCE


def test_the_translation_keeps_the_original_s_codes_values_and_scoring():
    spec = load_definition(translated_data())
    spanish = spec.worded_in("es")
    assert spanish.item_codes == spec.item_codes
    assert [item.values for item in spanish.items] == [item.values for item in spec.items]
    assert [item.scored for item in spanish.items] == [item.scored for item in spec.items]
    assert (spanish.bands, spanish.alerts, spanish.screen) == (spec.bands, spec.alerts, spec.screen)
    assert score_with(spanish, ANSWERS) == score_with(spec, ANSWERS)


def test_a_language_without_a_translation_gets_the_original_words():
    spec = load_definition(translated_data())
    assert spec.worded_in("fr") is spec
    assert spec.worded_in("en") is spec
    assert spec.translation_source is None


def test_the_shipped_instruments_carry_no_translation_the_clinic_reference_has_none():
    for code in ("peg", "phq9", "gad7"):
        assert get_definition(code).languages == ("en",)


def _drop_an_item(translation):
    translation["items"].pop()


def _swap_items(translation):
    translation["items"].reverse()


def _change_a_value(translation):
    translation["items"][0]["options"][0]["value"] = 9


def _drop_an_option(translation):
    translation["items"][2]["options"].pop()


@pytest.mark.parametrize(
    ("break_it", "named"),
    [
        (lambda t: t.pop("source"), "is missing source"),
        (lambda t: t["source"].pop("citation"), "citation"),
        (lambda t: t.pop("stem"), "stem"),
        (_drop_an_item, "must list all 4 items"),
        (_swap_items, "expected the item 'demo_1' here"),
        (_change_a_value, "expected the answer with value 0 here"),
        (_drop_an_option, "must list all 2 answers"),
        (lambda t: t.update(colour="blue"), "colour"),
        (lambda t: t["items"][0].update(scored=False), "scored"),
    ],
)
def test_an_incomplete_or_altered_translation_is_refused_naming_the_problem(break_it, named):
    data = translated_data()
    break_it(data["translations"]["es"])
    with pytest.raises(DefinitionError) as refused:
        load_definition(data)
    assert named in str(refused.value)


def test_a_translation_the_licence_does_not_permit_is_refused():
    data = translated_data()
    data["licence"]["permitted_languages"] = ["en"]
    with pytest.raises(DefinitionError, match="the licence permits only en"):
        load_definition(data)


@pytest.mark.parametrize("language", ["en", "Spanish", "ES", "e"])
def test_a_translation_needs_another_language_s_code(language):
    data = translated_data()
    data["translations"] = {language: data["translations"]["es"]}
    with pytest.raises(DefinitionError, match="translation"):
        load_definition(data)
