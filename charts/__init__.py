"""The one chart engine: every SVG chart in Haven is drawn here (pure: no database, no Django).

Callers in the apps say what a chart shows: which series, thresholds, bands and words (measures/trend_chart.py:
a questionnaire's totals; careplans/logs/charts.py: check-ins and pacing; medications/taper_chart.py: a taper's MME).
The engine does every position, axis, tick and number format:

- ``scales``: values and calendar days to pixels, tick values, which dates get a label;
- ``chart``: the :class:`Chart` (frame, axes, bands, lines, points, thresholds, markers, legend, title and desc);
- ``svg``: elements with every text escaped and no style attribute (the Content Security Policy refuses them);
- ``text``: numbers, dates and coordinates as written on a chart; ``colours``: the palette and font.

Charts are server-rendered, print, and need no JavaScript. Body maps (patients/bodymap.py) and the sign-in QR code
are drawings, not charts, and are not drawn here.
"""

from charts import colours
from charts.chart import Band, Chart, Frame, LegendEntry, dot_radius
from charts.scales import (
    AMOUNT_TICKS,
    SCORE_TICKS,
    DayScale,
    TickRule,
    ValueScale,
    calendar_day,
    day_ticks,
    nice_ceiling,
    nice_ticks,
    spaced_days,
)
from charts.text import coordinate, drawable, long_date, number, short_date, slug

__all__ = [
    "AMOUNT_TICKS",
    "SCORE_TICKS",
    "Band",
    "Chart",
    "DayScale",
    "Frame",
    "LegendEntry",
    "TickRule",
    "ValueScale",
    "calendar_day",
    "colours",
    "coordinate",
    "day_ticks",
    "dot_radius",
    "drawable",
    "long_date",
    "nice_ceiling",
    "nice_ticks",
    "number",
    "short_date",
    "slug",
    "spaced_days",
]
