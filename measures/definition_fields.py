"""Stage 1 of reading an instrument definition (measures/definition_format.py): the shape of every field.

The :class:`Validator` reads one field at a time and notes every problem instead of stopping at the first, so a
refused definition names all that is wrong with it; the ``read_`` functions read the sections that need no
other section (items and their options, scoring, change, licence, source, LOINC codes). Pure code: no ORM.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from typing import Any

from measures.instrument import (
    ChangeRules,
    DefinitionError,
    Item,
    Licence,
    Number,
    Option,
    exact_fraction,
    is_number,
    normalise_number,
)

SCORING_METHODS = ("sum", "mean", "count_positive")
STATUSES = ("VERIFIED", "PARTIAL", "UNVERIFIED")

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_LOINC = re.compile(r"^(LA|LP|LL)?\d{1,7}-\d$")


class Validator:
    """Reads fields of one definition (its code, when known, names it in the error) and keeps every problem."""

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

    def objects(
        self, entries: list[Any], name: str, allowed: frozenset[str]
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """The entries of a list that are objects, each with where it stands ("item 3"); an entry that is not an
        object, and any unknown field of one that is, is a problem."""
        for index, raw in enumerate(entries, start=1):
            where = f"{name} {index}"
            entry = self.mapping(raw, where)
            if entry is not None:
                self.unknown_keys(entry, allowed, where)
                yield where, entry

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
        if value is not None and not SLUG.match(value):
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


def read_items(v: Validator, data: Any) -> list[Item]:
    if not isinstance(data, list) or not data:
        v.problem("items must be a non-empty list" if data is not None else "the definition is missing items")
        return []
    items: list[Item] = []
    seen: set[str] = set()
    for where, raw in v.objects(data, "item", frozenset({"code", "text", "scored", "options", "uses_stem", "loinc"})):
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


def _options(v: Validator, data: Any, where: str) -> tuple[Option, ...]:
    if not isinstance(data, list) or not data:
        v.problem(f"{where}: options must be a non-empty list")
        return ()
    options: list[Option] = []
    values: list[Number] = []
    labels: set[str] = set()
    ok = all(isinstance(raw, Mapping) for raw in data)
    for what, raw in v.objects(data, f"{where}, option", frozenset({"value", "label", "anchor", "loinc"})):
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


def read_scoring(v: Validator, data: Any) -> tuple[str | None, Mapping[str, Any] | None]:
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


def read_change(v: Validator, data: Any) -> ChangeRules:
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


def read_licence(v: Validator, data: Any) -> Licence | None:
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


def read_source(v: Validator, data: Any) -> tuple[str | None, tuple[str, ...]]:
    if data is None:
        v.problem("the definition is missing source (a citation)")
        return None, ()
    data = v.mapping(data, "source")
    if data is None:
        return None, ()
    v.unknown_keys(data, frozenset({"citation", "urls"}), "source")
    return v.text(data, "citation", "source"), v.text_list(data, "urls", "source")


def read_loinc(v: Validator, data: Any) -> tuple[str | None, str | None]:
    if data is None:
        return None, None
    data = v.mapping(data, "loinc")
    if data is None:
        return None, None
    v.unknown_keys(data, frozenset({"panel", "total"}), "loinc")
    return v.loinc(data.get("panel"), "loinc.panel"), v.loinc(data.get("total"), "loinc.total")
