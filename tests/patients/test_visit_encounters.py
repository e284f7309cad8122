"""The functional test catalogue and the cleaning of a functional test entry (patients/encounters.py). Pure."""

import pytest

from patients.encounters import (
    CATALOGUE,
    MAX_ENTRIES,
    OTHER,
    FunctionalTestError,
    clean_functional_test,
    clean_functional_tests,
    describe,
)


def refusal(entry):
    with pytest.raises(FunctionalTestError) as refused:
        clean_functional_test(entry)
    return refused.value


def test_the_catalogue_holds_the_issues_tests_and_other():
    assert set(CATALOGUE) == {
        "timed_10m_walk",
        "six_minute_walk",
        "sit_to_stand_30s",
        "five_times_sit_to_stand",
        "lift_floor_to_waist",
        OTHER,
    }
    units = {code: test.unit for code, test in CATALOGUE.items()}
    assert units["timed_10m_walk"] == units["five_times_sit_to_stand"] == "seconds"
    assert units["six_minute_walk"] == "metres"
    assert units["sit_to_stand_30s"] == "repetitions"
    assert units["lift_floor_to_waist"] == "kg"


@pytest.mark.parametrize(
    ("entry", "cleaned"),
    [
        ({"test": "timed_10m_walk", "value": "12.5"}, {"test": "timed_10m_walk", "value": 12.5}),
        ({"test": "timed_10m_walk", "value": " 12,5 "}, {"test": "timed_10m_walk", "value": 12.5}),
        ({"test": "timed_10m_walk", "value": "12"}, {"test": "timed_10m_walk", "value": 12}),
        ({"test": "six_minute_walk", "value": "350"}, {"test": "six_minute_walk", "value": 350}),
        ({"test": "six_minute_walk", "value": "350.0"}, {"test": "six_minute_walk", "value": 350}),
        ({"test": "six_minute_walk", "value": "0"}, {"test": "six_minute_walk", "value": 0}),
        ({"test": "sit_to_stand_30s", "value": "9"}, {"test": "sit_to_stand_30s", "value": 9}),
        ({"test": "sit_to_stand_30s", "value": 0}, {"test": "sit_to_stand_30s", "value": 0}),
        ({"test": "five_times_sit_to_stand", "value": 14.2}, {"test": "five_times_sit_to_stand", "value": 14.2}),
        ({"test": "lift_floor_to_waist", "value": "7.5"}, {"test": "lift_floor_to_waist", "value": 7.5}),
        (
            {"test": "lift_floor_to_waist", "value": "10", "note": "  stopped:  back  pain "},
            {"test": "lift_floor_to_waist", "value": 10, "note": "stopped: back pain"},
        ),
        (
            {"test": OTHER, "label": "Single-leg stance", "value": "20.25", "unit": "s"},
            {"test": OTHER, "label": "Single-leg stance", "value": 20.25, "unit": "s"},
        ),
        ({"test": OTHER, "label": "Steps", "value": "4000"}, {"test": OTHER, "label": "Steps", "value": 4000}),
    ],
)
def test_it_cleans_a_valid_entry(entry, cleaned):
    assert clean_functional_test(entry) == cleaned


