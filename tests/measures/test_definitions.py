"""Instrument definitions: the shipped files load and match REFERENCE.md; a made-up instrument loads and
scores through the same function; malformed definitions are refused with a message naming the problem.
No database."""

import json

import pytest

from measures.definitions import (
    INSTRUMENTS_DIR,
    DefinitionError,
    InstrumentDefinition,
    get_definition,
    load_definition,
    load_definition_file,
    shipped_instruments,
)
from measures.scoring import score, score_with
from tests.reference import reference_text

ITEM_CODES = {
    "peg": ["peg_1", "peg_2", "peg_3"],
    "phq9": [f"phq9_{i}" for i in range(1, 10)] + ["phq9_difficulty"],
    "phq2": ["phq2_1", "phq2_2"],
    "gad7": [f"gad7_{i}" for i in range(1, 8)] + ["gad7_difficulty"],
    "gad2": ["gad2_1", "gad2_2"],
    "pcptsd5": ["pcptsd5_exposure"] + [f"pcptsd5_{i}" for i in range(1, 6)],
    "auditc": ["auditc_1", "auditc_2", "auditc_3"],
}
UNSCORED = {"phq9_difficulty", "gad7_difficulty", "pcptsd5_exposure"}


def raw(code):
    return json.loads((INSTRUMENTS_DIR / f"{code}.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the shipped files


def test_every_shipped_file_loads():
    files = sorted(INSTRUMENTS_DIR.glob("*.json"))
    assert len(files) == 7
    for path in files:
        assert isinstance(load_definition_file(path), InstrumentDefinition)
    assert set(shipped_instruments()) == set(ITEM_CODES)


def test_shipped_instruments_are_cached_and_read_only():
    assert shipped_instruments() is shipped_instruments()
    with pytest.raises(TypeError):
        shipped_instruments()["bpi"] = None


@pytest.mark.parametrize("code", sorted(ITEM_CODES))
def test_item_codes_and_scored_flags_follow_the_contract(code):
    definition = get_definition(code)
    assert list(definition.item_codes) == ITEM_CODES[code]
    for item in definition.items:
        assert item.scored is (item.code not in UNSCORED)


@pytest.mark.parametrize("code", sorted(ITEM_CODES))
def test_every_shipped_file_carries_licence_attribution_source_and_date(code):
    definition = get_definition(code)
    data = raw(code)
    assert definition.licence.holder and definition.licence.reference
    assert definition.licence.status in {"VERIFIED", "PARTIAL", "UNVERIFIED"}
    assert definition.attribution_text
    assert definition.source_citation
    assert definition.verified_on is not None
    assert data["version"]
    assert definition.notes, "PARTIAL/UNVERIFIED points are recorded in notes"


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [
        ("peg", 0, 10),
        ("phq9", 0, 27),
        ("phq2", 0, 6),
        ("gad7", 0, 21),
        ("gad2", 0, 6),
        ("pcptsd5", 0, 5),
        ("auditc", 0, 12),
    ],
)
def test_score_ranges(code, low, high):
    definition = get_definition(code)
    assert (definition.min_total, definition.max_total) == (low, high)


def test_the_scoring_rules():
    assert {code: d.method for code, d in shipped_instruments().items()} == {
        "peg": "mean",
        "phq9": "sum",
        "phq2": "sum",
        "gad7": "sum",
        "gad2": "sum",
        "pcptsd5": "count_positive",
        "auditc": "sum",
    }
    gate = get_definition("pcptsd5").gate
    assert (gate.item, gate.stop_when, gate.total_when_stopped) == ("pcptsd5_exposure", 0, 0)


def test_band_labels_are_exactly_those_of_reference_md():
    labels = {code: [(b.label, b.min, b.max) for b in d.bands] for code, d in shipped_instruments().items()}
    assert labels["phq9"] == [
        ("none-minimal", 0, 4),
        ("mild", 5, 9),
        ("moderate", 10, 14),
        ("moderately severe", 15, 19),
        ("severe", 20, 27),
    ]
    assert labels["gad7"] == [("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)]
    for code in ("peg", "phq2", "gad2", "pcptsd5", "auditc"):
        assert labels[code] == [], f"{code} has no bands in REFERENCE.md (PEG's third-party bands are not validated)"


def test_screen_cutoffs():
    assert get_definition("phq2").screen.cutoff == 3
    assert get_definition("gad2").screen.cutoff == 3
    pcptsd5 = get_definition("pcptsd5").screen
    assert (pcptsd5.cutoff, pcptsd5.alternatives) == (3, (4,))
    auditc = get_definition("auditc").screen
    assert auditc.cutoff_by == "sex"
    assert dict(auditc.cutoffs) == {"male": 4, "female": 3}
    for code in ("peg", "phq9", "gad7"):
        assert get_definition(code).screen is None


def test_response_rules():
    peg = get_definition("peg").change
    assert (peg.better, peg.responder_min_percent, peg.responder_status) == ("lower", 30, "VERIFIED")
    phq9 = get_definition("phq9").change
    assert (phq9.responder_min_percent, phq9.remission_below, phq9.meaningful_points) == (50, 5, 5)
    assert {phq9.responder_status, phq9.remission_status, phq9.meaningful_status} == {"PARTIAL"}
    gad7 = get_definition("gad7").change
    assert (gad7.responder_min_percent, gad7.remission_below, gad7.meaningful_points) == (None, None, None)
    assert any("NO response" in note for note in get_definition("gad7").notes)
    assert all(d.change.better == "lower" for d in shipped_instruments().values())


def test_only_verified_loinc_codes_are_recorded():
    found = {}
    for code, definition in shipped_instruments().items():
        for where, value in [("panel", definition.loinc_panel), ("total", definition.loinc_total)]:
            if value:
                found[(code, where)] = value
        for item in definition.items:
            if item.loinc:
                found[(code, item.code)] = item.loinc
            assert all(option.loinc is None for option in item.options)
    phq9_items = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
    gad7_items = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
    expected = {
        ("phq9", "panel"): "44249-1",
        ("phq9", "total"): "44261-6",
        ("gad7", "panel"): "69737-5",
        ("gad7", "total"): "70274-6",
        ("auditc", "panel"): "72109-2",
        ("auditc", "total"): "75626-2",
    }
    expected |= {("phq9", f"phq9_{i}"): c for i, c in enumerate(phq9_items, start=1)}
    expected |= {("gad7", f"gad7_{i}"): c for i, c in enumerate(gad7_items, start=1)}
    assert found == expected


# --------------------------------------------------------------------------- wording


def test_wording_spot_checks():
    phq9 = get_definition("phq9")
    assert phq9.stem == "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    assert phq9.item("phq9_9").text == "Thoughts that you would be better off dead or of hurting yourself in some way"
    assert phq9.item("phq9_6").text == (
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down"
    )
    assert phq9.item("phq9_difficulty").text == (
        "If you checked off any problems, how difficult have these problems made it for you to do your work, "
        "take care of things at home, or get along with other people?"
    )
    assert [(o.label, o.value) for o in phq9.item("phq9_1").options] == [
        ("Not at all", 0),
        ("Several days", 1),
        ("More than half the days", 2),
        ("Nearly every day", 3),
    ]
    assert [o.label for o in phq9.item("phq9_difficulty").options] == [
        "Not difficult at all",
        "Somewhat difficult",
        "Very difficult",
        "Extremely difficult",
    ]
    gad7 = get_definition("gad7")
    assert gad7.stem == "Over the last 2 weeks, how often have you been bothered by the following problems?"
    assert gad7.item("gad7_7").text == "Feeling afraid, as if something awful might happen"
    assert gad7.item("gad7_difficulty").text.startswith(
        "If you checked off any problems, how difficult have these made"
    )
    assert get_definition("phq2").item("phq2_2").text == phq9.item("phq9_2").text
    assert get_definition("gad2").item("gad2_1").text == gad7.item("gad7_1").text

    pcptsd5 = get_definition("pcptsd5")
    assert pcptsd5.stem == "In the past month, have you…"
    assert pcptsd5.item("pcptsd5_exposure").text.endswith("Have you ever experienced this kind of event?")
    assert pcptsd5.item("pcptsd5_exposure").uses_stem is False
    assert "events(s)" not in pcptsd5.item("pcptsd5_5").text
    assert [(o.label, o.value) for o in pcptsd5.item("pcptsd5_1").options] == [("YES", 1), ("NO", 0)]

    auditc = get_definition("auditc")
    assert auditc.item("auditc_3").text == "How often do you have six or more drinks on one occasion?"
    assert [o.label for o in auditc.item("auditc_3").options] == [
        "Never",
        "Less than monthly",
        "Monthly",
        "Weekly",
        "Daily or almost daily",
    ]
    assert auditc.version == "AUDIT-C (US)"

    assert get_definition("peg").item("peg_1").text == (
        "What number best describes your pain on average in the past week?"
    )
    assert phq9.attribution_text.endswith("No permission required to reproduce, translate, display or distribute.")


def test_0_to_10_scales_have_11_options_with_anchors_only_at_the_ends():
    anchors = {
        "peg_1": ("No pain", "Pain as bad as you can imagine"),
        "peg_2": ("Does not interfere", "Completely interferes"),
        "peg_3": ("Does not interfere", "Completely interferes"),
    }
    for item in get_definition("peg").items:
        assert [o.value for o in item.options] == list(range(11))
        assert [o.label for o in item.options] == [str(v) for v in range(11)]
        assert (item.options[0].anchor, item.options[10].anchor) == anchors[item.code]
        assert all(o.anchor is None for o in item.options[1:10])


def _texts(definition):
    yield "stem", definition.stem
    for item in definition.items:
        yield item.code, item.text
        for option in item.options:
            yield f"{item.code} option", option.label
            yield f"{item.code} anchor", option.anchor


@pytest.mark.parametrize("code", sorted(ITEM_CODES))
def test_all_clinical_wording_is_copied_verbatim_from_reference_md(code):
    reference = reference_text()
    for where, text in _texts(get_definition(code)):
        if text is not None:
            assert text in reference, f"{code} {where}: {text!r} is not in REFERENCE.md"


# --------------------------------------------------------------------------- a made-up instrument


def test_a_made_up_instrument_loads_and_scores_through_the_same_function(made_up_data):
    definition = load_definition(made_up_data)
    assert definition.code == "demo_steps"
    assert (definition.min_total, definition.max_total) == (0, 7)
    assert definition.licence.holder == "Haven test suite (made-up instrument)"
    assert definition.licence.no_modification is True
    assert len(definition.checksum) == 64

    result = score_with(definition, {"demo_1": 3, "demo_2": 2, "demo_3": 0, "demo_note": 1})
    assert (result.total, result.band, result.positive, result.valid, result.flags) == (5, "high", True, True, set())
    result = score_with(definition, {"demo_1": 1, "demo_2": 1, "demo_3": 1})
    assert (result.total, result.band, result.positive, result.flags) == (3, "some", False, {"home_safety"})
    result = score_with(definition, {"demo_3": 1})
    assert (result.total, result.flags) == (None, {"home_safety", "incomplete"})
    result = score_with(definition, {"demo_1": 4, "demo_2": 0, "demo_3": 0})
    assert (result.total, result.flags) == (None, {"invalid_value"})


def test_a_made_up_instrument_is_not_a_shipped_one(made_up_data):
    load_definition(made_up_data)
    assert "demo_steps" not in shipped_instruments()


def test_the_checksum_follows_the_content(made_up_data):
    first = load_definition(made_up_data).checksum
    made_up_data["items"][0]["text"] = "How many days did you walk outdoors?"
    assert load_definition(made_up_data).checksum != first


def test_a_mean_instrument_with_non_integer_band_bounds(made_up_data):
    made_up_data["scoring"] = {"method": "mean"}
    made_up_data["bands"] = [
        {"label": "low", "min": 0, "max": 1},
        {"label": "high", "min": 4 / 3, "max": 7 / 3},
    ]
    made_up_data["screen"] = {"cutoff": 2}
    definition = load_definition(made_up_data)
    assert definition.max_total == pytest.approx(7 / 3)
    result = score_with(definition, {"demo_1": 3, "demo_2": 1, "demo_3": 0})
    assert result.total == pytest.approx(4 / 3)
    assert result.band == "high"
    assert result.positive is False
    top = score_with(definition, {"demo_1": 3, "demo_2": 3, "demo_3": 1})
    assert (top.band, top.positive) == ("high", True)
    # decimal bounds between possible means are fine too
    made_up_data["bands"] = [{"label": "low", "min": 0, "max": 1.2}, {"label": "high", "min": 1.3, "max": 2.34}]
    assert score_with(load_definition(made_up_data), {"demo_1": 3, "demo_2": 3, "demo_3": 1}).band == "high"


def test_float_option_values_are_matched_by_floats_only(made_up_data):
    made_up_data["items"][2]["options"] = [
        {"value": 0, "label": "No"},
        {"value": 0.5, "label": "Sometimes"},
        {"value": 1.0, "label": "Yes"},
    ]
    made_up_data["bands"] = []
    definition = load_definition(made_up_data)
    assert definition.item("demo_3").values == (0, 0.5, 1)
    assert score_with(definition, {"demo_1": 1, "demo_2": 1, "demo_3": 0.5}).total == 2.5
    assert score_with(definition, {"demo_1": 1, "demo_2": 1, "demo_3": 1}).total == 3
    # 1.0 is not the option 1; the alert on demo_3 still fires because it errs towards alerting
    assert score_with(definition, {"demo_1": 1, "demo_2": 1, "demo_3": 1.0}).flags == {"invalid_value", "home_safety"}
    assert score_with(definition, {"demo_1": 1.0, "demo_2": 1, "demo_3": 0}).flags == {"invalid_value"}


def test_with_cutoff_refuses_an_impossible_cutoff():
    with pytest.raises(DefinitionError, match="at most the highest 5"):
        get_definition("pcptsd5").with_cutoff(6)
    with pytest.raises(DefinitionError, match="give cutoffs"):
        get_definition("auditc").with_cutoff(4)
    with pytest.raises(DefinitionError, match="not a screen"):
        get_definition("phq9").with_cutoff(10)
    changed = get_definition("auditc").with_cutoff(cutoffs={"male": 5, "female": 4})
    assert score_with(changed, {"auditc_1": 4, "auditc_2": 0, "auditc_3": 0}, {"sex": "female"}).positive is True
    assert score("auditc", {"auditc_1": 4, "auditc_2": 0, "auditc_3": 0}, {"sex": "male"}).positive is True


# --------------------------------------------------------------------------- malformed definitions


def _drop(*path):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _set(value, *path):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _duplicate_item(data):
    data["items"][1]["code"] = "demo_1"


def _no_scored_items(data):
    for item in data["items"]:
        item["scored"] = False


MALFORMED = [
    ("missing licence holder", _drop("licence", "holder"), "licence is missing holder"),
    ("blank licence holder", _set("  ", "licence", "holder"), "licence: holder must be non-empty text"),
    ("missing licence reference", _drop("licence", "reference"), "licence is missing reference"),
    ("missing licence", _drop("licence"), "missing licence (licence holder and reference are required)"),
    ("missing attribution", _drop("attribution_text"), "missing attribution_text"),
    ("missing source", _drop("source"), "missing source"),
    ("missing code", _drop("code"), "missing code"),
    ("bad code", _set("Demo Steps", "code"), "code 'Demo Steps' must be lower-case"),
    ("missing version", _drop("version"), "missing version"),
    ("unknown field", _set([], "band"), "unknown field(s) band"),
    ("unknown item field", _set("x", "items", 0, "wording"), "item 1 has unknown field(s) wording"),
    ("format 2", _set(2, "format"), "format 2 is not supported"),
    ("no items", _set([], "items"), "items must be a non-empty list"),
    ("duplicate item codes", _duplicate_item, "duplicate item code 'demo_1'"),
    ("item without text", _drop("items", 0, "text"), "item 'demo_1' is missing text"),
    ("scored not a bool", _set("yes", "items", 0, "scored"), "scored must be true or false"),
    ("option value a string", _set("2", "items", 0, "options", 2, "value"), "option 3: value must be a number"),
    ("option value a bool", _set(True, "items", 2, "options", 1, "value"), "option 2: value must be a number"),
    ("option value NaN", _set(float("nan"), "items", 0, "options", 0, "value"), "value must be a number"),
    ("option value missing", _drop("items", 0, "options", 1, "value"), "option 2 is missing value"),
    ("duplicate option value", _set(1, "items", 0, "options", 2, "value"), "option value 1 appears twice"),
    ("duplicate option label", _set("No days", "items", 0, "options", 1, "label"), "label 'No days' appears twice"),
    ("no options", _set([], "items", 1, "options"), "item 'demo_2': options must be a non-empty list"),
    ("no scored item", _no_scored_items, "no item is scored"),
    ("unknown scoring rule", _set({"method": "median"}, "scoring"), "unknown scoring rule 'median'"),
    ("missing scoring", _drop("scoring"), "missing scoring"),
    (
        "gate item does not exist",
        _set({"method": "sum", "gate": {"item": "nope", "stop_when": 0, "total_when_stopped": 0}}, "scoring"),
        "the gate item 'nope' does not exist",
    ),
    (
        "gate item scored",
        _set({"method": "sum", "gate": {"item": "demo_1", "stop_when": 0, "total_when_stopped": 0}}, "scoring"),
        "the gate item 'demo_1' must not be scored",
    ),
    (
        "gate value not an option",
        _set({"method": "sum", "gate": {"item": "demo_note", "stop_when": 2, "total_when_stopped": 0}}, "scoring"),
        "the gate value 2 is not one of the options of 'demo_note'",
    ),
    (
        "bands overlap",
        _set([{"label": "low", "min": 0, "max": 3}, {"label": "high", "min": 3, "max": 7}], "bands"),
        "band 'high' (3-7) overlaps band 'low' (0-3)",
    ),
    (
        "bands leave a gap",
        _set([{"label": "low", "min": 0, "max": 2}, {"label": "high", "min": 4, "max": 7}], "bands"),
        "the bands leave a gap: a total of 3 falls in no band",
    ),
    (
        "bands miss the top",
        _set([{"label": "low", "min": 0, "max": 2}, {"label": "high", "min": 3, "max": 6}], "bands"),
        "a total of 7 falls in no band",
    ),
    (
        "band beyond the range",
        _set([{"label": "low", "min": 0, "max": 3}, {"label": "high", "min": 4, "max": 10}], "bands"),
        "band 'high' (4-10) runs outside the possible totals 0-7",
    ),
    (
        "band a whole step below the range",
        _set([{"label": "low", "min": -1, "max": 3}, {"label": "high", "min": 4, "max": 7}], "bands"),
        "band 'low' (-1-3) runs outside the possible totals 0-7",
    ),
    (
        "band min above max",
        _set([{"label": "all", "min": 7, "max": 0}], "bands"),
        "band 'all': min 7 is above max 0",
    ),
    (
        "band label not lower case",
        _set([{"label": "All", "min": 0, "max": 7}], "bands"),
        "band labels are lower case",
    ),
    (
        "band bound not a number",
        _set([{"label": "all", "min": "0", "max": 7}], "bands"),
        "band 'all': min must be a number",
    ),
    ("cut-off above the range", _set({"cutoff": 8}, "screen"), "screen cut-off 8 must be above the lowest"),
    ("cut-off at the lowest total", _set({"cutoff": 0}, "screen"), "screen cut-off 0 must be above the lowest"),
    ("cut-off not a number", _set({"cutoff": "5"}, "screen"), "screen.cutoff must be a number"),
    (
        "both cutoff and cutoffs",
        _set({"cutoff": 3, "cutoff_by": "sex", "cutoffs": {"male": 4}}, "screen"),
        "screen needs exactly one of cutoff or cutoffs",
    ),
    ("empty cutoffs", _set({"cutoff_by": "sex", "cutoffs": {}}, "screen"), "screen.cutoffs is empty"),
    ("cutoffs without a key", _set({"cutoffs": {"male": 4}}, "screen"), "screen.cutoff_by must name"),
    (
        "alert item does not exist",
        _set([{"flag": "home_safety", "item": "demo_9", "above": 0}], "alerts"),
        "the alert item 'demo_9' does not exist",
    ),
    (
        "alert that can never fire",
        _set([{"flag": "home_safety", "item": "demo_3", "above": 1}], "alerts"),
        "so the alert could never be raised",
    ),
    (
        "alert using a reserved flag",
        _set([{"flag": "incomplete", "item": "demo_3", "above": 0}], "alerts"),
        "the flag 'incomplete' is reserved",
    ),
    ("unknown responder rule", _set({"rule": "points", "min_percent": 30}, "change", "responder"), "unknown responder"),
    ("responder percent above 100", _set(130, "change", "responder", "min_percent"), "at most 100"),
    ("unknown direction", _set("down", "change", "better"), 'change.better must be "lower" or "higher"'),
    ("remission without a rule", _set({"status": "PARTIAL"}, "change", "remission"), "exactly one of below or above"),
    ("unknown status", _set("MAYBE", "licence", "status"), "status must be one of VERIFIED, PARTIAL, UNVERIFIED"),
    ("bad loinc", _set("PHQ-9", "loinc", "panel"), "loinc.panel 'PHQ-9' is not a LOINC code"),
    ("bad verified_on", _set("22/11/2026", "verified_on"), "verified_on must be an ISO date"),
    ("bad licence expiry", _set("soon", "licence", "expires"), "expires must be an ISO date"),
    ("display decimals", _set(-1, "display_decimals"), "display_decimals must be a whole number"),
]


@pytest.mark.parametrize(("mutate", "message"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_a_malformed_definition_is_refused_with_a_message_naming_the_problem(made_up_data, mutate, message):
    mutate(made_up_data)
    with pytest.raises(DefinitionError) as caught:
        load_definition(made_up_data)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_every_problem_at_a_stage_is_reported_together(made_up_data):
    del made_up_data["licence"]["holder"]
    made_up_data["items"][0]["options"][0]["value"] = "zero"
    with pytest.raises(DefinitionError) as caught:
        load_definition(made_up_data)
    assert "licence is missing holder" in str(caught.value)
    assert "value must be a number" in str(caught.value)
    assert len(caught.value.problems) == 2
    assert str(caught.value).startswith("Instrument definition 'demo_steps' refused: ")


@pytest.mark.parametrize("data", [None, [], "peg", 3])
def test_a_definition_must_be_an_object(data):
    with pytest.raises(DefinitionError, match="must be a JSON object"):
        load_definition(data)


def test_a_definition_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"broken\.json is not valid JSON"):
        load_definition_file(path)


def test_a_shipped_definition_with_its_licence_removed_is_refused():
    data = raw("phq9")
    del data["licence"]["holder"]
    with pytest.raises(DefinitionError, match="'phq9' refused: licence is missing holder"):
        load_definition(data)
