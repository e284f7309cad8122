"""Fixtures for the measures tests: a made-up instrument (never a licensed one) in the definition format."""

import copy

import pytest

MADE_UP = {
    "format": 1,
    "code": "demo_steps",
    "name": "Demo Steps",
    "title": "Demo Steps (a made-up test instrument, not a real questionnaire)",
    "version": "Demo Steps 1 (test only)",
    "language": "en",
    "stem": "Think about the last 7 days.",
    "patient_subject": "Your steps score",
    "items": [
        {
            "code": "demo_1",
            "text": "How many days did you walk outside?",
            "scored": True,
            "options": [
                {"value": 0, "label": "No days"},
                {"value": 1, "label": "1-2 days"},
                {"value": 2, "label": "3-4 days"},
                {"value": 3, "label": "5 or more days"},
            ],
        },
        {
            "code": "demo_2",
            "text": "How many days did you stretch?",
            "scored": True,
            "options": [
                {"value": 0, "label": "No days"},
                {"value": 1, "label": "1-2 days"},
                {"value": 2, "label": "3-4 days"},
                {"value": 3, "label": "5 or more days"},
            ],
        },
        {
            "code": "demo_3",
            "text": "Did you feel unsafe at home?",
            "scored": True,
            "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}],
        },
        {
            "code": "demo_note",
            "text": "Was this week typical for you?",
            "scored": False,
            "uses_stem": False,
            "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}],
        },
    ],
    "scoring": {"method": "sum"},
    "display_decimals": 0,
    "bands": [
        {"label": "low", "min": 0, "max": 2},
        {"label": "some", "min": 3, "max": 4},
        {"label": "high", "min": 5, "max": 7},
    ],
    "screen": {"cutoff": 5, "alternatives": [6]},
    "alerts": [{"flag": "home_safety", "item": "demo_3", "above": 0, "note": "test alert"}],
    "change": {
        "better": "higher",
        "responder": {"rule": "percent_improvement", "min_percent": 30, "status": "UNVERIFIED"},
        "remission": {"above": 5},
        "meaningful_change": {"points": 2},
    },
    "loinc": {"panel": None, "total": None},
    "licence": {
        "holder": "Haven test suite (made-up instrument)",
        "reference": "No licence needed: invented for tests, never shown to patients",
        "status": "UNVERIFIED",
        "terms": None,
        "urls": [],
        "expires": "2099-12-31",
        "permitted_languages": ["en"],
        "no_modification": True,
    },
    "attribution_text": "Made up for Haven's tests.",
    "source": {"citation": "None: a made-up test instrument.", "urls": []},
    "verified_on": "2026-11-22",
    "verified_against": "nothing (test data)",
    "notes": ["Invented for tests; not a clinical instrument."],
}


@pytest.fixture
def made_up_data():
    """A fresh, mutable copy of the made-up definition."""
    return copy.deepcopy(MADE_UP)
