"""The compassionate language check, as data and one pure function (no ORM, no settings, no templates).

    >>> [s.alternative for s in kinder_phrasing("Sadly, nothing can be done.")]
    ["no medical cure doesn't mean no solutions"]

Issue 3, "Visits (charting)": while a clinician writes a note or a message to the patient, phrases that
harm the relationship are highlighted with a kinder alternative. Advisory, never blocking: this module
only reports what it finds, with offsets into the text as given; it never changes the text.

Matching rules:

- Case-insensitive.
- Apostrophes: straight, curly (U+2019, U+2018), modifier letter (U+02BC), backtick and acute accent all match, and
  the apostrophe may be left out ("theres", "youll", "shouldnt").
- Any run of whitespace (spaces, tabs, line breaks, no-break spaces) between the words matches.
- Whole words and whole phrases only: "accept your painkillers", "with your scan", "regenerative" and
  "non-degenerative" are not flagged. A hyphen joins words, so "non-degenerative" is one word, and "not real"
  is not found in "not really" or in "I accept your pain is real".
- Exceptions, per entry (both are the app's choices, data on the entry):
  ``except_in``: longer phrases in which the phrase is not flagged: named diagnoses ("degenerative disc
  disease", "macular degeneration") and an acknowledgement ("I accept your pain is real");
  ``unless_after``: words that, just before the phrase, turn it round ("you don't have to be strong", "she
  can't just relax"). Labels ("drug-seeking", "non-compliant") are flagged even after "not": the label
  itself is what harms.
- Every occurrence is reported, ordered by start offset (then longer match first, then list order).
  Matches of different list entries may overlap when the list holds nested phrases; all are reported.

The phrase list is data (``PHRASES``, a tuple of ``KinderPhrase`` records) so that a later admin screen
can extend it: ``kinder_phrasing(text, phrases=PHRASES + clinic_phrases)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["APP", "ISSUE", "PHRASES", "KinderPhrase", "Suggestion", "kinder_phrasing"]

#: Where an alternative's wording comes from.
ISSUE = "issue"  # issue 3's own wording
APP = "app"  # the app's wording (the issue gives none): needs sign-off like any patient-facing text

_APOSTROPHES = "'\u2019\u2018\u02bc`\u00b4"
_APOSTROPHE = f"[{re.escape(_APOSTROPHES)}]?"
# A match must not continue a word on either side; a hyphen counts as part of the word.
_BEFORE = r"(?<![\w-])"
_AFTER = r"(?![\w-])"
#: How far before a match ``unless_after`` looks (its forms are shorter than this, whatever the spacing).
_UNLESS_AFTER_MAX = 40
_LOOK_BACK = 200

#: Words before an advice phrase that turn it round ("you don't have to try harder", "I can't just relax").
#: The app's list, for the advice phrases only.
_TURNED_ROUND = (
    "don't have to",
    "do not have to",
    "doesn't have to",
    "does not have to",
    "don't need to",
    "do not need to",
    "no need to",
    "not",
    "never",
    "can't",
    "cannot",
)


@dataclass(frozen=True)
class KinderPhrase:
    """One entry of the list: a phrase to avoid, the kinder alternative and why."""

    phrase: str
    alternative: str
    why: str
    #: Other spellings of the same phrase that are also flagged (e.g. the uncontracted form).
    variants: tuple[str, ...] = ()
    #: ISSUE or APP: who wrote ``alternative``.
    alternative_source: str = ISSUE
    #: Longer phrases containing the phrase (or a variant) in which it is not flagged (a named diagnosis, an
    #: acknowledgement). A match inside one of these is not reported.
    except_in: tuple[str, ...] = ()
    #: Words that, right before the phrase (spaces between), turn it round: "you don't have to" be strong.
    unless_after: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for form in (self.phrase, *self.variants, *self.except_in, *self.unless_after):
            if not isinstance(form, str) or not form.split():
                raise ValueError(f"a phrase must be non-empty text, not {form!r}")
        for form in self.unless_after:
            if len(form) > _UNLESS_AFTER_MAX:
                raise ValueError(f"unless_after forms are a few words, at most {_UNLESS_AFTER_MAX} characters")
        if not self.alternative.strip():
            raise ValueError(f"{self.phrase!r} needs a kinder alternative")
        if self.alternative_source not in (ISSUE, APP):
            raise ValueError(f"alternative_source must be {ISSUE!r} or {APP!r}, not {self.alternative_source!r}")


# Phrases and alternatives are issue 3's, except where ``alternative_source=APP``. Every ``why`` is the
# app's wording, written from DESIGN.md's stance (pain is real and biopsychosocial, the goal is function,
# language never blames the patient); none of it is clinical content from REFERENCE.md.
PHRASES: tuple[KinderPhrase, ...] = (
    KinderPhrase(
        phrase="there's nothing wrong with you",
        variants=("there is nothing wrong with you",),
        alternative="we can't measure pain with tests",
        why="It can sound like the pain is not real. Normal tests do not mean there is no pain.",
    ),
    KinderPhrase(
        phrase="you'll have to live with the pain",
        variants=("you will have to live with the pain",),
        alternative="I want to help you live better with pain",
        why="It can sound like we are giving up. The aim is to help the person live better.",
    ),
    KinderPhrase(
        phrase="nothing can be done",
        alternative="no medical cure doesn't mean no solutions",
        why="It takes away hope. No cure is not the same as no help.",
    ),
    KinderPhrase(
        phrase="accept your pain",
        alternative="learning to live well alongside pain",
        alternative_source=APP,
        why="It can sound like being told to give up. The aim is a fuller life, even with pain.",
        # App's choice: "I accept your pain is real" believes the person; it is not a call to give up.
        except_in=("accept your pain is real", "accept your pain as real"),
    ),
    KinderPhrase(
        phrase="you shouldn't have this much pain",
        variants=("you should not have this much pain",),
        alternative="stress turns up the volume of everyone's pain",
        why="It can sound like blame or disbelief. Pain is real, and many things shape it.",
    ),
    # Decision: "degeneration" carries the same "wearing out" message ("disc degeneration"), so it is flagged
    # too. Verb forms ("degenerate", "degenerating") and "non-degenerative" are not.
    KinderPhrase(
        phrase="degenerative",
        variants=("degeneration",),
        alternative="normal changes with age",
        why="It can sound like the body is falling apart, which adds fear.",
        # App's choice: named diagnoses are clinical terms, not a description of the body to the patient, so they
        # are not flagged; "degenerative changes" and "disc degeneration" still are.
        except_in=(
            "degenerative disc disease",
            "degenerative joint disease",
            "macular degeneration",
        ),
    ),
    # The labels and the open letter's phrases listed in the "Safety net" issue ("Smaller safety defects found
    # in review"). Neither the issue nor REFERENCE.md gives kinder wording for them, so every alternative below is
    # the app's (APP), except the two that reuse issue 3's alternative for the same message (ISSUE).
    KinderPhrase(
        phrase="drug-seeking",
        variants=("drug seeking", "drug-seeker", "drug seeker"),
        alternative="asking for more help with pain",
        alternative_source=APP,
        why="It labels the person. Say what was asked for, and why.",
    ),
    KinderPhrase(
        phrase="non-compliant",
        variants=("noncompliant", "non compliant", "non-compliance", "noncompliance", "non compliance"),
        alternative="finding the plan hard to follow",
        alternative_source=APP,
        why="It blames the person. Say what got in the way of the plan.",
    ),
    KinderPhrase(
        phrase="secondary gain",
        variants=("secondary gains",),
        alternative="the pressures in the person's life (work, money, family)",
        alternative_source=APP,
        why="It suggests the pain is put on for a reward. Describe the situation instead.",
    ),
    KinderPhrase(
        phrase="crock",
        variants=("crocks",),
        alternative="pain we do not understand yet",
        alternative_source=APP,
        why="It mocks the person and dismisses the pain.",
    ),
    KinderPhrase(
        phrase="unmotivated",
        variants=("poorly motivated",),
        alternative="not ready yet, or facing barriers",
        alternative_source=APP,
        why="It blames. Pain, low mood and fear all drain energy.",
    ),
    KinderPhrase(
        phrase="not real",
        variants=("isn't real", "aren't real"),
        alternative="your pain is real",
        alternative_source=APP,
        why="All pain is real, whatever the tests show.",
    ),
    KinderPhrase(
        phrase="just relax",
        alternative="let's try a way to calm the body together",
        alternative_source=APP,
        why="It can sound like the pain is the person's fault.",
        unless_after=_TURNED_ROUND,
    ),
    KinderPhrase(
        phrase="think positively",
        variants=("think positive",),
        alternative="it makes sense to feel this way; let's find what helps",
        alternative_source=APP,
        why="It can sound like the pain is only in the mind.",
        unless_after=_TURNED_ROUND,
    ),
    KinderPhrase(
        phrase="try harder",
        alternative="let's find a pace that works for you",
        alternative_source=APP,
        why="It blames. Pacing works better than pushing through.",
        unless_after=_TURNED_ROUND,
    ),
    KinderPhrase(
        phrase="be strong",
        alternative="it's OK to find this hard",
        alternative_source=APP,
        why="It can make people hide how hard things are.",
        # App's choice: besides the turning words, "will/may/might/could/would be strong" describe something
        # ("the evidence may be strong", "the grip will be strong") rather than tell the person what to be.
        unless_after=(*_TURNED_ROUND, "will", "would", "may", "might", "could"),
        except_in=("be strong enough",),
    ),
    KinderPhrase(
        phrase="nothing more we can do",
        variants=("nothing more can be done", "nothing else we can do"),
        # Issue 3's alternative for "nothing can be done", the same message.
        alternative="no medical cure doesn't mean no solutions",
        why="It takes away hope. No cure is not the same as no help.",
    ),
    KinderPhrase(
        phrase="you will just have to live with it",
        variants=(
            "you'll just have to live with it",
            "you will have to live with it",
            "you'll have to live with it",
            "you just have to live with it",
        ),
        # Issue 3's alternative for "you'll have to live with the pain", the same message.
        alternative="I want to help you live better with pain",
        why="It can sound like we are giving up. The aim is to help the person live better.",
    ),
)


@dataclass(frozen=True)
class Suggestion:
    """One phrase found in the text: ``text[start:end] == phrase``."""

    #: The phrase exactly as written in the text (its own case, apostrophe and spacing).
    phrase: str
    start: int
    end: int
    alternative: str
    why: str
    #: The list entry that matched (its ``phrase``), to group or count suggestions.
    listed_phrase: str
    alternative_source: str = ISSUE


def kinder_phrasing(text: str, phrases: Iterable[KinderPhrase] = PHRASES) -> list[Suggestion]:
    """Every listed phrase found in ``text``, in order of where it starts. Never changes ``text``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    found: list[tuple[int, int, int, Suggestion]] = []
    for order, entry in enumerate(phrases):
        excepted = _excepted_spans(entry, text)
        unless_after = _unless_after(entry)
        for match in _pattern(entry).finditer(text):
            start, end = match.span()
            if any(outer_start <= start and end <= outer_end for outer_start, outer_end in excepted):
                continue
            if unless_after is not None and unless_after.search(text, max(0, start - _LOOK_BACK), start):
                continue
            suggestion = Suggestion(
                phrase=match.group(),
                start=match.start(),
                end=match.end(),
                alternative=entry.alternative,
                why=entry.why,
                listed_phrase=entry.phrase,
                alternative_source=entry.alternative_source,
            )
            found.append((match.start(), -match.end(), order, suggestion))
    found.sort(key=lambda row: row[:3])
    return [row[3] for row in found]


