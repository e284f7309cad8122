"""Words that can mean thoughts of self-harm or suicide, in text a patient writes (pure: no ORM, no settings).

    >>> mentions_self_harm("Some days I want to end it all")
    True
    >>> mentions_self_harm("My back is killing me and I am dead tired")
    False

THE APP'S OWN RULE, PENDING CLINICAL SIGN-OFF. REFERENCE.md has no phrase list: this one is the app's, kept
short and explicit so a clinician can read and change it. It is a prompt for a person to read the patient's
words and contact them, never a risk assessment, and it errs towards asking: a negation ("I would never
kill myself") still matches, on purpose, because a person reads it before anyone decides anything.

What it leaves out on purpose, because people living with pain say these every day and mean the pain:
"killing me" ("my back is killing me"), "dead tired", "dying to ...", "could kill for ...", "killing myself
to / trying to ..." (working too hard), "hurt myself" or "cut myself" on their own ("I hurt myself lifting a
box"), "take my life back". Ambiguous phrases that can be passive thoughts of death ("don't want to live like
this") are kept: they are worth a call.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["PHRASES", "matches", "mentions_in_any", "mentions_self_harm"]

#: Each phrase as a regular expression over normalised text (lower case, straight apostrophes, single
#: spaces), matched as whole words. App rule, pending clinical sign-off.
PHRASES: tuple[str, ...] = (
    r"suicid(?:e|es|al|ally)",
    r"kill(?:ed)? my ?self(?! laughing)",
    r"killing my ?self(?! (?:to|trying|at work|with work|for|laughing))",
    r"unalive(?: my ?self)?",
    r"end(?:ing)? (?:my|my own) life",
    r"end(?:ing)? it all",
    r"(?:take|taking|took) my own life",
    r"(?:want|wanted|wanting|thinking|thought|thoughts) (?:to|about|of) (?:take|taking) my life(?! back)",
    r"(?:want|wanted|wanting|wanna) (?:to )?die",
    r"(?:want|wanted|wanting) to be dead",
    r"better off dead",
    r"better off without me",
    r"(?:don'?t|do not) (?:want to|wanna) (?:live|be alive|be here any ?more|go on living)",
    r"(?:can'?t|cannot|can not) go on living",
    r"(?:not|isn'?t|is not|ain'?t) worth living",
    r"no (?:point|reason) (?:in |for )?(?:living|to live|being alive)",
    r"nothing (?:left )?to live for",
    r"wish i(?: was| were|'?d be| could be) dead",
    r"wish i (?:wasn'?t|weren'?t|was not|were not|was never|were never|had never been) (?:alive|born)",
    r"wish i (?:could|would) (?:just )?(?:not|never) wake up",
    r"(?:sleep|go to sleep) and (?:not|never) wake up",
    r"self[- ]?harm(?:s|ing|ed)?",
    r"harm(?:ing)? my ?self",
    r"(?:hurt|hurting|cut|cutting) my ?self on purpose",
    r"(?:thoughts?|thinking|think|thought|urges?) (?:about|of) (?:hurting|cutting|harming) my ?self",
    r"urges? to (?:hurt|cut|harm) my ?self",
    r"(?:been|started|keep|kept) cutting my ?self(?! (?:some slack|off|short))",
    r"(?:take|took|taking) an overdose",
    r"overdos(?:e|ed|ing) on purpose",
    r"hang(?:ing)? my ?self",
    r"shoot(?:ing)? my ?self",
)

_COMPILED = tuple(re.compile(rf"\b(?:{phrase})\b") for phrase in PHRASES)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, accents kept, every run of spaces or line breaks one space."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    return " ".join(text.split())


def matches(text: str | None) -> tuple[str, ...]:
    """The phrases (as in ``PHRASES``) the text matches, in list order; () for none or no text."""
    if not text or not isinstance(text, str):
        return ()
    plain = normalise(text)
    return tuple(phrase for phrase, pattern in zip(PHRASES, _COMPILED, strict=True) if pattern.search(plain))


def mentions_self_harm(text: str | None) -> bool:
    """True when the text has words that can mean thoughts of self-harm or suicide (app rule, see above)."""
    return bool(matches(text))


def mentions_in_any(texts: Iterable[str | None]) -> bool:
    """True when any of the texts does (the fields of one saved form)."""
    return any(mentions_self_harm(text) for text in texts)
