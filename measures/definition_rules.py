"""Stage 2 of reading an instrument definition (measures/definition_format.py): the rules that refer to items
and to the totals they can make: the gate, the bands (checked against every reachable total), the screen's
cut-offs and the alerts. Each reads a section whose own shape stage 1 could not judge alone. Pure code: no ORM.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from measures.definition_fields import SLUG, Validator
from measures.instrument import (
    Alert,
    Band,
    Gate,
    Item,
    Number,
    Screen,
    check_screen_values,
    exact_fraction,
    plain_number,
)

RESERVED_FLAGS = frozenset({"incomplete", "invalid_value"})
# Exhaustive checking of bands visits every reachable total; beyond this many distinct totals the
# definition is refused rather than risking a very slow import.
MAX_DISTINCT_TOTALS = 200_000


def read_gate(v: Validator, data: Mapping[str, Any] | None, items: Mapping[str, Item]) -> Gate | None:
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


def reachable_totals(v: Validator, method: str, scored: list[Item], gate: Gate | None) -> set[Fraction]:
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


def read_bands(v: Validator, data: Any, totals: set[Fraction]) -> tuple[Band, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        v.problem(f"bands must be a list, not {data!r}")
        return ()
    bands: list[Band] = []
    labels: set[str] = set()
    for where, raw in v.objects(data, "band", frozenset({"label", "min", "max"})):
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


def read_screen(v: Validator, data: Any, lowest: Number, highest: Number) -> Screen | None:
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
        if not isinstance(by, str) or not SLUG.match(by):
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


def read_alerts(v: Validator, data: Any, items: Mapping[str, Item]) -> tuple[Alert, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        v.problem(f"alerts must be a list, not {data!r}")
        return ()
    alerts = []
    for where, raw in v.objects(data, "alert", frozenset({"flag", "item", "above", "note"})):
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