@lru_cache(maxsize=256)
def _pattern(entry: KinderPhrase) -> re.Pattern[str]:
    return _whole_phrases((entry.phrase, *entry.variants))


@lru_cache(maxsize=256)
def _exceptions(entry: KinderPhrase) -> tuple[re.Pattern[str], ...]:
    # One pattern per form, so that exceptions which overlap one another are all found.
    return tuple(_whole_phrases((form,)) for form in entry.except_in)


@lru_cache(maxsize=256)
def _unless_after(entry: KinderPhrase) -> re.Pattern[str] | None:
    """The turning words, followed by whitespace up to the end of the searched window (the match's start)."""
    if not entry.unless_after:
        return None
    forms = sorted({_form_regex(form) for form in entry.unless_after}, key=len, reverse=True)
    return re.compile(f"{_BEFORE}(?:{'|'.join(forms)})" + r"\s+\Z", re.IGNORECASE)


def _excepted_spans(entry: KinderPhrase, text: str) -> list[tuple[int, int]]:
    return [match.span() for pattern in _exceptions(entry) for match in pattern.finditer(text)]


def _whole_phrases(forms: Iterable[str]) -> re.Pattern[str]:
    regexes = sorted({_form_regex(form) for form in forms}, key=len, reverse=True)
    return re.compile(f"{_BEFORE}(?:{'|'.join(regexes)}){_AFTER}", re.IGNORECASE)


def _form_regex(form: str) -> str:
    words = []
    for word in form.split():
        parts = [re.escape(part) for part in re.split(f"[{re.escape(_APOSTROPHES)}]", word)]
        words.append(_APOSTROPHE.join(parts))
    return r"\s+".join(words)
