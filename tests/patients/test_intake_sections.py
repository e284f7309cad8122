"""The intake's sections and body map as data, and the pure cleaning of a section's posted answers."""

import pytest

from measures.definitions import get_definition
from patients import bodymap, redflags
from patients import intake as sections
from patients.intake import clean_section

SECTION = sections.SECTIONS_BY_CODE


def test_there_are_twelve_sections_with_unique_field_codes():
    assert len(sections.SECTIONS) == 12
    for section in sections.SECTIONS:
        codes = [f.code for f in section.fields]
        assert len(codes) == len(set(codes)), section.code


def test_the_issue_s_parts_each_have_a_section():
    assert {"onset", "where", "safety", "feels", "better_worse", "impact", "treatments", "life", "mood"} <= set(
        sections.SECTION_CODES
    )
    assert {"worries_hopes", "goals", "your_view"} <= set(sections.SECTION_CODES)
    assert [label for _, label in sections.FOUR_QUESTIONS] == [
        "What do you think the problem is?",
        "What do you think should be done?",
        "What would you like from us?",
        "What are you willing to try?",
    ]


def test_the_feeling_words_include_the_issue_s_words_and_mark_the_neuropathic_ones():
    keys = {choice.key for choice in sections.FEELING_WORDS}
    assert {"burning", "shooting", "tingling", "aching", "stabbing"} <= keys
    assert {"burning", "shooting", "tingling", "electric", "pins_and_needles", "numbness"} == sections.NEUROPATHIC_WORDS
    assert keys >= sections.NEUROPATHIC_WORDS


def test_the_red_flag_section_asks_every_screen_item_in_the_screen_s_words():
    safety = SECTION[sections.SAFETY]
    assert safety.intro == redflags.SCREEN_INTRO
    assert [(f.code, f.label) for f in safety.fields] == [(item.code, item.text) for item in redflags.ITEMS]


@pytest.mark.parametrize("code", ["phq2", "gad2"])
def test_the_mood_section_uses_the_shipped_instruments_word_for_word(code):
    spec = get_definition(code)
    mood = SECTION[sections.MOOD]
    group = next(g for g in mood.groups if g.fields[0].code in spec.item_codes)
    assert group.legend == spec.stem
    for item, f in zip(spec.items, group.fields, strict=True):
        assert (f.code, f.label) == (item.code, item.text)
        assert [(c.value, c.label) for c in f.options] == [(o.value, o.label) for o in item.options]


def test_section_navigation():
    assert sections.next_code("onset") == "where"
    assert sections.previous_code("where") == "onset"
    assert sections.previous_code("onset") is None
    assert sections.next_code(sections.SECTION_CODES[-1]) is None
    assert sections.first_unsaved([]) == "onset"
    assert sections.first_unsaved(["onset", "where"]) == "safety"
    assert sections.first_unsaved(list(sections.SECTION_CODES)) is None


# --------------------------------------------------------------------------- the body map


def test_the_body_map_has_about_twenty_regions_a_side_with_unique_codes():
    front, back = bodymap.regions_on(bodymap.FRONT), bodymap.regions_on(bodymap.BACK)
    assert 18 <= len(front) <= 25 and 18 <= len(back) <= 25
    assert len(bodymap.CODES) == len(bodymap.REGIONS)
    assert {"front_head", "back_lower_back", "front_left_knee", "back_right_calf"} <= bodymap.CODES
    assert all(region.code.startswith(f"{region.side}_") for region in bodymap.REGIONS)


def test_left_and_right_are_the_patient_s_own_on_both_figures():
    left_front = bodymap.REGIONS_BY_CODE["front_left_knee"].center[0]
    right_front = bodymap.REGIONS_BY_CODE["front_right_knee"].center[0]
    left_back = bodymap.REGIONS_BY_CODE["back_left_knee"].center[0]
    right_back = bodymap.REGIONS_BY_CODE["back_right_knee"].center[0]
    assert right_front < left_front  # facing us: their right is on our left
    assert left_back < right_back  # from behind: their left is on our left
    assert max(left_front, right_front) < min(left_back, right_back)  # the back figure is to the right


def test_region_shapes_stay_inside_their_figure():
    width = bodymap.FIGURE_WIDTH
    for region in bodymap.REGIONS:
        x, y = region.center
        start = region.offset
        assert start < x < start + width and 0 < y < bodymap.FIGURE_HEIGHT, region.code


def test_labels_and_known_keep_map_order_and_drop_unknown_codes():
    assert bodymap.known(["back_lower_back", "nowhere", "front_head", "front_head"]) == [
        "front_head",
        "back_lower_back",
    ]
    assert bodymap.labels(["back_lower_back", "front_left_knee"]) == ["Left knee (front)", "Lower back (back)"]


# --------------------------------------------------------------------------- cleaning


