"""The chart engine: one SVG chart over calendar days, drawn piece by piece (pure: no database, no Django).

    >>> frame = Frame(width=360, height=150, left=36, right=10, top=10, bottom=26)
    >>> march = [datetime.date(2026, 3, 1), datetime.date(2026, 3, 28)]
    >>> chart = Chart(frame, y=frame.value_scale(0, 10), x=frame.day_scale(*march), css_class="log-chart",
    ...               id_prefix="pain", title="Pain", description="Pain over four weeks.")
    >>> chart.line([(march[0], 4), (march[1], 3)], css_class="series-0", colour="#1f4e6b")
    >>> chart.svg().startswith('<svg xmlns="http://www.w3.org/2000/svg" class="log-chart"')
    True

The chart prints and needs no JavaScript. It is an image with a name and a description (``role="img"``,
``aria-labelledby`` its <title> and <desc>), and every point carries a <title> with its date and value for pointer
and screen-reader users; ``table_id`` points screen readers at a table of the same numbers when the page has one.
Pieces are drawn in the order they are added, later ones on top. Callers say what to draw (which series,
thresholds, bands and words); all positions are worked out here, from the :class:`Frame` and the scales.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from charts.colours import BAND_FILLS, FONT, GRID, INK, MUTED, WHITE
from charts.scales import DayScale, Value, ValueScale, spaced_days
from charts.svg import escaped, group, tag
from charts.text import coordinate, long_date, number, slug

__all__ = ["Band", "Chart", "Frame", "LegendEntry", "dot_radius"]

Point = tuple[datetime.date, Value]
TitledPoint = tuple[datetime.date, Value, str]

SMALL_TEXT = 11  # px: ticks, band names, the legend
LABEL_GAP = 6  # px between a tick label or a band name and the plot
LEGEND_SLOT = 104  # px: room for a swatch and a one-word name


@dataclass(frozen=True)
class Frame:
    """Where the plot sits inside the SVG, in pixels: the margins hold the tick labels, the axis names and
    whatever else a chart writes beside its plot (band names, a legend)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    date_label_gap: int = 90  # px between the centres of two date labels ("Mar 2, 2026" is about 75 px wide)

    @property
    def plot_width(self) -> float:
        return max(self.width - self.left - self.right, 1)

    @property
    def plot_height(self) -> float:
        return max(self.height - self.top - self.bottom, 1)

    @property
    def plot_right(self) -> float:
        return self.left + self.plot_width

    @property
    def plot_bottom(self) -> float:
        return self.top + self.plot_height

    @property
    def centre_x(self) -> float:
        return self.left + self.plot_width / 2

    @property
    def centre_y(self) -> float:
        return self.top + self.plot_height / 2

    def value_scale(self, low: Value, high: Value, *, clamp: bool = False) -> ValueScale:
        return ValueScale.between(low, high, top=self.top, bottom=self.plot_bottom, clamp=clamp)

    def day_scale(self, first: datetime.date, last: datetime.date, *, at_least_a_day: bool = False) -> DayScale:
        """The x scale; a lone day stands in the middle, or at the left edge with ``at_least_a_day``."""
        if at_least_a_day:
            return DayScale.at_least_a_day(first, last, left=self.left, right=self.plot_right)
        return DayScale(first=first, last=last, left=self.left, right=self.plot_right)


@dataclass(frozen=True)
class Band:
    """A range of values to shade, as labelled (``low`` to ``high`` inclusive), with its name and a title."""

    low: float
    high: float
    label: str
    title: str


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    swatch: str = "line"  # or "diamond", as the points it names


def dot_radius(count: int) -> float:
    """Dots for a few points are easy to hit (3.5 px); past 30 they shrink (2.5 px) so neighbours stay apart."""
    return 3.5 if count <= 30 else 2.5


