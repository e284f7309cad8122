"""Trend charts as server-rendered SVG (pure: no ORM, no Django).

    >>> svg = trend_svg([(date(2026, 1, 5), 8), (date(2026, 3, 2), 5)], definition=get_definition("peg"))
    >>> svg.startswith("<svg")
    True

The chart prints and needs no JavaScript: the instrument's bands are shaded, the baseline (the first
point) is marked, the responder threshold is drawn as a dashed line when the instrument has a
percent-improvement rule (PEG: 30% better than baseline), and every point carries a <title> with its
date and total for pointer and screen-reader users. Colours are SVG presentation attributes (never
style="..." attributes, which the Content Security Policy refuses). Every piece of text is escaped.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from html import escape

from django.utils import timezone

from measures.definitions import InstrumentDefinition

__all__ = ["Layout", "responder_threshold", "trend_svg"]

# Band fills from the best band to the worst: light, so the line and labels keep AA contrast on them.
BAND_FILLS = ("#e7f3ea", "#eef3dc", "#fbf1d6", "#fce4d2", "#f9dada")
INK = "#1d2b36"
MUTED = "#4f5a63"  # 7:1 on white, > 4.5:1 on every band fill
LINE = "#1f4e6b"
THRESHOLD = "#8a4500"
GRID = "#c9d2d8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
MAX_DATE_LABELS = 6
MIN_LABEL_GAP = 85  # px between the centres of two date labels


@dataclass(frozen=True)
class Layout:
    """Where the plot sits inside the SVG; tests use it to check positions."""

    width: int = 640
    height: int = 240
    left: int = 48
    right: int = 128
    top: int = 16
    bottom: int = 44

    @property
    def plot_width(self) -> float:
        return max(self.width - self.left - self.right, 1)

    @property
    def plot_height(self) -> float:
        return max(self.height - self.top - self.bottom, 1)

    def y(self, value: float, low: float, high: float) -> float:
        """The y coordinate of a total (higher totals are drawn higher up)."""
        span = (high - low) or 1
        return self.top + (high - value) / span * self.plot_height

    def x(self, day: int, first: int, last: int) -> float:
        if last == first:
            return self.left + self.plot_width / 2
        return self.left + (day - first) / (last - first) * self.plot_width


def responder_threshold(definition: InstrumentDefinition, baseline: float | None) -> float | None:
    """The total a responder reaches (PEG: baseline x 0.7), or None when the instrument has no
    percent-improvement rule or the baseline is missing or 0 (no percentage exists then)."""
    percent = definition.change.responder_min_percent
    if percent is None or baseline is None or baseline == 0:
        return None
    factor = 1 - percent / 100 if definition.change.lower_is_better else 1 + percent / 100
    return baseline * factor


def trend_svg(
    points: Iterable[tuple[datetime.date | datetime.datetime, float | int | Decimal | Fraction | None]],
    *,
    definition: InstrumentDefinition,
    width: int = 640,
    height: int = 240,
    id_prefix: str | None = None,
) -> str:
    """An accessible SVG line chart of one instrument's totals over time.

    ``points`` are (date or datetime, total) pairs in any order; points without a total are left out.
    The first point (by date) is the baseline.
    """
    layout = Layout(width=width, height=height)
    series = _clean(points)
    prefix = _slug(id_prefix or f"trend-{definition.code}")
    low, high = float(definition.min_total), float(definition.max_total)
    if high <= low:
        high = low + 1
    places = definition.display_decimals
    name = definition.name

    parts: list[str] = []
    title = f"{name} over time"
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="{escape(FONT)}" font-size="12">'
    )
    parts.append(f'<title id="{prefix}-title">{escape(title)}</title>')
    parts.append(f'<desc id="{prefix}-desc">{escape(_description(definition, series, places))}</desc>')

    # Bands, shaded from the best to the worst.
    parts.append('<g class="bands">')
    bands = list(definition.bands)
    for index, (band, lower, upper) in enumerate(_band_edges(bands, low, high)):
        rank = index if definition.change.lower_is_better else len(bands) - 1 - index
        fill = BAND_FILLS[round(rank * (len(BAND_FILLS) - 1) / max(len(bands) - 1, 1))]
        y_top, y_bottom = layout.y(upper, low, high), layout.y(lower, low, high)
        parts.append(
            f'<rect class="band" x="{_n(layout.left)}" y="{_n(y_top)}" width="{_n(layout.plot_width)}" '
            f'height="{_n(y_bottom - y_top)}" fill="{fill}"><title>{escape(band.label)}: '
            f"{escape(_number(band.min, places))} to {escape(_number(band.max, places))}</title></rect>"
        )
        parts.append(
            f'<text class="band-label" x="{_n(layout.left + layout.plot_width + 6)}" '
            f'y="{_n((y_top + y_bottom) / 2 + 4)}" fill="{MUTED}" font-size="11">{escape(band.label)}</text>'
        )
    parts.append("</g>")

    # Axes: the y axis with a few totals, the x axis along the bottom.
    plot_bottom = layout.top + layout.plot_height
    parts.append(f'<g class="axes" stroke="{GRID}" stroke-width="1">')
    parts.append(f'<line x1="{_n(layout.left)}" y1="{_n(layout.top)}" x2="{_n(layout.left)}" y2="{_n(plot_bottom)}"/>')
    parts.append(
        f'<line x1="{_n(layout.left)}" y1="{_n(plot_bottom)}" '
        f'x2="{_n(layout.left + layout.plot_width)}" y2="{_n(plot_bottom)}"/>'
    )
    parts.append("</g>")
    parts.append(f'<g class="y-ticks" fill="{MUTED}" text-anchor="end" font-size="11">')
    for tick in _ticks(low, high):
        y = layout.y(tick, low, high)
        parts.append(f'<text x="{_n(layout.left - 6)}" y="{_n(y + 4)}">{escape(_number(tick, 0))}</text>')
    parts.append("</g>")
    middle = layout.top + layout.plot_height / 2
    parts.append(
        f'<text class="y-axis-label" x="12" y="{_n(middle)}" fill="{INK}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_n(middle)})">{escape(name)} total</text>'
    )

    if not series:
        parts.append(
            f'<text x="{_n(layout.left + layout.plot_width / 2)}" y="{_n(middle)}" fill="{MUTED}" '
            f'text-anchor="middle">No scored responses yet</text>'
        )
        parts.append("</svg>")
        return "".join(parts)

    first_day, last_day = series[0][0].toordinal(), series[-1][0].toordinal()
    coords = [
        (layout.x(day.toordinal(), first_day, last_day), layout.y(total, low, high), day, total)
        for day, total in series
    ]

    # The x axis: a handful of dates, always the first and the last.
    parts.append(f'<g class="x-ticks" fill="{MUTED}" text-anchor="middle" font-size="11">')
    for index in _label_indexes(coords):
        x, _, day, _ = coords[index]
        parts.append(f'<text x="{_n(x)}" y="{_n(plot_bottom + 16)}">{escape(_date(day))}</text>')
    parts.append("</g>")
    parts.append(
        f'<text class="x-axis-label" x="{_n(layout.left + layout.plot_width / 2)}" y="{_n(height - 6)}" '
        f'fill="{INK}" text-anchor="middle">Date completed</text>'
    )

    # The baseline level, and the responder threshold when the instrument has one.
    baseline_total = series[0][1]
    baseline_y = coords[0][1]
    parts.append(
        f'<line class="baseline-level" x1="{_n(layout.left)}" y1="{_n(baseline_y)}" '
        f'x2="{_n(layout.left + layout.plot_width)}" y2="{_n(baseline_y)}" stroke="{LINE}" '
        f'stroke-width="1" stroke-dasharray="2 3" stroke-opacity="0.6"/>'
    )
    threshold = responder_threshold(definition, baseline_total)
    if threshold is not None and low <= threshold <= high:
        y = layout.y(threshold, low, high)
        label = f"{_number(definition.change.responder_min_percent, 0)}% better"
        parts.append(
            f'<g class="responder-threshold"><line x1="{_n(layout.left)}" y1="{_n(y)}" '
            f'x2="{_n(layout.left + layout.plot_width)}" y2="{_n(y)}" stroke="{THRESHOLD}" stroke-width="2" '
            f'stroke-dasharray="6 4"><title>{escape(label)} than baseline: '
            f"{escape(_number(threshold, max(places, 1)))}</title></line>"
            f'<text x="{_n(layout.left + 6)}" y="{_n(y - 5 if y - 5 > layout.top + 10 else y + 14)}" '
            f'fill="{THRESHOLD}" font-size="11" font-weight="600">{escape(label)}</text></g>'
        )

    # The line and its points; the baseline point is drawn larger and labelled.
    path = " ".join(f"{_n(x)},{_n(y)}" for x, y, _, _ in coords)
    if len(coords) > 1:
        parts.append(f'<polyline class="trend-line" points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    radius = 3.5 if len(coords) <= 30 else 2.5
    parts.append(f'<g class="points" fill="{LINE}">')
    for x, y, day, total in coords[1:]:
        band = definition.band_for(_exact(total))
        words = f"{_date(day)}: {_number(total, places)}" + (f" ({band})" if band else "")
        parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{radius}"><title>{escape(words)}</title></circle>')
    parts.append("</g>")
    x, y, day, total = coords[0]
    band = definition.band_for(_exact(total))
    words = f"Baseline, {_date(day)}: {_number(total, places)}" + (f" ({band})" if band else "")
    label_y = y - 10 if y - 10 > layout.top + 8 else y + 18
    anchor = "start" if x < layout.left + layout.plot_width - 60 else "end"
    parts.append(
        f'<g class="baseline-marker"><circle cx="{_n(x)}" cy="{_n(y)}" r="6" fill="#ffffff" stroke="{LINE}" '
        f'stroke-width="3"><title>{escape(words)}</title></circle>'
        f'<text x="{_n(x + (6 if anchor == "start" else -6))}" y="{_n(label_y)}" fill="{INK}" '
        f'text-anchor="{anchor}" font-weight="600">Baseline</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- helpers


def _clean(points) -> list[tuple[datetime.date, float]]:
    cleaned = []
    for when, total in points:
        if total is None or isinstance(total, bool):
            continue
        value = float(total)
        if not math.isfinite(value):
            continue
        day = _day_of(when)
        cleaned.append((day, value))
    cleaned.sort(key=lambda pair: pair[0])
    return cleaned


def _day_of(when: datetime.date | datetime.datetime) -> datetime.date:
    """A response's day: the clinic's date of an aware moment (not UTC's), as given otherwise."""
    if isinstance(when, datetime.datetime):
        return timezone.localdate(when) if timezone.is_aware(when) else when.date()
    return when


def _band_edges(bands, low: float, high: float):
    """Each band with the totals its shading spans: adjoining bands meet half-way between them."""
    for index, band in enumerate(bands):
        lower = low if index == 0 else (float(bands[index - 1].max) + float(band.min)) / 2
        upper = high if index == len(bands) - 1 else (float(band.max) + float(bands[index + 1].min)) / 2
        yield band, max(lower, low), min(upper, high)


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next((s for s in (1, 2, 5, 10, 20, 50, 100) if span / s <= 6), span / 5)
    ticks, value = [], math.ceil(low / step) * step
    while value <= high + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _label_indexes(coords: Sequence) -> list[int]:
    """Which points get a date under the axis: the first, the last and a few evenly spaced in
    between, never two closer than MIN_LABEL_GAP px (the last replaces a neighbour that is too close)."""
    last = len(coords) - 1
    wanted = sorted({round(i * last / (MAX_DATE_LABELS - 1)) for i in range(MAX_DATE_LABELS)})
    chosen: list[int] = []
    for index in wanted:
        if not chosen or coords[index][0] - coords[chosen[-1]][0] >= MIN_LABEL_GAP:
            chosen.append(index)
        elif index == last and chosen[-1] != 0:
            chosen[-1] = index
    return chosen


def _description(definition: InstrumentDefinition, series, places: int) -> str:
    name = definition.name
    better = "lower" if definition.change.lower_is_better else "higher"
    words = [
        f"Line chart of {name} totals (from {_number(definition.min_total, 0)} to "
        f"{_number(definition.max_total, 0)}; {better} is better)."
    ]
    if not series:
        words.append("No scored responses yet.")
    else:
        (first_day, first), (last_day, last) = series[0], series[-1]
        count = len(series)
        words.append(f"Baseline {_number(first, places)} on {_date(first_day)}.")
        if count > 1:
            words.append(f"Latest {_number(last, places)} on {_date(last_day)}; {count} responses in all.")
        threshold = responder_threshold(definition, first)
        if threshold is not None:
            percent = _number(definition.change.responder_min_percent, 0)
            words.append(f"Dashed line: {percent}% better than baseline, at {_number(threshold, max(places, 1))}.")
    if definition.bands:
        shaded = ", ".join(
            f"{band.label} {_number(band.min, places)}-{_number(band.max, places)}" for band in definition.bands
        )
        words.append(f"Shaded bands: {shaded}.")
    return " ".join(words)


def _date(day: datetime.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _number(value, places: int) -> str:
    rounded = Decimal(str(float(value))).quantize(Decimal(1).scaleb(-places)) if places else round(float(value))
    return f"{rounded}" if places else f"{int(rounded)}"


def _exact(value: float) -> Fraction:
    return Fraction(value).limit_denominator(10_000)


def _n(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)
