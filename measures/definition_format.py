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

Unknown fields are refused (a misspelt field would otherwise be silently ignored).
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from measures.instrument import (
    Alert,
    Band,
    ChangeRules,
    DefinitionError,
    Gate,
    InstrumentDefinition,
    Item,
    Licence,
    Number,
    Option,
    Screen,
    check_screen_values,
    exact_fraction,
    is_int,
    is_number,
    normalise_number,
    plain_number,
)

FORMAT_VERSION = 1
SCORING_METHODS = ("sum", "mean", "count_positive")
RESERVED_FLAGS = frozenset({"incomplete", "invalid_value"})
STATUSES = ("VERIFIED", "PARTIAL", "UNVERIFIED")
# Exhaustive checking of bands visits every reachable total; beyond this many distinct totals the
# definition is refused rather than risking a very slow import.
MAX_DISTINCT_TOTALS = 200_000

_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_LOINC = re.compile(r"^(LA|LP|LL)?\d{1,7}-\d$")


# --------------------------------------------------------------------------- loading


def load_definition(data: Mapping[str, Any]) -> InstrumentDefinition:
    """Validate a definition (parsed JSON) and build an :class:`InstrumentDefinition`.

    Raises :class:`DefinitionError` naming every problem found.
    """
    if not isinstance(data, Mapping):
        raise DefinitionError([f"a definition must be a JSON object, not {type(data).__name__}"])
    code = data.get("code") if isinstance(data.get("code"), str) else None
    v = _Validator(code)

    # Stage 1: the shape of every field.
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
    items = _items(v, data.get("items"))
    method, gate_data = _scoring(v, data.get("scoring"))
    licence = _licence(v, data.get("licence"))
    citation, source_urls = _source(v, data.get("source"))
    loinc_panel, loinc_total = _loinc_block(v, data.get("loinc"))
    verified_on = v.date(data, "verified_on", "the definition")
    verified_against = v.text(data, "verified_against", "the definition", required=False)
    notes = v.text_list(data, "notes", "the definition")
    v.raise_if_any()
    # raise_if_any raised if a required field was missing or malformed: narrow them for the type checker.
    assert code is not None and name is not None and version is not None and attribution is not None
    assert method is not None and licence is not None and citation is not None

    # Stage 2: rules that refer to items and totals.
    by_code = {item.code: item for item in items}
    gate = _gate(v, gate_data, by_code, method)
    if not any(item.scored for item in items):
        v.problem('no item is scored (mark at least one item "scored": true)')
    v.raise_if_any()
    scored = [item for item in items if item.scored]
    totals = _reachable_totals(v, method, scored, gate)
    v.raise_if_any()
    min_total, max_total = plain_number(min(totals)), plain_number(max(totals))
    bands = _bands(v, data.get("bands"), totals)
    screen = _screen(v, data.get("screen"), min_total, max_total)
    alerts = _alerts(v, data.get("alerts"), by_code)
    change = _change(v, data.get("change"))
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
    )


# --------------------------------------------------------------------------- validation helpers

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
    }
)


