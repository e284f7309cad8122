"""Small server-rendered SVG charts for daily logs and pacing (pure: no ORM, no Django).

In the style of measures/charts.py: the chart prints and needs no JavaScript, colours are SVG
presentation attributes (the Content Security Policy refuses style="..."), every point carries a
<title> with its date and value, and every piece of text is escaped. The x axis is the whole date
range asked for, so days without a log show as gaps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

INK = "#1d2b36"
MUTED = "#4f5a63"
GRID = "#c9d2d8"
LINE = "#1f4e6b"
PLANNED = "#8a4500"
FLARE = "#9b1c1c"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Series:
    """One line (or step line) of (day, value) points; None values are gaps."""

    name: str
    points: list[tuple[date, float | int | Decimal | None]]
    colour: str = LINE
    step: bool = False  # drawn as a staircase (a planned amount that holds until the next step)
    dashed: bool = False


@dataclass(frozen=True)
class Marker:
    """A day to mark under the plot (a flare), with its words."""

    day: date
    words: str


def line_chart(
    series: list[Series],
    *,
    since: date,
    until: date,
    low: float,
    high: float | None = None,
    title: str,
    unit: str = "",
    id_prefix: str,
    markers: list[Marker] | None = None,
    width: int = 360,
    height: int = 150,
) -> str:
    """An accessible SVG chart of one or more series over the days from `since` to `until`."""
    left, right, top, bottom = 36, 10, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v) for s in series for _, v in s.points if _finite(v)]
    if high is None:
        high = _nice_ceiling(max(values, default=low + 1))
    if high <= low:
        high = low + 1
    first, last = since.toordinal(), max(until.toordinal(), since.toordinal() + 1)

    def x(day: date) -> float:
        return left + (day.toordinal() - first) / (last - first) * plot_w

    def y(value: float) -> float:
        return top + (high - value) / (high - low) * plot_h

    prefix = _slug(id_prefix)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="log-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="{escape(FONT)}" font-size="11">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(_description(series, since, until, unit))}</desc>',
    ]
    bottom_y = top + plot_h
    parts.append(f'<g class="axes" stroke="{GRID}" stroke-width="1">')
    for tick in _ticks(low, high):
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y(tick))}" x2="{_n(left + plot_w)}" y2="{_n(y(tick))}"/>')
    parts.append("</g>")
    parts.append(f'<g class="y-ticks" fill="{MUTED}" text-anchor="end">')
    for tick in _ticks(low, high):
        parts.append(f'<text x="{_n(left - 5)}" y="{_n(y(tick) + 4)}">{escape(_number(tick))}</text>')
    parts.append("</g>")
    parts.append(f'<g class="x-ticks" fill="{MUTED}" text-anchor="middle">')
    ticks = _date_ticks(since, until)
    for index, day in enumerate(ticks):
        # The first and last labels stay inside the chart (a centred label at the edge would be cut off).
        anchor = ' text-anchor="end"' if index and index == len(ticks) - 1 else ""
        anchor = ' text-anchor="start"' if index == 0 and len(ticks) > 1 and x(day) - left < 20 else anchor
        parts.append(f'<text x="{_n(x(day))}" y="{_n(bottom_y + 16)}"{anchor}>{escape(_short(day))}</text>')
    parts.append("</g>")
    for marker in markers or []:
        if since <= marker.day <= until:
            mx = x(marker.day)
            parts.append(
                f'<g class="flare-marker"><line x1="{_n(mx)}" y1="{_n(top)}" x2="{_n(mx)}" y2="{_n(bottom_y)}" '
                f'stroke="{FLARE}" stroke-width="1.5" stroke-dasharray="3 3"/>'
                f'<text x="{_n(mx)}" y="{_n(top + 9)}" fill="{FLARE}" text-anchor="middle" font-weight="700">F'
                f"<title>{escape(_long(marker.day))}: {escape(marker.words)}</title></text></g>"
            )
    for index, one in enumerate(series):
        points = sorted(
            ((day, float(v)) for day, v in one.points if _finite(v) and since <= day <= until), key=lambda p: p[0]
        )
        if not points:
            continue
        dash = ' stroke-dasharray="5 3"' if one.dashed else ""
        coords = [(x(day), y(min(max(value, low), high))) for day, value in points]
        if one.step:
            path = []
            for i, (px, py) in enumerate(coords):
                if i:
                    path.append(f"{_n(px)},{_n(coords[i - 1][1])}")
                path.append(f"{_n(px)},{_n(py)}")
            # The last planned amount holds to the end of the range.
            path.append(f"{_n(left + plot_w)},{_n(coords[-1][1])}")
            parts.append(
                f'<polyline class="series-{index}" points="{" ".join(path)}" fill="none" '
                f'stroke="{one.colour}" stroke-width="2"{dash}/>'
            )
            continue
        if len(coords) > 1:
            line = " ".join(f"{_n(px)},{_n(py)}" for px, py in coords)
            parts.append(
                f'<polyline class="series-{index}" points="{line}" fill="none" stroke="{one.colour}" '
                f'stroke-width="2"{dash}/>'
            )
        parts.append(f'<g class="points" fill="{one.colour}">')
        for (px, py), (day, value) in zip(coords, points, strict=True):
            words = f"{_long(day)}: {one.name} {_number(value)}{(' ' + unit) if unit else ''}"
            parts.append(f'<circle cx="{_n(px)}" cy="{_n(py)}" r="3"><title>{escape(words)}</title></circle>')
        parts.append("</g>")
    if not values:
        parts.append(
            f'<text x="{_n(left + plot_w / 2)}" y="{_n(top + plot_h / 2)}" fill="{MUTED}" '
            f'text-anchor="middle">Nothing logged in these weeks</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _finite(value) -> bool:
    return value is not None and not isinstance(value, bool) and math.isfinite(float(value))


def _description(series: list[Series], since: date, until: date, unit: str) -> str:
    words = [f"From {_long(since)} to {_long(until)}."]
    for one in series:
        values = [(day, float(v)) for day, v in one.points if _finite(v) and since <= day <= until]
        if not values:
            words.append(f"{one.name}: nothing logged.")
            continue
        values.sort(key=lambda p: p[0])
        (first_day, first), (last_day, last) = values[0], values[-1]
        suffix = f" {unit}" if unit else ""
        words.append(
            f"{one.name}: {len(values)} day{'s' if len(values) != 1 else ''}, first {_number(first)}{suffix} "
            f"on {_long(first_day)}, latest {_number(last)}{suffix} on {_long(last_day)}."
        )
    return " ".join(words)


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next((s for s in (1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if span / s <= 5), span / 4)
    ticks, value = [], math.ceil(low / step) * step
    while value <= high + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _date_ticks(since: date, until: date) -> list[date]:
    from datetime import timedelta

    days = (until - since).days
    if days <= 0:
        return [since]
    every = max(1, math.ceil(days / 4))
    ticks = [since + timedelta(days=d) for d in range(0, days + 1, every)]
    if (until - ticks[-1]).days >= every / 2:
        ticks.append(until)
    return ticks


def _short(day: date) -> str:
    return f"{day:%b} {day.day}"


def _long(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)
