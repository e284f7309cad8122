"""The language of the patient's pages and messages (the issue's "In the patient's language").

The portal is translated into the languages with a catalogue in ``locale/`` (settings.LANGUAGES); staff pages
stay English. A patient's pages are in the language they chose with the switch on every portal page (kept in
the session), else in their preferred language on file, else English: a language with no catalogue yet (French,
Vietnamese, ...) falls back to English. Messages to a patient are written in their language on file, because
no session exists when a sweep writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from patients.models import Language

SESSION_LANGUAGE = "portal_language"
ENGLISH = "en"

# The registry's Language choice -> the Django language code of its catalogue. Only translated languages.
TRANSLATED: dict[str, str] = {Language.ENGLISH.value: "en", Language.SPANISH.value: "es"}


def portal_languages() -> set[str]:
    return {code for code, _ in settings.LANGUAGES}


def language_code(preferred_language: str) -> str:
    """The Django language code for a registry Language value; English when it has no catalogue."""
    code = TRANSLATED.get(preferred_language, ENGLISH)
    return code if code in portal_languages() else ENGLISH


def language_of(patient: Any) -> str:
    """The Django language code for the patient's preferred language on file; English when not translated."""
    return language_code(getattr(patient, "preferred_language", ""))


def chosen_language(session: Mapping[str, Any]) -> str | None:
    """The language chosen with the portal's switch in this session, if any."""
    chosen = session.get(SESSION_LANGUAGE)
    return chosen if chosen in portal_languages() else None


def portal_language(patient: Any, session: Mapping[str, Any], browser: str | None = None) -> str:
    """The language of this patient's portal pages: the session's choice, else their language on file.

    ``patient`` may be None (a closed link, the calm pages, "Get my link"): then the session's choice, else the
    browser's own language (``browser``, from its Accept-Language) when translated, else English. Never the
    link's patient there: an unknown and an expired link must get the same page in the same browser.
    """
    if chosen := chosen_language(session):
        return chosen
    if patient is not None:
        return language_of(patient)
    return browser_language(browser)


def browser_language(code: str | None) -> str:
    """A browser's language ("es", "es-us") as one of the portal's, English when it has no catalogue."""
    primary = (code or "").lower().split("-")[0]
    return primary if primary in portal_languages() else ENGLISH


def choose_language(session, code: str) -> bool:
    """Keep the patient's choice from the switch for the rest of the session; False for an unknown code."""
    if code not in portal_languages():
        return False
    session[SESSION_LANGUAGE] = code
    return True


def start_in_patient_language(session, patient: Any) -> None:
    """When a portal session starts: the patient's language on file, unless they already chose one here."""
    if chosen_language(session) is None:
        session[SESSION_LANGUAGE] = language_of(patient)
