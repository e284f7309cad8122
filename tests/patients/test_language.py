"""The compassionate language check (patients/language.py). Advisory only. Pure: no database."""

import pytest

from patients.language import APP, ISSUE, PHRASES, KinderPhrase, Suggestion, kinder_phrasing

# Issue 3, "Visits (charting)" -> "Compassionate language check": phrase -> kinder alternative.
# "accept your pain" has no alternative in the issue; the app's wording is used and marked APP.
ISSUE_LIST = [
    ("there's nothing wrong with you", "we can't measure pain with tests", ISSUE),
    ("you'll have to live with the pain", "I want to help you live better with pain", ISSUE),
    ("nothing can be done", "no medical cure doesn't mean no solutions", ISSUE),
    ("accept your pain", "learning to live well alongside pain", APP),
    ("you shouldn't have this much pain", "stress turns up the volume of everyone's pain", ISSUE),
    ("degenerative", "normal changes with age", ISSUE),
]
PHRASE_IDS = [phrase for phrase, *_ in ISSUE_LIST]


def only(text):
    suggestions = kinder_phrasing(text)
    assert len(suggestions) == 1, suggestions
    return suggestions[0]


def spans(text):
    return [(s.start, s.end, s.phrase) for s in kinder_phrasing(text)]


# --------------------------------------------------------------------------- the list as data


def test_the_list_starts_with_the_issues_list_in_order():
    # The labels and open-letter phrases that follow are tested in test_language_labels.py.
    assert [(p.phrase, p.alternative, p.alternative_source) for p in PHRASES[: len(ISSUE_LIST)]] == ISSUE_LIST


def test_the_list_is_a_tuple_of_immutable_records_with_a_reason_each():
    assert isinstance(PHRASES, tuple)
    for entry in PHRASES:
        assert isinstance(entry, KinderPhrase)
        assert entry.why.strip()
        assert len(entry.why) <= 100
        with pytest.raises(AttributeError):
            entry.phrase = "changed"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"phrase": "", "alternative": "x", "why": "y"},
        {"phrase": "   ", "alternative": "x", "why": "y"},
        {"phrase": "ok", "alternative": " ", "why": "y"},
        {"phrase": "ok", "alternative": "x", "why": "y", "variants": ("",)},
        {"phrase": "ok", "alternative": "x", "why": "y", "alternative_source": "someone"},
    ],
)
def test_a_malformed_entry_is_refused(kwargs):
    with pytest.raises(ValueError):
        KinderPhrase(**kwargs)


# --------------------------------------------------------------------------- each phrase


@pytest.mark.parametrize(("phrase", "alternative", "source"), ISSUE_LIST, ids=PHRASE_IDS)
def test_each_phrase_is_found_with_its_offsets_and_alternative(phrase, alternative, source):
    text = f"Today I told her {phrase} and we moved on."
    suggestion = only(text)
    start = len("Today I told her ")
    assert suggestion == Suggestion(
        phrase=phrase,
        start=start,
        end=start + len(phrase),
        alternative=alternative,
        why=suggestion.why,
        listed_phrase=phrase,
        alternative_source=source,
    )
    assert text[suggestion.start : suggestion.end] == phrase
    assert suggestion.why


@pytest.mark.parametrize(("phrase", "alternative", "source"), ISSUE_LIST, ids=PHRASE_IDS)
def test_each_phrase_is_found_alone_at_either_end_of_the_text(phrase, alternative, source):
    assert spans(phrase) == [(0, len(phrase), phrase)]
    assert spans(f'"{phrase}."') == [(1, 1 + len(phrase), phrase)]


@pytest.mark.parametrize(("phrase", "alternative", "source"), ISSUE_LIST, ids=PHRASE_IDS)
def test_each_phrase_is_found_in_any_case(phrase, alternative, source):
    for written in (phrase.upper(), phrase.title(), phrase.capitalize()):
        suggestion = only(f"Note: {written}.")
        assert suggestion.phrase == written
        assert suggestion.listed_phrase == phrase


# --------------------------------------------------------------------------- variants


@pytest.mark.parametrize("apostrophe", ["'", "\u2019", "\u2018", "\u02bc", "`", "\u00b4", ""])
@pytest.mark.parametrize(
    "phrase",
    ["there's nothing wrong with you", "you'll have to live with the pain", "you shouldn't have this much pain"],
)
def test_any_apostrophe_or_none_matches(phrase, apostrophe):
    written = phrase.replace("'", apostrophe)
    suggestion = only(f"I said {written}.")
    assert suggestion.phrase == written
    assert suggestion.listed_phrase == phrase


def test_curly_quotes_and_capitals_together():
    text = "She was told \u201cThere\u2019s Nothing Wrong With You\u201d by her last doctor."
    suggestion = only(text)
    assert suggestion.phrase == "There\u2019s Nothing Wrong With You"
    assert text[suggestion.start : suggestion.end] == suggestion.phrase


@pytest.mark.parametrize(
    "written",
    [
        "nothing  can   be done",
        "nothing can\nbe done",
        "nothing\r\ncan be\tdone",
        "nothing\u00a0can be done",
        "nothing can\n\n    be done",
    ],
)
def test_extra_spaces_tabs_and_line_breaks_between_words_match(written):
    text = f"Told: {written}!"
    suggestion = only(text)
    assert suggestion.phrase == written
    assert (suggestion.start, suggestion.end) == (6, 6 + len(written))
    assert suggestion.listed_phrase == "nothing can be done"


