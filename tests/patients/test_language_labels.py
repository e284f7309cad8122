"""The language check's labels and open-letter phrases ("Safety net" issue), with the app's kinder alternatives,
and what it no longer flags: named diagnoses ("degenerative disc disease", "macular degeneration"), "I accept your
pain is real", and advice turned round ("you don't have to be strong"). Pure: no database."""

import pytest

from patients.language import APP, ISSUE, PHRASES, KinderPhrase, kinder_phrasing

# phrase -> alternative, and who wrote the alternative. REFERENCE.md and the issue give no kinder wording for
# these, so the alternatives are the app's (APP); two reuse issue 3's alternative for the same message (ISSUE).
LABELS_AND_PHRASES = [
    ("drug-seeking", "asking for more help with pain", APP),
    ("non-compliant", "finding the plan hard to follow", APP),
    ("secondary gain", "the pressures in the person's life (work, money, family)", APP),
    ("crock", "pain we do not understand yet", APP),
    ("unmotivated", "not ready yet, or facing barriers", APP),
    ("not real", "your pain is real", APP),
    ("just relax", "let's try a way to calm the body together", APP),
    ("think positively", "it makes sense to feel this way; let's find what helps", APP),
    ("try harder", "let's find a pace that works for you", APP),
    ("be strong", "it's OK to find this hard", APP),
    ("nothing more we can do", "no medical cure doesn't mean no solutions", ISSUE),
    ("you will just have to live with it", "I want to help you live better with pain", ISSUE),
]
IDS = [phrase for phrase, *_ in LABELS_AND_PHRASES]


def found(text):
    return [(s.phrase, s.listed_phrase) for s in kinder_phrasing(text)]


def test_the_list_holds_every_label_and_phrase_after_the_issues_own():
    listed = {p.phrase: (p.alternative, p.alternative_source) for p in PHRASES}
    for phrase, alternative, source in LABELS_AND_PHRASES:
        assert listed[phrase] == (alternative, source), phrase
    assert [p.phrase for p in PHRASES[-len(LABELS_AND_PHRASES) :]] == IDS


@pytest.mark.parametrize(("phrase", "alternative", "source"), LABELS_AND_PHRASES, ids=IDS)
def test_each_label_and_phrase_is_found_with_its_alternative_and_who_wrote_it(phrase, alternative, source):
    text = f"Note: {phrase}. Plan reviewed."
    [suggestion] = kinder_phrasing(text)
    assert (suggestion.phrase, suggestion.listed_phrase) == (phrase, phrase)
    assert (suggestion.start, suggestion.end) == (6, 6 + len(phrase))
    assert suggestion.alternative == alternative
    assert suggestion.alternative_source == source
    assert suggestion.why


@pytest.mark.parametrize(
    ("written", "listed"),
    [
        ("Drug seeking behaviour", "drug-seeking"),
        ("a drug-seeker", "drug-seeking"),
        ("Noncompliant with physio", "non-compliant"),
        ("non compliant", "non-compliant"),
        ("history of non-compliance", "non-compliant"),
        ("possible secondary gains", "secondary gain"),
        ("a real CROCK", "crock"),
        ("poorly motivated", "unmotivated"),
        ("your pain isn\u2019t real", "not real"),
        ("these symptoms arent real", "not real"),
        ("Try to think positive", "think positively"),
        ("Just try harder.", "try harder"),
        ("You need to be strong", "be strong"),
        ("You must be strong.", "be strong"),
        ("nothing more can be done", "nothing more we can do"),
        ("there is nothing else we can do", "nothing more we can do"),
        ("You'll just have to live with it.", "you will just have to live with it"),
        ("you\u2019ll have to live with it", "you will just have to live with it"),
        ("You just have to live with it", "you will just have to live with it"),
    ],
)
def test_the_other_spellings_are_flagged_too(written, listed):
    [(phrase, entry)] = found(written)
    assert entry == listed
    assert phrase.lower() in written.lower()