@pytest.mark.parametrize(
    ("code", "data", "values", "errors"),
    [
        ("onset", {}, {"when": None, "how": ""}, {}),
        (
            "onset",
            {"when": ["over_5_years"], "how": ["  a fall \r\n at work "]},
            {"when": "over_5_years", "how": "a fall \n at work"},
            {},
        ),
        ("onset", {"when": ["last tuesday"]}, {"how": ""}, {"when": sections.NOT_AN_OPTION}),
        ("onset", {"how": ["a\x00b\x07c\td"]}, {"when": None, "how": "abc\td"}, {}),
        (
            "feels",
            {"words": ["tingling", "aching", "tingling"]},
            {"words": ["aching", "tingling"], "other_words": ""},
            {},
        ),
        ("feels", {"words": ["aching", "itchy"]}, {"other_words": ""}, {"words": sections.NOT_AN_OPTION}),
        (
            "where",
            {"regions": ["back_lower_back", "front_head"], "worst": ["back_lower_back"]},
            {"regions": ["front_head", "back_lower_back"], "worst": "back_lower_back", "where_notes": ""},
            {},
        ),
        (
            "where",
            {"regions": ["front_head"], "worst": ["back_lower_back"]},
            {"regions": ["front_head"], "where_notes": ""},
            {"worst": sections.WORST_NOT_MARKED},
        ),
        ("safety", {"leg_weakness": ["yes"], "history_of_cancer": ["no"]}, None, {}),
        ("safety", {"leg_weakness": ["maybe"]}, None, {"leg_weakness": sections.NOT_AN_OPTION}),
        ("mood", {"phq2_1": ["3"], "gad2_2": ["0"]}, {"phq2_1": 3, "phq2_2": None, "gad2_1": None, "gad2_2": 0}, {}),
        ("mood", {"phq2_1": ["4"]}, None, {"phq2_1": sections.NOT_AN_OPTION}),
        ("mood", {"phq2_1": ["3.0"]}, None, {"phq2_1": sections.NOT_AN_OPTION}),
        (
            "goals",
            {"goal_1": ["Walk the dog"], "nonsense": ["x"]},
            {"goal_1": "Walk the dog", "goal_2": "", "goal_3": ""},
            {},
        ),
    ],
)
def test_cleaning_a_section(code, data, values, errors):
    cleaned = clean_section(SECTION[code], data)
    if values is not None:
        assert cleaned.values == values
    assert cleaned.errors == errors
    assert cleaned.is_valid == (not errors)


def test_yes_and_no_become_booleans_and_blank_is_unanswered():
    cleaned = clean_section(SECTION[sections.SAFETY], {"leg_weakness": ["yes"], "history_of_cancer": ["no"]})
    assert cleaned.values["leg_weakness"] is True and cleaned.values["history_of_cancer"] is False
    assert cleaned.values["saddle_numbness"] is None
    assert sections.unanswered(SECTION[sections.SAFETY], cleaned.values) == [
        item.code for item in redflags.ITEMS if item.code not in ("leg_weakness", "history_of_cancer")
    ]


def test_a_tick_box_is_true_only_when_ticked():
    treatments = SECTION["treatments"]
    assert clean_section(treatments, {"surgery_side_effects": ["1"]}).values["surgery_side_effects"] is True
    assert clean_section(treatments, {}).values["surgery_side_effects"] is False


def test_too_long_text_is_refused_and_kept_as_typed():
    typed = "é" * (sections.TEXT_MAX + 1)
    cleaned = clean_section(SECTION[sections.GOALS], {"goal_1": [typed], "goal_2": ["Swim"]})
    assert cleaned.errors == {"goal_1": sections.TOO_LONG.format(limit=sections.TEXT_MAX, count=sections.TEXT_MAX + 1)}
    assert cleaned.raw["goal_1"] == typed
    assert cleaned.values == {"goal_2": "Swim", "goal_3": ""}


def test_saved_answers_read_back_into_the_form_and_into_words():
    mood = SECTION[sections.MOOD]
    stored = {"phq2_1": 0, "phq2_2": 3}
    assert sections.as_form_values(mood, stored)["phq2_1"] == "0"
    assert sections.as_form_values(mood, stored)["gad2_1"] == ""
    words = {a.label: a.text for a in sections.describe(mood, stored)}
    assert words["Little interest or pleasure in doing things"] == "Not at all"
    assert words["Feeling down, depressed, or hopeless"] == "Nearly every day"
    assert words["Feeling nervous, anxious, or on edge"] == ""
    safety = SECTION[sections.SAFETY]
    assert sections.as_form_values(safety, {"leg_weakness": True})["leg_weakness"] == "yes"
    assert {a.label: a.text for a in sections.describe(safety, {"leg_weakness": False})}[
        "New or worsening weakness in the legs"
    ] == "No"


@pytest.mark.parametrize("stored", [{"when": 5}, {"when": True}, {"when": ["x"]}, {"how": 3}, {"when": "gone"}])
def test_odd_stored_values_read_as_unanswered(stored):
    onset = SECTION["onset"]
    assert all(answer.text == "" for answer in sections.describe(onset, stored))
    sections.bind(onset, sections.as_form_values(onset, stored))
