"""An instrument definition's translations (the ``translations`` field of measures/definition_format.py).

A questionnaire is only ever shown in its publisher's own wording, so a translation is loaded only when it is
the publisher's official one, copied verbatim, with its source cited. It is all or nothing: every item and every
answer of the original, in the same order, with the same values, so the scoring, bands, alerts and answer keys
are the original's whatever the language. None is shipped today (the clinic reference holds none); a clinic
loads one with its own licence through the same format. Pure code: no ORM, no Django settings.

Format::

    translations    {language: {stem, items*, source*, verified_on}}
                    language: "es", "es-us" (not the definition's own; among licence.permitted_languages when
                    the licence lists them)
                    stem: the translated stem (required when the original has one, else null)
                    items*: list of {code*, text*, options*: list of {value*, label*, anchor}}, the original's
                    items and option values in the original's order
                    source*: {citation*, urls}: where the official translation was copied from
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from measures.definition_fields import Validator
from measures.instrument import Item, Option, Translation, exact_fraction

LANGUAGE_CODE = re.compile(r"^[a-z]{2}(-[a-z]{2})?$")
_TRANSLATION_KEYS = frozenset({"stem", "items", "source", "verified_on"})


def read_translations(
    v: Validator,
    data: Any,
    *,
    language: str,
    stem: str | None,
    items: list[Item],
    permitted_languages: tuple[str, ...],
) -> tuple[Translation, ...]:
    """Every translation of the definition, each checked against the original's items, or the problems found."""
    if data is None:
        return ()
    data = v.mapping(data, "translations")
    if data is None:
        return ()
    translations = []
    for code, raw in data.items():
        where = f"translation {code!r}"
        if not isinstance(code, str) or not LANGUAGE_CODE.match(code):
            v.problem(f"{where}: a language is a lower-case code such as 'es' or 'es-us'")
            continue
        if code == language:
            v.problem(f"{where}: the definition is already in {language!r}")
            continue
        if permitted_languages and code not in permitted_languages:
            v.problem(f"{where}: the licence permits only {', '.join(permitted_languages)}")
            continue
        translation = _translation(v, code, raw, where, stem=stem, items=items)
        if translation is not None:
            translations.append(translation)
    return tuple(translations)


def _translation(
    v: Validator, code: str, raw: Any, where: str, *, stem: str | None, items: list[Item]
) -> Translation | None:
    raw = v.mapping(raw, where)
    if raw is None:
        return None
    v.unknown_keys(raw, _TRANSLATION_KEYS, where)
    translated_stem = v.text(raw, "stem", where, required=stem is not None)
    if stem is None and translated_stem is not None:
        v.problem(f"{where}: the original has no stem, so its translation has none either")
    source = v.mapping(raw.get("source"), f"{where}: source") if raw.get("source") is not None else None
    if source is None:
        v.problem(f"{where} is missing source (where the official translation comes from)")
        return None
    v.unknown_keys(source, frozenset({"citation", "urls"}), f"{where}: source")
    citation = v.text(source, "citation", f"{where}: source")
    urls = v.text_list(source, "urls", f"{where}: source")
    v.date(raw, "verified_on", where)
    worded = _items(v, raw.get("items"), where, items)
    if citation is None or worded is None or (stem is not None and translated_stem is None):
        return None
    return Translation(language=code, stem=translated_stem, items=worded, source_citation=citation, source_urls=urls)


def _items(v: Validator, data: Any, where: str, originals: list[Item]) -> tuple[Item, ...] | None:
    """The original items in the translation's words: same codes, same order, same answer values."""
    if not isinstance(data, list) or len(data) != len(originals):
        v.problem(f"{where}: items must list all {len(originals)} items of the original, in its order")
        return None
    worded = []
    for original, raw in zip(originals, data, strict=True):
        what = f"{where}, item {original.code!r}"
        if not isinstance(raw, Mapping) or raw.get("code") != original.code:
            v.problem(f"{what}: expected the item {original.code!r} here")
            return None
        v.unknown_keys(raw, frozenset({"code", "text", "options"}), what)
        text = v.text(raw, "text", what)
        options = _options(v, raw.get("options"), what, original.options)
        if text is None or options is None:
            return None
        worded.append(Item(original.code, text, original.scored, options, original.uses_stem, original.loinc))
    return tuple(worded)


def _options(v: Validator, data: Any, what: str, originals: tuple[Option, ...]) -> tuple[Option, ...] | None:
    if not isinstance(data, list) or len(data) != len(originals):
        v.problem(f"{what}: options must list all {len(originals)} answers of the original, in its order")
        return None
    worded = []
    for original, raw in zip(originals, data, strict=True):
        if not isinstance(raw, Mapping) or not _same_value(raw.get("value"), original.value):
            v.problem(f"{what}: expected the answer with value {original.value!r} here")
            return None
        v.unknown_keys(raw, frozenset({"value", "label", "anchor"}), f"{what}, option {original.value!r}")
        label = v.text(raw, "label", f"{what}, option {original.value!r}")
        anchor = v.text(raw, "anchor", f"{what}, option {original.value!r}", required=False)
        if (anchor is None) != (original.anchor is None):
            v.problem(f"{what}, option {original.value!r}: an anchor exactly where the original has one")
            return None
        if label is None:
            return None
        worded.append(Option(original.value, label, anchor, original.loinc))
    return tuple(worded)


def _same_value(value: Any, expected: int | float) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return exact_fraction(value) == exact_fraction(expected)