@pytest.mark.parametrize(
    ("written", "listed"),
    [
        ("there is nothing wrong with you", "there's nothing wrong with you"),
        ("you will have to live with the pain", "you'll have to live with the pain"),
        ("you should not have this much pain", "you shouldn't have this much pain"),
    ],
)
def test_the_uncontracted_forms_match_too(written, listed):
    suggestion = only(f"Unfortunately {written}.")
    assert suggestion.phrase == written
    assert suggestion.listed_phrase == listed


@pytest.mark.parametrize("word", ["degenerative", "Degenerative", "DEGENERATION", "degeneration"])
def test_degenerative_and_degeneration_are_both_flagged(word):
    suggestion = only(f"MRI: {word} disc changes.")
    assert suggestion.phrase == word
    assert suggestion.listed_phrase == "degenerative"
    assert suggestion.alternative == "normal changes with age"


# --------------------------------------------------------------------------- no false positives


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Walked the dog twice this week; sleeping better.",
        "degenerate",  # verb and noun forms are not on the list
        "the disc is degenerating",
        "degeneratively",
        "degenerations",
        "regenerative medicine",
        "non-degenerative findings",
        "nondegenerative",
        "predegenerative",
        "there's nothing wrong with your scan",
        "there's nothing wrong with yours",
        "there's nothing wrong",
        "nothing wrong with you",
        "you'll have to live with the painkillers",
        "you'll have to live with this pain",
        "nothing can be done-ish",
        "nothing can be doneness",
        "nothing could be done",
        "something can be done",
        "accept your painful knee",
        "accept your pains",
        "accepted your pain",
        "you shouldn't have this much paint",
        "you shouldn't have this pain",
        "nothingcan be done",
    ],
)
def test_similar_words_and_phrases_are_not_flagged(text):
    assert kinder_phrasing(text) == []


def test_a_listed_phrase_inside_a_longer_sentence_is_still_flagged():
    # Whole-phrase matching is about word boundaries, not meaning: a human reads the advice.
    assert spans("we accept your pain scores as reported") == [(3, 19, "accept your pain")]


# --------------------------------------------------------------------------- many and mixed


def test_every_occurrence_is_returned_in_order():
    text = (
        "Degenerative changes. I said nothing can be done, then: NOTHING CAN BE DONE.\n"
        "You'll have to live with the pain; accept your pain. Degeneration again. There\u2019s nothing wrong with you."
    )
    found = kinder_phrasing(text)
    assert [s.listed_phrase for s in found] == [
        "degenerative",
        "nothing can be done",
        "nothing can be done",
        "you'll have to live with the pain",
        "accept your pain",
        "degenerative",
        "there's nothing wrong with you",
    ]
    assert [s.start for s in found] == sorted(s.start for s in found)
    for s in found:
        assert text[s.start : s.end] == s.phrase


def test_repeated_adjacent_phrases_are_each_reported():
    text = "degenerative degenerative\ndegenerative"
    assert spans(text) == [(0, 12, "degenerative"), (13, 25, "degenerative"), (26, 38, "degenerative")]


def test_the_text_is_never_changed():
    text = "Nothing can be done about degenerative discs."
    copy = str(text)
    kinder_phrasing(text)
    assert text == copy


def test_offsets_count_characters_not_bytes():
    text = "Über-müde 😴 — nothing can be done"
    suggestion = only(text)
    assert text[suggestion.start : suggestion.end] == "nothing can be done"


def test_text_must_be_a_string():
    with pytest.raises(TypeError, match="text must be a str"):
        kinder_phrasing(None)
    with pytest.raises(TypeError):
        kinder_phrasing(b"nothing can be done")


# --------------------------------------------------------------------------- the list can be extended


def test_an_extended_list_is_used_as_given():
    clinic = (KinderPhrase(phrase="attention-seeking", alternative="asking for help", why="It blames."),)
    found = kinder_phrasing("Not attention-seeking; nothing can be done.", phrases=PHRASES + clinic)
    assert [(s.phrase, s.alternative) for s in found] == [
        ("attention-seeking", "asking for help"),
        ("nothing can be done", "no medical cure doesn't mean no solutions"),
    ]
    assert found[0].alternative_source == ISSUE


def test_regex_characters_in_a_phrase_are_literal():
    entry = KinderPhrase(phrase="it's (all) in your head?", alternative="your pain is real", why="Disbelief.")
    assert [s.phrase for s in kinder_phrasing("Not: it\u2019s (all) in your head? No.", phrases=(entry,))] == [
        "it\u2019s (all) in your head?"
    ]
    assert kinder_phrasing("its all in your head", phrases=(entry,)) == []


def test_nested_entries_both_report_longer_first():
    outer = KinderPhrase(phrase="nothing can be done", alternative="a", why="w")
    inner = KinderPhrase(phrase="can be", alternative="b", why="w")
    found = kinder_phrasing("so nothing can be done", phrases=(inner, outer))
    assert [(s.start, s.end, s.alternative) for s in found] == [(3, 22, "a"), (11, 17, "b")]
