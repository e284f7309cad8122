"""Words and numbers on a chart, as people read them (pure: no database, no Django)."""

from __future__ import annotations

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

__all__ = ["coordinate", "drawable", "long_date", "number", "short_date", "slug"]


def coordinate(value: float) -> str:
    """A position in pixels with at most two decimals and no trailing zeros (48, 12.5): a hundredth of a pixel is
    finer than any screen, and short numbers keep a chart of a hundred points small."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def number(value: float | int | Decimal | Fraction, places: int = 0, *, trim: bool = False) -> str:
    """``value`` rounded half up to ``places`` decimals (8.0, 5.6); with ``trim``, without trailing zeros (7.5, 60).

    Decimals are rounded as they are (a dose of 2.475 shows as 2.48); other numbers as they print, so 0.35 is
    0.4 as a person would round it, not 0.3 as its binary float would.
    """
    exact = value if isinstance(value, Decimal) else Decimal(str(float(value)))
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0  # + 0: never "-0.0"
    text = f"{rounded:f}"
    return text.rstrip("0").rstrip(".") if trim and "." in text else text


def drawable(value: object) -> float | None:
    """The value as a float, or None for a gap: no value, a yes/no, NaN or infinity never becomes a point."""
    if value is None or isinstance(value, bool):
        return None
    result = float(value)  # type: ignore[arg-type]
    return result if math.isfinite(result) else None


def long_date(day: datetime.date) -> str:
    """Mar 2, 2026: a date in words, for titles, descriptions and the labels of long charts."""
    return f"{day:%b} {day.day}, {day.year}"


def short_date(day: datetime.date) -> str:
    """Mar 2: the label of a day on a chart of a few weeks, where the year is in the description."""
    return f"{day:%b} {day.day}"


def slug(text: str) -> str:
    """An id fragment: letters, digits, - and _ only, so an id prefix can never close its attribute."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)