@pytest.mark.parametrize(
    "entry",
    [
        {"test": "timed_10m_walk", "value": 12.5},
        {"test": OTHER, "label": "Single-leg stance", "value": 20.25, "unit": "s", "note": "left"},
        {"test": "sit_to_stand_30s", "value": 0},
    ],
)
def test_cleaning_a_cleaned_entry_changes_nothing(entry):
    assert clean_functional_test(entry) == entry


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ({"test": "", "value": "3"}, "test", "Choose a test from the list."),
        ({"test": "jumping", "value": "3"}, "test", "Choose a test from the list."),
        ({"value": "3"}, "test", "Choose a test from the list."),
        ({"test": "timed_10m_walk", "value": ""}, "value", "Enter the result of the timed 10-metre walk."),
        ({"test": "timed_10m_walk"}, "value", "Enter the result of the timed 10-metre walk."),
        ({"test": "timed_10m_walk", "value": "fast"}, "value", "Enter the result as a number, for example 12.5."),
        ({"test": "timed_10m_walk", "value": "1e3"}, "value", "Enter the result as a number, for example 12.5."),
        ({"test": "timed_10m_walk", "value": "NaN"}, "value", "Enter the result as a number, for example 12.5."),
        ({"test": "timed_10m_walk", "value": float("inf")}, "value", "Enter the result as a number, for example 12.5."),
        ({"test": "timed_10m_walk", "value": True}, "value", "Enter the result of the timed 10-metre walk."),
        ({"test": "timed_10m_walk", "value": [12]}, "value", "Enter the result as a number, for example 12.5."),
        ({"test": "timed_10m_walk", "value": "-3"}, "value", "A result cannot be negative."),
        ({"test": "sit_to_stand_30s", "value": -1}, "value", "A result cannot be negative."),
        (
            {"test": "timed_10m_walk", "value": "0"},
            "value",
            "A timed 10-metre walk cannot take 0 seconds: check the result.",
        ),
        ({"test": "timed_10m_walk", "value": "0.4"}, "value", "The result must be at least 1 second."),
        (
            {"test": "timed_10m_walk", "value": "1250"},
            "value",
            "That is more than the 300 seconds this test allows: check the result.",
        ),
        (
            {"test": "six_minute_walk", "value": "5000"},
            "value",
            "That is more than the 1200 metres this test allows: check the result.",
        ),
        (
            {"test": "lift_floor_to_waist", "value": "5000"},
            "value",
            "That is more than the 200 kg this test allows: check the result.",
        ),
        (
            {"test": "sit_to_stand_30s", "value": "61"},
            "value",
            "That is more than the 60 repetitions this test allows: check the result.",
        ),
        ({"test": "sit_to_stand_30s", "value": "9.5"}, "value", "Count whole repetitions (no decimals)."),
        ({"test": "six_minute_walk", "value": "350.5"}, "value", "Enter the result as a whole number of metres."),
        ({"test": "timed_10m_walk", "value": "12.55"}, "value", "Enter the result with at most 1 decimal place."),
        ({"test": OTHER, "value": "3"}, "label", "Name the test, for example: single-leg stance."),
        ({"test": OTHER, "label": "   ", "value": "3"}, "label", "Name the test, for example: single-leg stance."),
        (
            {"test": OTHER, "label": "x" * 101, "value": "3"},
            "label",
            "Keep the test's name to 100 characters (it has 101).",
        ),
        (
            {"test": OTHER, "label": "Reach", "value": "3", "unit": "u" * 21},
            "unit",
            "Keep the unit to 20 characters (it has 21).",
        ),
        (
            {"test": "timed_10m_walk", "value": "3", "note": "n" * 201},
            "note",
            "Keep the note to 200 characters (it has 201).",
        ),
        ({"test": "timed_10m_walk", "value": "3", "note": 5}, "note", "Write the note as text."),
        (
            {"test": "timed_10m_walk", "value": "3", "note": "a\x00b"},
            "note",
            "The note contains a character that cannot be saved.",
        ),
    ],
)
def test_it_refuses_an_impossible_entry_with_a_clear_message(entry, field, message):
    refused = refusal(entry)
    assert (refused.field, refused.message) == (field, message)


def test_an_entry_must_be_a_mapping():
    assert refusal(["timed_10m_walk", 12]).field == "test"


def test_a_list_is_cleaned_in_order_and_capped():
    entries = [{"test": "sit_to_stand_30s", "value": str(n)} for n in range(3)]
    assert [e["value"] for e in clean_functional_tests(entries)] == [0, 1, 2]
    assert clean_functional_tests([]) == []
    with pytest.raises(FunctionalTestError, match=f"at most {MAX_ENTRIES}"):
        clean_functional_tests([{"test": "sit_to_stand_30s", "value": 1}] * (MAX_ENTRIES + 1))
    with pytest.raises(FunctionalTestError, match="cannot be negative"):
        clean_functional_tests([{"test": "sit_to_stand_30s", "value": 1}, {"test": "sit_to_stand_30s", "value": -1}])


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"test": "timed_10m_walk", "value": 12.5}, "Timed 10-metre walk: 12.5 seconds"),
        ({"test": "timed_10m_walk", "value": 1}, "Timed 10-metre walk: 1 second"),
        ({"test": "six_minute_walk", "value": 350}, "Six-minute walk distance: 350 metres"),
        ({"test": "sit_to_stand_30s", "value": 9}, "30-second sit-to-stand: 9 repetitions"),
        ({"test": "sit_to_stand_30s", "value": 1}, "30-second sit-to-stand: 1 repetition"),
        ({"test": "five_times_sit_to_stand", "value": 14.2}, "Five times sit-to-stand: 14.2 seconds"),
        ({"test": "lift_floor_to_waist", "value": 10, "note": "stopped"}, "Lift, floor to waist: 10 kg (stopped)"),
        ({"test": OTHER, "label": "Single-leg stance", "value": 20, "unit": "s"}, "Single-leg stance: 20 s"),
        ({"test": OTHER, "label": "Steps", "value": 4000}, "Steps: 4000"),
        ({"test": "gone", "value": 3}, "Functional test (not readable)"),
        ({"test": "timed_10m_walk", "value": "12"}, "Functional test (not readable)"),
    ],
)
def test_it_describes_an_entry_in_words(entry, words):
    assert describe(entry) == words