@pytest.mark.parametrize(
    "text",
    [
        # Named diagnoses are clinical terms (the app's choice).
        "MRI: degenerative disc disease at L4-5.",
        "Degenerative Disc Disease",
        "degenerative  disc\ndisease",
        "History of degenerative joint disease of both knees.",
        "Age-related macular degeneration, left eye.",
        # Believing the person is not a call to give up; "not real" is not inside "is real".
        "I accept your pain is real.",
        "I accept your pain as real and we will work on it together.",
        "We accept your pain is real",
        # Word boundaries.
        "not really sure",
        "not realistic yet",
        "crockery",
        "motivated and engaged",
        "a strong grip; be stronger than before",
        "compliant",
        # Advice turned round (the app's list of turning words).
        "You don't have to be strong all the time.",
        "you do not need to be strong",
        "No need to try harder: we will pace it.",
        "She says she can't just relax.",
        "He cannot just relax.",
        "You don\u2019t have to think positively to get better.",
        # "be strong" describing something, not telling the person what to be.
        "The evidence may be strong.",
        "Grip strength will be strong by week six.",
        "The knee should be strong enough to take the stairs.",
    ],
)
def test_clinical_terms_acknowledgements_and_turned_round_advice_are_not_flagged(text):
    assert kinder_phrasing(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MRI: degenerative changes.", [("degenerative", "degenerative")]),
        ("Disc degeneration at L5.", [("degeneration", "degenerative")]),
        ("Your pain is not real.", [("not real", "not real")]),
        ("You have to accept your pain.", [("accept your pain", "accept your pain")]),
        # A label is flagged even after "not": the label itself is what harms (the app's choice).
        ("Not drug-seeking.", [("drug-seeking", "drug-seeking")]),
        ("not non-compliant", [("non-compliant", "non-compliant")]),
        ("Be strong.", [("Be strong", "be strong")]),
        ("Just relax.", [("Just relax", "just relax")]),
    ],
)
def test_the_phrases_themselves_are_still_flagged(text, expected):
    assert found(text) == expected


def test_an_exception_only_covers_its_own_words():
    text = "I accept your pain is real, but you must accept your pain; degenerative disc disease, degenerative spine."
    suggestions = kinder_phrasing(text)
    assert [(s.phrase, s.start) for s in suggestions] == [
        ("accept your pain", text.index("accept your pain;")),
        ("degenerative", text.index("degenerative spine")),
    ]


def test_a_turning_word_only_counts_right_before_the_phrase():
    assert found("Don't give up. Be strong.") == [("Be strong", "be strong")]
    assert found("not sure; try harder") == [("try harder", "try harder")]
    assert found("You don't\nhave to   be strong") == []


def test_a_turning_word_must_be_a_whole_word():
    assert found("knot be strong") == [("be strong", "be strong")]


def test_every_alternative_is_marked_with_who_wrote_it():
    for entry in PHRASES:
        assert entry.alternative_source in (ISSUE, APP)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"except_in": ("",)},
        {"unless_after": ("  ",)},
        {"unless_after": ("a" * 41,)},
    ],
)
def test_a_malformed_exception_is_refused(kwargs):
    with pytest.raises(ValueError):
        KinderPhrase(phrase="ok", alternative="x", why="y", **kwargs)


def test_a_clinic_entry_can_carry_its_own_exceptions():
    entry = KinderPhrase(
        phrase="chronic pain patient",
        alternative="person living with pain",
        why="It makes the pain the person.",
        alternative_source=APP,
        except_in=("chronic pain patient group",),
        unless_after=("not a",),
    )
    assert [s.phrase for s in kinder_phrasing("A chronic pain patient.", phrases=(entry,))] == ["chronic pain patient"]
    assert kinder_phrasing("The chronic pain patient group met.", phrases=(entry,)) == []
    assert kinder_phrasing("not a chronic pain patient", phrases=(entry,)) == []
