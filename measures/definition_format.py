"""The instrument definition format: read and validate one definition (the data files in ``measures/instruments/``).

The shipped instruments (PEG, PHQ-9, PHQ-2, GAD-7, GAD-2, PC-PTSD-5, AUDIT-C US) and any instrument a
clinic loads under its own licence use the same format, so both go through :func:`load_definition`,
which refuses a malformed definition with a :class:`DefinitionError` whose message names the problem.
Pure code: no ORM, no Django settings.

Format (JSON object, version 1; fields marked * are required)::

    format              1 (the only version so far; default 1)
    code*               lower-case slug, e.g. "phq9"; answer keys are the item codes
    name*               short display name, e.g. "PHQ-9"
    title               longer display name
    version*            instrument version stored with every response, e.g. "AUDIT-C (US)"
    language            e.g. "en" (default "en")
    stem                text shown above the items (null when the items stand alone)
    patient_subject     app wording for the patient's "your numbers" sentence ("Your pain's effect on daily life")
    items*              list of {code*, text*, scored* (bool), options*, uses_stem (default true), loinc}
                        options: list of {value* (number), label*, anchor (0-10 scale end text), loinc}
    scoring*            {method*: "sum" | "mean" | "count_positive", gate: {item*, stop_when*, total_when_stopped*}}
    display_decimals    digits shown for a total (default 0; PEG 1)
    bands               list of {label* (lower case), min*, max*}, inclusive, in order, no gaps or overlaps
    screen              null, {cutoff*, alternatives} or {cutoff_by*, cutoffs* {value: cutoff}};
                        positive = total >= cutoff
    alerts              list of {flag*, item*, above*, note}: flag raised when the item's answer > above
    change              {better: "lower" | "higher", responder: {rule: "percent_improvement", min_percent},
                         remission: {below | above}, meaningful_change: {points}}; each rule may carry status, source
    loinc               {panel, total} (codes only where verified; null otherwise)
    licence*            {holder*, reference*, status, terms, urls, expires, permitted_languages, no_modification}
    attribution_text*   shown wherever the instrument is shown
    source*             {citation*, urls}
    verified_on         ISO date the file was checked
    verified_against    what it was checked against
    notes               list of str: what is PARTIAL/UNVERIFIED and the choices made
    translations        {language: {stem, items*, source*, verified_on}}: the publisher's official wording in
                        another language, all items and answers (measures/definition_translations.py)

Unknown fields are refused (a misspelt field would otherwise be silently ignored).

Reading goes in two stages: the shape of every field, each on its own (measures/definition_fields.py), then
the rules that refer to items and to the totals they can make (measures/definition_rules.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from measures.definition_fields import (
    Validator,
    read_change,
    read_items,
    read_licence,
    read_loinc,
    read_scoring,
    read_source,
)
from measures.definition_rules import reachable_totals, read_alerts, read_bands, read_gate, read_screen
from measures.definition_translations import read_translations
from measures.instrument import DefinitionError, InstrumentDefinition, is_int, plain_number

FORMAT_VERSION = 1


def load_definition(data: Mapping[str, Any]) -> InstrumentDefinition:
    """Validate a definition (parsed JSON) and build an :class:`InstrumentDefinition`.

    Raises :class:`DefinitionError` naming every problem found.
    """
    if not isinstance(data, Mapping):
        raise DefinitionError([f"a definition must be a JSON object, not {type(data).__name__}"])
    code = data.get("code") if isinstance(data.get("code"), str) else None
    v = Validator(code)

    # Stage 1: the shape of every field (measures/definition_fields.py).
    v.unknown_keys(data, _TOP_LEVEL_KEYS, "the definition")
    fmt = data.get("format", FORMAT_VERSION)
    if fmt != FORMAT_VERSION or isinstance(fmt, bool):
        v.problem(f"format {fmt!r} is not supported (expected {FORMAT_VERSION})")
    code = v.slug(data, "code", "the definition")
    name = v.text(data, "name", "the definition")
    version = v.text(data, "version", "the definition")
    title = v.text(data, "title", "the definition", required=False)
    language = v.text(data, "language", "the definition", required=False) or "en"
    stem = v.text(data, "stem", "the definition", required=False)
    patient_subject = v.text(data, "patient_subject", "the definition", required=False)
    attribution = v.text(data, "attribution_text", "the definition")
    display_decimals = data.get("display_decimals", 0)
    if not is_int(display_decimals) or not 0 <= display_decimals <= 6:
        v.problem(f"display_decimals must be a whole number from 0 to 6, not {display_decimals!r}")
        display_decimals = 0
    items = read_items(v, data.get("items"))
    method, gate_data = read_scoring(v, data.get("scoring"))
    licence = read_licence(v, data.get("licence"))
    citation, source_urls = read_source(v, data.get("source"))
    loinc_panel, loinc_total = read_loinc(v, data.get("loinc"))
    verified_on = v.date(data, "verified_on", "the definition")
    verified_against = v.text(data, "verified_against", "the definition", required=False)
    notes = v.text_list(data, "notes", "the definition")
    translations = read_translations(
        v,
        data.get("translations"),
        language=language,
        stem=stem,
        items=items,
        permitted_languages=licence.permitted_languages if licence else (),
    )
    v.raise_if_any()
    # raise_if_any raised if a required field was missing or malformed: narrow them for the type checker.
    assert code is not None and name is not None and version is not None and attribution is not None
    assert method is not None and licence is not None and citation is not None

    # Stage 2: rules that refer to items and totals (measures/definition_rules.py).
    by_code = {item.code: item for item in items}
    gate = read_gate(v, gate_data, by_code)
    if not any(item.scored for item in items):
        v.problem('no item is scored (mark at least one item "scored": true)')
    v.raise_if_any()
    scored = [item for item in items if item.scored]
    totals = reachable_totals(v, method, scored, gate)
    v.raise_if_any()
    min_total, max_total = plain_number(min(totals)), plain_number(max(totals))
    bands = read_bands(v, data.get("bands"), totals)
    screen = read_screen(v, data.get("screen"), min_total, max_total)
    alerts = read_alerts(v, data.get("alerts"), by_code)
    change = read_change(v, data.get("change"))
    v.raise_if_any()

    return InstrumentDefinition(
        code=code,
        name=name,
        version=version,
        items=tuple(items),
        method=method,
        licence=licence,
        attribution_text=attribution,
        source_citation=citation,
        title=title,
        language=language,
        stem=stem,
        patient_subject=patient_subject,
        gate=gate,
        display_decimals=display_decimals,
        bands=bands,
        screen=screen,
        alerts=alerts,
        change=change,
        loinc_panel=loinc_panel,
        loinc_total=loinc_total,
        source_urls=source_urls,
        verified_on=verified_on,
        verified_against=verified_against,
        notes=notes,
        checksum=_checksum(data),
        min_total=min_total,
        max_total=max_total,
        translations=translations,
    )


_TOP_LEVEL_KEYS = frozenset(
    {
        "format",
        "code",
        "name",
        "title",
        "version",
        "language",
        "stem",
        "patient_subject",
        "items",
        "scoring",
        "display_decimals",
        "bands",
        "screen",
        "alerts",
        "change",
        "loinc",
        "licence",
        "attribution_text",
        "source",
        "verified_on",
        "verified_against",
        "notes",
        "translations",
    }
)


def _checksum(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