class _Validator:
    def __init__(self, code: str | None):
        self.code = code
        self.problems: list[str] = []

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def raise_if_any(self) -> None:
        if self.problems:
            raise DefinitionError(self.problems, self.code)

    def unknown_keys(self, data: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        unknown = sorted(str(key) for key in data if key not in allowed)
        if unknown:
            self.problem(f"{where} has unknown field(s) {', '.join(unknown)}")

    def text(self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(f"{where} is missing {key}")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{where}: {key} must be non-empty text, not {value!r}")
            return None
        return value

    def slug(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        value = self.text(data, key, where)
        if value is not None and not _SLUG.match(value):
            self.problem(f"{where}: {key} {value!r} must be lower-case letters, digits and underscores")
            return None
        return value

    def text_list(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(entry, str) and entry.strip() for entry in value):
            self.problem(f"{where}: {key} must be a list of non-empty text")
            return ()
        return tuple(value)

    def date(self, data: Mapping[str, Any], key: str, where: str) -> datetime.date | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.problem(f"{where}: {key} must be an ISO date (YYYY-MM-DD), not {value!r}")
            return None

    def number(self, value: Any, what: str) -> Number | None:
        if not is_number(value):
            self.problem(f"{what} must be a number, not {value!r}")
            return None
        return normalise_number(value)

    def mapping(self, value: Any, what: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.problem(f"{what} must be an object, not {value!r}")
            return None
        return value

    def status(self, data: Mapping[str, Any], where: str) -> str | None:
        value = data.get("status")
        if value is not None and value not in STATUSES:
            self.problem(f"{where}: status must be one of {', '.join(STATUSES)}, not {value!r}")
            return None
        return value

    def loinc(self, value: Any, what: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not _LOINC.match(value):
            self.problem(f"{what} {value!r} is not a LOINC code (like 44261-6 or LA6568-5); use null if unknown")
            return None
        return value


def _items(v: _Validator, data: Any) -> list[Item]:
    if not isinstance(data, list) or not data:
        v.problem("items must be a non-empty list" if data is not None else "the definition is missing items")
        return []
    items: list[Item] = []
    seen: set[str] = set()
    for index, raw in enumerate(data, start=1):
        where = f"item {index}"
        raw = v.mapping(raw, where)
        if raw is None:
            continue
        v.unknown_keys(raw, frozenset({"code", "text", "scored", "options", "uses_stem", "loinc"}), where)
        code = v.slug(raw, "code", where)
        if code is not None:
            where = f"item {code!r}"
            if code in seen:
                v.problem(f"duplicate item code {code!r}")
            seen.add(code)
        text = v.text(raw, "text", where)
        scored = raw.get("scored")
        if not isinstance(scored, bool):
            v.problem(f"{where}: scored must be true or false, not {scored!r}")
        uses_stem = raw.get("uses_stem", True)
        if not isinstance(uses_stem, bool):
            v.problem(f"{where}: uses_stem must be true or false, not {uses_stem!r}")
        loinc = v.loinc(raw.get("loinc"), f"{where}: loinc")
        options = _options(v, raw.get("options"), where)
        if code and text and isinstance(scored, bool) and isinstance(uses_stem, bool) and options:
            items.append(Item(code, text, scored, options, uses_stem, loinc))
    return items


def _options(v: _Validator, data: Any, where: str) -> tuple[Option, ...]:
    if not isinstance(data, list) or not data:
        v.problem(f"{where}: options must be a non-empty list")
        return ()
    options: list[Option] = []
    values: list[Number] = []
    labels: set[str] = set()
    ok = True
    for index, raw in enumerate(data, start=1):
        what = f"{where}, option {index}"
        raw = v.mapping(raw, what)
        if raw is None:
            ok = False
            continue
        v.unknown_keys(raw, frozenset({"value", "label", "anchor", "loinc"}), what)
        value = v.number(raw.get("value"), f"{what}: value") if "value" in raw else None
        if "value" not in raw:
            v.problem(f"{what} is missing value")
        label = v.text(raw, "label", what)
        anchor = v.text(raw, "anchor", what, required=False)
        loinc = v.loinc(raw.get("loinc"), f"{what}: loinc")
        if value is None or label is None:
            ok = False
            continue
        if any(exact_fraction(value) == exact_fraction(other) for other in values):
            v.problem(f"{where}: option value {value!r} appears twice")
            ok = False
        if label in labels:
            v.problem(f"{where}: option label {label!r} appears twice")
            ok = False
        values.append(value)
        labels.add(label)
        options.append(Option(value, label, anchor, loinc))
    return tuple(options) if ok else ()


def _scoring(v: _Validator, data: Any) -> tuple[str | None, Mapping[str, Any] | None]:
    if data is None:
        v.problem("the definition is missing scoring")
        return None, None
    data = v.mapping(data, "scoring")
    if data is None:
        return None, None
    v.unknown_keys(data, frozenset({"method", "gate"}), "scoring")
    method = data.get("method")
    if method not in SCORING_METHODS:
        v.problem(f"unknown scoring rule {method!r} (known: {', '.join(SCORING_METHODS)})")
        method = None
    gate = data.get("gate")
    if gate is not None:
        gate = v.mapping(gate, "scoring.gate")
    return method, gate


def _gate(v: _Validator, data: Mapping[str, Any] | None, items: Mapping[str, Item], method: str) -> Gate | None:
    if data is None:
        return None
    v.unknown_keys(data, frozenset({"item", "stop_when", "total_when_stopped"}), "scoring.gate")
    code = data.get("item")
    item = items.get(code) if isinstance(code, str) else None
    if item is None:
        v.problem(f"the gate item {code!r} does not exist")
    elif item.scored:
        v.problem(f"the gate item {code!r} must not be scored itself")
    stop_when = v.number(data.get("stop_when"), "scoring.gate.stop_when")
    stopped = v.number(data.get("total_when_stopped"), "scoring.gate.total_when_stopped")
    if item is not None and stop_when is not None:
        if item.option_for(stop_when) is None:
            v.problem(f"the gate value {stop_when!r} is not one of the options of {code!r}")
        elif len(item.options) < 2:
            v.problem(f"the gate item {code!r} needs another option besides {stop_when!r}")
    if item is None or item.scored or stop_when is None or stopped is None:
        return None
    return Gate(item.code, stop_when, stopped)


def _reachable_totals(v: _Validator, method: str, scored: list[Item], gate: Gate | None) -> set[Fraction]:
    """Every total a complete, valid response can produce (exact fractions)."""
    sums: set[Fraction] = {Fraction(0)}
    for item in scored:
        if method == "count_positive":
            steps = {Fraction(1 if option.value > 0 else 0) for option in item.options}
        else:
            steps = {exact_fraction(option.value) for option in item.options}
        sums = {total + step for total in sums for step in steps}
        if len(sums) > MAX_DISTINCT_TOTALS:
            v.problem(f"too many possible totals to check (more than {MAX_DISTINCT_TOTALS})")
            return {Fraction(0)}
    if method == "mean":
        sums = {total / len(scored) for total in sums}
    if gate is not None:
        sums.add(exact_fraction(gate.total_when_stopped))
    return sums


def _bands(v: _Validator, data: Any, totals: set[Fraction]) -> tuple[Band, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        v.problem(f"bands must be a list, not {data!r}")
        return ()
    bands: list[Band] = []
    labels: set[str] = set()
    for index, raw in enumerate(data, start=1):
        where = f"band {index}"
        raw = v.mapping(raw, where)
        if raw is None:
            continue
        v.unknown_keys(raw, frozenset({"label", "min", "max"}), where)
        label = v.text(raw, "label", where)
        if label is not None:
            where = f"band {label!r}"
            if label != label.lower() or label != label.strip():
                v.problem(f"{where}: band labels are lower case without outer spaces (as in the scoring contract)")
            if label in labels:
                v.problem(f"{where} appears twice")
            labels.add(label)
        low = v.number(raw.get("min"), f"{where}: min")
        high = v.number(raw.get("max"), f"{where}: max")
        if label is None or low is None or high is None:
            continue
        if exact_fraction(low) > exact_fraction(high):
            v.problem(f"{where}: min {low} is above max {high}")
            continue
        bands.append(Band(label, low, high))
    if v.problems or not bands:
        return tuple(bands)

    ordered = sorted(totals)
    lowest, highest = ordered[0], ordered[-1]
    # A bound may sit between possible totals (2.33 for a mean of 7/3), but not a whole step beyond the range.
    step = min((b - a for a, b in itertools.pairwise(ordered)), default=Fraction(1))
    for previous, band in itertools.pairwise(bands):
        if exact_fraction(band.min) <= exact_fraction(previous.max):
            v.problem(
                f"band {band.label!r} ({band.min}-{band.max}) overlaps band {previous.label!r} "
                f"({previous.min}-{previous.max}); list bands from lowest to highest without overlap"
            )
    for band in bands:
        if exact_fraction(band.min) <= lowest - step or exact_fraction(band.max) >= highest + step:
            v.problem(
                f"band {band.label!r} ({band.min}-{band.max}) runs outside the possible totals "
                f"{plain_number(lowest)}-{plain_number(highest)}"
            )
        elif not any(band.contains(total) for total in totals):
            v.problem(f"band {band.label!r} ({band.min}-{band.max}) contains no possible total")
    uncovered = sorted(total for total in totals if not any(band.contains(total) for band in bands))
    if uncovered:
        shown = ", ".join(str(plain_number(total)) for total in uncovered[:5])
        more = f" and {len(uncovered) - 5} more" if len(uncovered) > 5 else ""
        v.problem(f"the bands leave a gap: a total of {shown}{more} falls in no band")
    return tuple(bands)


def _screen(v: _Validator, data: Any, lowest: Number, highest: Number) -> Screen | None:
    if data is None:
        return None
    data = v.mapping(data, "screen")
    if data is None:
        return None
    v.unknown_keys(data, frozenset({"cutoff", "cutoff_by", "cutoffs", "alternatives"}), "screen")
    if ("cutoff" in data) == ("cutoffs" in data):
        v.problem("screen needs exactly one of cutoff or cutoffs")
        return None
    alternatives: list[Number] = []
    for value in data.get("alternatives") or []:
        number = v.number(value, "screen.alternatives entry")
        if number is not None:
            alternatives.append(number)
    if "cutoff" in data:
        if "cutoff_by" in data:
            v.problem("screen.cutoff_by only goes with cutoffs")
        cutoff = v.number(data.get("cutoff"), "screen.cutoff")
        screen = Screen(cutoff=cutoff, alternatives=tuple(alternatives))
    else:
        by = data.get("cutoff_by")
        if not isinstance(by, str) or not _SLUG.match(by):
            v.problem(f"screen.cutoff_by must name the context value the cut-offs depend on, not {by!r}")
            return None
        cutoffs = v.mapping(data.get("cutoffs"), "screen.cutoffs")
        if cutoffs is None:
            return None
        if not cutoffs:
            v.problem("screen.cutoffs is empty")
            return None
        pairs: list[tuple[str, Number]] = []
        for key, value in cutoffs.items():
            if key != key.strip().lower():
                v.problem(f"screen.cutoffs key {key!r} must be lower case")
            number = v.number(value, f"screen.cutoffs[{key!r}]")
            if number is not None:
                pairs.append((key, number))
        screen = Screen(cutoff_by=by, cutoffs=tuple(sorted(pairs)), alternatives=tuple(alternatives))
    if v.problems:
        return None
    for problem in check_screen_values(screen, lowest, highest):
        v.problem(problem)
    return screen


def _alerts(v: _Validator, data: Any, items: Mapping[str, Item]) -> tuple[Alert, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        v.problem(f"alerts must be a list, not {data!r}")
        return ()
    alerts = []
    for index, raw in enumerate(data, start=1):
        where = f"alert {index}"
        raw = v.mapping(raw, where)
        if raw is None:
            continue
        v.unknown_keys(raw, frozenset({"flag", "item", "above", "note"}), where)
        flag = v.slug(raw, "flag", where)
        if flag in RESERVED_FLAGS:
            v.problem(f"{where}: the flag {flag!r} is reserved for scoring problems")
            flag = None
        code = raw.get("item")
        item = items.get(code) if isinstance(code, str) else None
        if item is None:
            v.problem(f"{where}: the alert item {code!r} does not exist")
        above = v.number(raw.get("above"), f"{where}: above")
        note = v.text(raw, "note", where, required=False)
        if item is not None and above is not None and not any(value > above for value in item.values):
            v.problem(f"{where}: no answer to {code!r} is above {above}, so the alert could never be raised")
        if flag and item is not None and above is not None:
            alerts.append(Alert(flag, item.code, above, note))
    return tuple(alerts)


def _change(v: _Validator, data: Any) -> ChangeRules:
    if data is None:
        return ChangeRules()
    data = v.mapping(data, "change")
    if data is None:
        return ChangeRules()
    v.unknown_keys(data, frozenset({"better", "responder", "remission", "meaningful_change"}), "change")
    better = data.get("better", "lower")
    if better not in ("lower", "higher"):
        v.problem(f'change.better must be "lower" or "higher", not {better!r}')
        better = "lower"
    rules: dict[str, Any] = {"better": better}

    responder = data.get("responder")
    if responder is not None and (responder := v.mapping(responder, "change.responder")) is not None:
        v.unknown_keys(responder, frozenset({"rule", "min_percent", "status", "source"}), "change.responder")
        if responder.get("rule") != "percent_improvement":
            v.problem(f"unknown responder rule {responder.get('rule')!r} (known: percent_improvement)")
        percent = v.number(responder.get("min_percent"), "change.responder.min_percent")
        if percent is not None and not 0 < percent <= 100:
            v.problem(f"change.responder.min_percent must be above 0 and at most 100, not {percent}")
        rules["responder_min_percent"] = percent
        rules["responder_status"] = v.status(responder, "change.responder")

    remission = data.get("remission")
    if remission is not None and (remission := v.mapping(remission, "change.remission")) is not None:
        v.unknown_keys(remission, frozenset({"below", "above", "status", "source"}), "change.remission")
        if ("below" in remission) == ("above" in remission):
            v.problem("change.remission needs exactly one of below or above")
        elif "below" in remission:
            rules["remission_below"] = v.number(remission["below"], "change.remission.below")
        else:
            rules["remission_above"] = v.number(remission["above"], "change.remission.above")
        rules["remission_status"] = v.status(remission, "change.remission")

    meaningful = data.get("meaningful_change")
    if meaningful is not None and (meaningful := v.mapping(meaningful, "change.meaningful_change")) is not None:
        v.unknown_keys(meaningful, frozenset({"points", "status", "source"}), "change.meaningful_change")
        points = v.number(meaningful.get("points"), "change.meaningful_change.points")
        if points is not None and points <= 0:
            v.problem(f"change.meaningful_change.points must be above 0, not {points}")
        rules["meaningful_points"] = points
        rules["meaningful_status"] = v.status(meaningful, "change.meaningful_change")
    return ChangeRules(**rules)


def _licence(v: _Validator, data: Any) -> Licence | None:
    if data is None:
        v.problem("the definition is missing licence (licence holder and reference are required)")
        return None
    data = v.mapping(data, "licence")
    if data is None:
        return None
    allowed = {"holder", "reference", "status", "terms", "urls", "expires", "permitted_languages", "no_modification"}
    v.unknown_keys(data, frozenset(allowed), "licence")
    holder = v.text(data, "holder", "licence")
    reference = v.text(data, "reference", "licence")
    status = v.status(data, "licence")
    terms = v.text(data, "terms", "licence", required=False)
    urls = v.text_list(data, "urls", "licence")
    expires = v.date(data, "expires", "licence")
    languages = v.text_list(data, "permitted_languages", "licence")
    no_modification = data.get("no_modification", False)
    if not isinstance(no_modification, bool):
        v.problem(f"licence.no_modification must be true or false, not {no_modification!r}")
        no_modification = False
    if holder is None or reference is None:
        return None
    return Licence(holder, reference, status, terms, urls, expires, languages, no_modification)


def _source(v: _Validator, data: Any) -> tuple[str | None, tuple[str, ...]]:
    if data is None:
        v.problem("the definition is missing source (a citation)")
        return None, ()
    data = v.mapping(data, "source")
    if data is None:
        return None, ()
    v.unknown_keys(data, frozenset({"citation", "urls"}), "source")
    return v.text(data, "citation", "source"), v.text_list(data, "urls", "source")


def _loinc_block(v: _Validator, data: Any) -> tuple[str | None, str | None]:
    if data is None:
        return None, None
    data = v.mapping(data, "loinc")
    if data is None:
        return None, None
    v.unknown_keys(data, frozenset({"panel", "total"}), "loinc")
    return v.loinc(data.get("panel"), "loinc.panel"), v.loinc(data.get("total"), "loinc.total")


def _checksum(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