class Chart:
    """One accessible SVG chart; add pieces with the methods below, then take :meth:`svg`."""

    def __init__(
        self,
        frame: Frame,
        *,
        y: ValueScale,
        x: DayScale | None = None,
        css_class: str,
        id_prefix: str,
        title: str,
        description: str,
        font_size: int = 12,
        table_id: str | None = None,
    ) -> None:
        self.frame, self.y, self.x = frame, y, x
        self._font_size = font_size
        # Small text says its size only where the chart's own size differs.
        self._small = None if font_size == SMALL_TEXT else SMALL_TEXT
        self._css_class = css_class
        self._prefix = slug(id_prefix)
        self._table_id = slug(table_id) if table_id else None
        self._parts = [
            tag("title", escaped(title), id=f"{self._prefix}-title"),
            tag("desc", escaped(description), id=f"{self._prefix}-desc"),
        ]

    def svg(self) -> str:
        """The whole chart: an image named by its title and description."""
        width, height = self.frame.width, self.frame.height
        return tag(
            "svg",
            *self._parts,
            xmlns="http://www.w3.org/2000/svg",
            class_=self._css_class,
            viewBox=f"0 0 {width} {height}",
            width=width,
            height=height,
            role="img",
            aria_labelledby=f"{self._prefix}-title {self._prefix}-desc",
            aria_describedby=self._table_id,
            font_family=FONT,
            font_size=self._font_size,
        )

    # ------------------------------------------------------------------ axes

    def axis_lines(self) -> None:
        """The y axis along the left of the plot and the x axis along its bottom."""
        f = self.frame
        lines = [
            tag("line", x1=f.left, y1=f.top, x2=f.left, y2=f.plot_bottom),
            tag("line", x1=f.left, y1=f.plot_bottom, x2=f.plot_right, y2=f.plot_bottom),
        ]
        self._parts.append(group("axes", lines, stroke=GRID, stroke_width=1))

    def grid_lines(self, ticks: Sequence[Value]) -> None:
        """A light line across the plot at each tick (small charts have no axis lines, only these)."""
        f = self.frame
        lines = [tag("line", x1=f.left, y1=self.y(t), x2=f.plot_right, y2=self.y(t)) for t in ticks]
        self._parts.append(group("axes", lines, stroke=GRID, stroke_width=1))

    def value_ticks(self, ticks: Sequence[Value], label: Callable[[Value], str] | None = None) -> None:
        """The tick values left of the plot, by default with at most two decimals (2.5, 10, 22.75)."""
        label = label or (lambda value: number(value, 2, trim=True))
        x = self.frame.left - LABEL_GAP
        texts = [tag("text", escaped(label(t)), x=x, y=self.y(t) + 4) for t in ticks]
        self._parts.append(group("y-ticks", texts, fill=MUTED, text_anchor="end", font_size=self._small))

    def value_axis_name(self, words: str) -> None:
        """The y axis's name, turned to read upwards beside the tick values."""
        y = self.frame.centre_y
        self._axis_name(words, "y-axis-label", x=12, y=y, transform=f"rotate(-90 12 {coordinate(y)})")

    def spaced_days(self, days: Sequence[datetime.date]) -> list[datetime.date]:
        """The days (in order) that get a label without two labels overlapping: see scales.spaced_days."""
        return spaced_days(days, self._x, gap=self.frame.date_label_gap)

    def day_labels(
        self,
        days: Sequence[datetime.date],
        label: Callable[[datetime.date], str] = long_date,
        *,
        keep_inside: bool = False,
    ) -> None:
        """A date under the plot for each day. ``keep_inside``, for charts with narrow margins: the last label
        ends at its day and a first one at the left edge starts there, so neither is cut off."""
        y = self.frame.plot_bottom + 16
        texts = []
        for index, day in enumerate(days):
            anchor = self._edge_anchor(index, len(days), self._x(day)) if keep_inside else None
            texts.append(tag("text", escaped(label(day)), x=self._x(day), y=y, text_anchor=anchor))
        self._parts.append(group("x-ticks", texts, fill=MUTED, text_anchor="middle", font_size=self._small))

    def day_axis_name(self, words: str) -> None:
        """The x axis's name, under the date labels."""
        self._axis_name(words, "x-axis-label", x=self.frame.centre_x, y=self.frame.height - 6)

    # ------------------------------------------------------------------ behind the data

    def bands(self, bands: Sequence[Band], *, best_at_bottom: bool) -> None:
        """Shaded bands, in order of value, with their names right of the plot. Neighbouring bands meet half-way
        between them (4 and 5 meet at 4.5); fills run from light green (best) to light red (worst)."""
        f = self.frame
        pieces = []
        for index, (band, lower, upper) in enumerate(self._band_spans(bands)):
            rank = index if best_at_bottom else len(bands) - 1 - index
            fill = BAND_FILLS[round(rank * (len(BAND_FILLS) - 1) / max(len(bands) - 1, 1))]
            top, bottom = self.y(upper), self.y(lower)
            pieces.append(
                tag(
                    "rect",
                    tag("title", escaped(band.title)),
                    class_="band",
                    x=f.left,
                    y=top,
                    width=f.plot_width,
                    height=bottom - top,
                    fill=fill,
                )
            )
            pieces.append(
                tag(
                    "text",
                    escaped(band.label),
                    class_="band-label",
                    x=f.plot_right + LABEL_GAP,
                    y=(top + bottom) / 2 + 4,
                    fill=MUTED,
                    font_size=self._small,
                )
            )
        self._parts.append(group("bands", pieces))

    def level(
        self, value: Value, *, css_class: str, colour: str, width: float, dash: str, opacity: float | None = None
    ) -> None:
        """A thin line across the plot at a value (a baseline's level)."""
        self._parts.append(
            self._across(value, css_class=css_class, colour=colour, width=width, dash=dash, opacity=opacity)
        )

    def threshold(self, value: Value, *, css_class: str, colour: str, label: str, title: str) -> None:
        """A dashed line across the plot at a value that matters, named at its left end (above the line, or below
        it near the top). Not drawn when the value is off the scale."""
        if not self.y.covers(value):
            return
        y, f = self.y(value), self.frame
        line = self._across(value, colour=colour, width=2, dash="6 4", title=title)
        text = tag(
            "text",
            escaped(label),
            x=f.left + LABEL_GAP,
            y=y - 5 if y - 5 > f.top + 10 else y + 14,
            fill=colour,
            font_size=self._small,
            font_weight=600,
        )
        self._parts.append(group(css_class, [line, text]))

    def day_marker(self, day: datetime.date, *, css_class: str, colour: str, letter: str, title: str) -> None:
        """A dashed line down the plot on a day, with a letter at its top carrying the words (title)."""
        f, x = self.frame, self._x(day)
        line = tag(
            "line", x1=x, y1=f.top, x2=x, y2=f.plot_bottom, stroke=colour, stroke_width=1.5, stroke_dasharray="3 3"
        )
        text = tag(
            "text",
            escaped(letter),
            tag("title", escaped(title)),
            x=x,
            y=f.top + 9,
            fill=colour,
            text_anchor="middle",
            font_weight=700,
        )
        self._parts.append(group(css_class, [line, text]))

    # ------------------------------------------------------------------ data

    def line(self, points: Sequence[Point], *, css_class: str, colour: str, dash: str | None = None) -> None:
        """A line through the points (in order of day); one point is no line, its dot shows it."""
        if len(points) > 1:
            self._polyline([(self._x(day), self.y(value)) for day, value in points], css_class, colour, dash)

    def steps(
        self,
        points: Sequence[Point],
        *,
        css_class: str,
        colour: str,
        dash: str | None = None,
        hold_to_end: bool = False,
    ) -> None:
        """A staircase: each value holds until the next point's day, then drops or rises to it (a planned amount).
        ``hold_to_end``: the last value holds to the right edge of the plot."""
        coords = [(self._x(day), self.y(value)) for day, value in points]
        path = coords[:1]
        for (_, previous_y), (x, y) in itertools.pairwise(coords):
            path += [(x, previous_y), (x, y)]
        if hold_to_end and coords:
            path.append((self.frame.plot_right, coords[-1][1]))
        self._polyline(path, css_class, colour, dash)

    def dots(self, points: Sequence[TitledPoint], *, colour: str, css_class: str = "points", radius: float = 3) -> None:
        """A dot on each point, with its title (date and value, in words)."""
        circles = [
            tag("circle", tag("title", escaped(words)), cx=self._x(day), cy=self.y(value), r=radius)
            for day, value, words in points
        ]
        self._parts.append(group(css_class, circles, fill=colour))

    def diamonds(self, points: Sequence[TitledPoint], *, css_class: str, colour: str) -> None:
        """A diamond on each point, with its title: points told apart from dots without colour."""
        shapes = [
            tag("polygon", tag("title", escaped(words)), points=_diamond(self._x(day), self.y(value)))
            for day, value, words in points
        ]
        self._parts.append(group(css_class, shapes, fill=colour))

    def marked_point(
        self, day: datetime.date, value: Value, *, css_class: str, colour: str, label: str, title: str
    ) -> None:
        """One point drawn large and hollow, with a word beside it (the baseline); the word sits above the point,
        or below it near the top, and to its left near the right edge."""
        f, x, y = self.frame, self._x(day), self.y(value)
        circle = tag("circle", tag("title", escaped(title)), cx=x, cy=y, r=6, fill=WHITE, stroke=colour, stroke_width=3)
        anchor = "start" if x < f.plot_right - 60 else "end"
        text = tag(
            "text",
            escaped(label),
            x=x + 6 if anchor == "start" else x - 6,
            y=y - 10 if y - 10 > f.top + 8 else y + 18,
            fill=INK,
            text_anchor=anchor,
            font_weight=600,
        )
        self._parts.append(group(css_class, [circle, text]))

    # ------------------------------------------------------------------ words

    def legend(self, entries: Sequence[LegendEntry]) -> None:
        """Swatches and names in a row under the plot, at the chart's left."""
        f = self.frame
        y = f.height - 8
        pieces = []
        for index, entry in enumerate(entries):
            start = f.left + index * LEGEND_SLOT
            if entry.swatch == "diamond":
                pieces.append(tag("polygon", points=_diamond(start + 6, y - 4), fill=entry.colour))
                text_x = start + 12 + LABEL_GAP
            else:
                pieces.append(
                    tag("line", x1=start, y1=y - 4, x2=start + 24, y2=y - 4, stroke=entry.colour, stroke_width=2)
                )
                text_x = start + 24 + LABEL_GAP
            pieces.append(tag("text", escaped(entry.label), x=text_x, y=y, fill=INK))
        self._parts.append(group("legend", pieces, font_size=self._small))

    def empty(self, words: str) -> None:
        """Words in the middle of the plot when there is nothing to draw."""
        f = self.frame
        self._parts.append(tag("text", escaped(words), x=f.centre_x, y=f.centre_y, fill=MUTED, text_anchor="middle"))

    # ------------------------------------------------------------------ helpers

    def _x(self, day: datetime.date) -> float:
        if self.x is None:
            raise ValueError("this chart has no days to place: give Chart an x scale")
        return self.x(day)

    def _axis_name(self, words: str, css_class: str, *, x: float, y: float, transform: str | None = None) -> None:
        self._parts.append(
            tag(
                "text",
                escaped(words),
                class_=css_class,
                x=x,
                y=y,
                fill=INK,
                text_anchor="middle",
                transform=transform,
            )
        )

    def _across(
        self,
        value: Value,
        *,
        colour: str,
        width: float,
        dash: str,
        css_class: str | None = None,
        opacity: float | None = None,
        title: str | None = None,
    ) -> str:
        """A horizontal line over the whole plot at a value."""
        f, y = self.frame, self.y(value)
        children = [tag("title", escaped(title))] if title else []
        return tag(
            "line",
            *children,
            class_=css_class,
            x1=f.left,
            y1=y,
            x2=f.plot_right,
            y2=y,
            stroke=colour,
            stroke_width=width,
            stroke_dasharray=dash,
            stroke_opacity=opacity,
        )

    def _polyline(self, coords: list[tuple[float, float]], css_class: str, colour: str, dash: str | None) -> None:
        points = " ".join(f"{coordinate(x)},{coordinate(y)}" for x, y in coords)
        self._parts.append(
            tag(
                "polyline",
                class_=css_class,
                points=points,
                fill="none",
                stroke=colour,
                stroke_width=2,
                stroke_dasharray=dash,
            )
        )

    def _band_spans(self, bands: Sequence[Band]):
        """Each band with the values its shading spans, within the scale."""
        low, high = self.y.low, self.y.high
        for index, band in enumerate(bands):
            lower = low if index == 0 else (bands[index - 1].high + band.low) / 2
            upper = high if index == len(bands) - 1 else (band.high + bands[index + 1].low) / 2
            yield band, max(lower, low), min(upper, high)

    def _edge_anchor(self, index: int, count: int, x: float) -> str | None:
        if count > 1 and index == count - 1:
            return "end"
        if count > 1 and index == 0 and x - self.frame.left < 20:
            return "start"
        return None


def _diamond(x: float, y: float, size: float = 6) -> str:
    """The corners of a diamond around (x, y): top, right, bottom, left."""
    corners = ((x, y - size), (x + size, y), (x, y + size), (x - size, y))
    return " ".join(f"{coordinate(px)},{coordinate(py)}" for px, py in corners)
