"""The made-up test instrument (tests/measures/conftest.py) with a made-up Spanish "official translation":
test data only, never a real questionnaire's wording."""

import copy

from tests.measures.conftest import MADE_UP

SOURCE = "Haven test suite: made-up Spanish wording of the made-up Demo Steps (test only)"
SPANISH = {
    "stem": "Piense en los últimos 7 días.",
    "items": [
        {
            "code": "demo_1",
            "text": "¿Cuántos días caminó afuera?",
            "options": [
                {"value": 0, "label": "Ningún día"},
                {"value": 1, "label": "1 o 2 días"},
                {"value": 2, "label": "3 o 4 días"},
                {"value": 3, "label": "5 días o más"},
            ],
        },
        {
            "code": "demo_2",
            "text": "¿Cuántos días hizo estiramientos?",
            "options": [
                {"value": 0, "label": "Ningún día"},
                {"value": 1, "label": "1 o 2 días"},
                {"value": 2, "label": "3 o 4 días"},
                {"value": 3, "label": "5 días o más"},
            ],
        },
        {
            "code": "demo_3",
            "text": "¿Se sintió inseguro en su casa?",
            "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Sí"}],
        },
        {
            "code": "demo_note",
            "text": "¿Fue una semana normal para usted?",
            "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Sí"}],
        },
    ],
    "source": {"citation": SOURCE},
}


def translated_data() -> dict:
    """A fresh, mutable copy of the made-up definition with its Spanish translation."""
    data = copy.deepcopy(MADE_UP)
    data["translations"] = {"es": copy.deepcopy(SPANISH)}
    data["licence"]["permitted_languages"] = ["en", "es"]
    return data
