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
  "non-degenerative" are not flagged. A hyphen joins words, so "non-degenerative" is one word.
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

    def __post_init__(self) -> None:
        for form in (self.phrase, *self.variants):
            if not isinstance(form, str) or not form.split():
                raise ValueError(f"a phrase must be non-empty text, not {form!r}")
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
        for match in _pattern(entry).finditer(text):
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
    forms = sorted({_form_regex(form) for form in (entry.phrase, *entry.variants)}, key=len, reverse=True)
    return re.compile(f"{_BEFORE}(?:{'|'.join(forms)}){_AFTER}", re.IGNORECASE)


def _form_regex(form: str) -> str:
    words = []
    for word in form.split():
        parts = [re.escape(part) for part in re.split(f"[{re.escape(_APOSTROPHES)}]", word)]
        words.append(_APOSTROPHE.join(parts))
    return r"\s+".join(words)
