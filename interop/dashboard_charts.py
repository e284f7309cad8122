"""The dashboard's charts: horizontal bars of percentages, drawn as server-side SVG (no JavaScript library).

Pure: no database. Every chart is an image named by its title and description, every bar carries a <title>
with its figure and its count ("31% (12 of 39)"), and the page shows the same numbers in a table next to it
(``aria-describedby`` points at that table). Text is escaped by charts.svg; colours are presentation attributes
(the Content Security Policy refuses inline styles), so the charts print as they show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from charts.colours import BLUE, FONT, GRID, INK, MUTED
from charts.svg import escaped, group, tag
from charts.text import slug

LABEL_WIDTH = 230
BAR_AREA = 330
FIGURE_WIDTH = 160
ROW_HEIGHT = 26
TOP = 22


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float | None  # None: nobody to count
    count: int
    of: int


def percent_words(percent: float | None) -> str:
    return "no patients to count" if percent is None else f"{percent:.0f}%"


def bar_words(bar: Bar) -> str:
    if bar.percent is None:
        return percent_words(None)
    return f"{percent_words(bar.percent)} ({bar.count} of {bar.of})"


def bars_svg(bars: Sequence[Bar], *, title: str, description: str, id_prefix: str, table_id: str) -> str:
    """A bar per figure, 0-100% on a shared scale, with gridlines at every 25%."""
    prefix = slug(id_prefix)
    width = LABEL_WIDTH + BAR_AREA + FIGURE_WIDTH
    height = TOP + ROW_HEIGHT * max(len(bars), 1) + 8
    parts = [
        tag("title", escaped(title), id=f"{prefix}-title"),
        tag("desc", escaped(description), id=f"{prefix}-desc"),
        grid(len(bars)),
    ]
    parts += [bar_row(index, bar) for index, bar in enumerate(bars)]
    return tag(
        "svg",
        *parts,
        xmlns="http://www.w3.org/2000/svg",
        class_="dashboard-chart",
        viewBox=f"0 0 {width} {height}",
        width=width,
        height=height,
        role="img",
        aria_labelledby=f"{prefix}-title {prefix}-desc",
        aria_describedby=slug(table_id),
        font_family=FONT,
        font_size=12,
    )


def grid(rows: int) -> str:
    bottom = TOP + ROW_HEIGHT * max(rows, 1)
    lines = []
    for percent in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + BAR_AREA * percent / 100
        lines.append(tag("line", x1=x, y1=TOP - 4, x2=x, y2=bottom, stroke=GRID, stroke_width=1))
        lines.append(tag("text", escaped(f"{percent}%"), x=x, y=TOP - 8, text_anchor="middle", fill=MUTED))
    return group("grid", lines, aria_hidden="true")


def bar_row(index: int, bar: Bar) -> str:
    y = TOP + ROW_HEIGHT * index
    words = bar_words(bar)
    length = 0 if bar.percent is None else BAR_AREA * min(max(bar.percent, 0), 100) / 100
    return group(
        "bar",
        [
            tag("title", escaped(f"{bar.label}: {words}")),
            tag("text", escaped(bar.label), x=LABEL_WIDTH - 8, y=y + 17, text_anchor="end", fill=INK),
            tag("rect", x=LABEL_WIDTH, y=y + 5, width=length, height=ROW_HEIGHT - 10, fill=BLUE),
            tag("text", escaped(words), x=LABEL_WIDTH + length + 6, y=y + 17, fill=INK),
        ],
    )
