"""What changed, in one plain sentence per chart of "My numbers" and per goal (pure: no database; the words are
Django translations, in the page's language, dates in that language's order).

    >>> rule = ChangeRule(points=Decimal(1))
    >>> change_sentence("Your pain score", [(date(2026, 11, 2), 7), (date(2026, 12, 1), 5)], rule=rule,
    ...                 today=date(2026, 12, 7))
    'Your pain score went from 7 to 5 since November 2.'

**App rule for "changed"** (the app's own choice, not from a clinical source; the page says it too): a number
changed when the latest one differs from the first by at least the rule's amount: 1 point on the 0-10 scales
(PEG, pain in the way of the day, sleep quality), 1 hour of sleep, 10% of the first step count. A smaller
difference is "about the same". The words never judge ("went from 7 to 5", never "better" or "worse"): the
patient and the care team read the numbers together.

Daily check-ins vary from day to day, so they are compared by week (also the app's choice): the average of the
first 7 days from the first check-in shown against the average of the 7 days up to the latest one. With fewer
than two separate weeks there is nothing to compare yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext

__all__ = [
    "ChangeRule",
    "Reading",
    "change_sentence",
    "day_words",
    "goal_sentence",
    "goal_share",
    "week_change_sentence",
    "weekly_readings",
]

Reading = tuple[date, "Decimal | float | int"]
WEEK = 7


@dataclass(frozen=True)
class ChangeRule:
    """How big a difference counts as a change (see the module docstring): ``points`` in the number's own unit,
    or ``percent`` of the first number. ``places``: decimals shown (trailing zeros dropped); ``unit`` follows
    each number ("7 hours")."""

    points: Decimal | None = None
    percent: int | None = None
    places: int = 1
    unit: str | Promise = ""  # a lazy translation ("hours") is read in the page's language

    def changed(self, first: Decimal, latest: Decimal) -> bool:
        difference = abs(latest - first)
        if self.points is not None:
            return difference >= self.points
        if self.percent is not None:
            return difference * 100 >= abs(first) * self.percent if first else difference > 0
        return difference > 0

    def words(self, value: Decimal) -> str:
        """7, 6.5, 12,400: rounded half up, no trailing zeros, thousands separated; with the unit."""
        rounded = value.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP) + 0
        text = f"{rounded:,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return f"{text} {self.unit}" if self.unit else text


def day_words(day: date, *, today: date) -> str:
    """November 2; with the year when it is not this year's (November 2, 2025)."""
    return date_format(day, gettext("F j") if day.year == today.year else gettext("F j, Y"))


def _exact(value: Decimal | float | int) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def change_sentence(subject: str, readings: Sequence[Reading], *, rule: ChangeRule, today: date) -> str:
    """The first reading against the latest, in one sentence. ``readings``: (day, value), oldest first."""
    if not readings:
        return gettext("%(subject)s will show here once there is a first answer.") % {"subject": subject}
    (first_day, first), (last_day, latest) = readings[0], readings[-1]
    start, end = _exact(first), _exact(latest)
    words = {
        "subject": subject,
        "since": day_words(first_day, today=today),
        "first": rule.words(start),
        "latest": rule.words(end),
    }
    if len(readings) == 1 or first_day == last_day:
        return gettext("%(subject)s was %(first)s on %(since)s. Next time, you will see how it changes.") % words
    if rule.changed(start, end):
        return gettext("%(subject)s went from %(first)s to %(latest)s since %(since)s.") % words
    return gettext("%(subject)s stayed about the same since %(since)s: %(first)s then, %(latest)s now.") % words


def weekly_readings(points: Sequence[Reading]) -> list[tuple[date, Decimal]]:
    """The first week's and the latest week's averages (see the module docstring), as two readings dated by
    their first and last day; one reading when the check-ins do not span two separate weeks; none without any.
    ``points``: (day, value), oldest first."""
    if not points:
        return []
    first_day, last_day = points[0][0], points[-1][0]
    if last_day - first_day < timedelta(days=2 * WEEK - 1):
        return [(first_day, _mean(value for _, value in points))]
    first_week = [value for day, value in points if day < first_day + timedelta(days=WEEK)]
    last_week = [value for day, value in points if day > last_day - timedelta(days=WEEK)]
    return [(first_day, _mean(first_week)), (last_day, _mean(last_week))]


def _mean(values) -> Decimal:
    exact = [_exact(value) for value in values]
    return sum(exact, Decimal(0)) / len(exact)


def week_change_sentence(subject: str, points: Sequence[Reading], *, rule: ChangeRule, today: date) -> str:
    """The sentence under a check-in chart: the first week's average against the latest week's."""
    readings = weekly_readings(points)
    if not readings:
        return gettext("%(subject)s will show here after your first check-in.") % {"subject": subject}
    if len(readings) == 1:
        ((day, average),) = readings
        return gettext(
            "%(subject)s was about %(average)s on average since %(since)s. "
            "After two weeks of check-ins, you will see how it changes."
        ) % {"subject": subject, "average": rule.words(average), "since": day_words(day, today=today)}
    (first_day, first), (_, latest) = readings
    words = {
        "subject": subject,
        "since": day_words(first_day, today=today),
        "first": rule.words(first),
        "latest": rule.words(latest),
    }
    if rule.changed(first, latest):
        return gettext("%(subject)s went from about %(first)s to about %(latest)s since %(since)s.") % words
    return (
        gettext(
            "%(subject)s stayed about the same since %(since)s: about %(first)s in your first week, "
            "about %(latest)s in your latest week."
        )
        % words
    )


def goal_share(*, baseline: Decimal, latest: Decimal | None, target: Decimal, lower_is_better: bool) -> float:
    """How much of the way from the baseline to the target the latest value has come (0 to 1; never below 0,
    never above 1), for a progress bar."""
    if latest is None or target == baseline:
        return 1.0 if latest is not None and latest == target else 0.0
    sign = -1 if lower_is_better else 1
    share = (latest - baseline) * sign / ((target - baseline) * sign)
    return float(min(max(share, Decimal(0)), Decimal(1)))


def goal_sentence(
    *,
    baseline: Decimal,
    latest: Decimal | None,
    latest_on: date | None,
    target: Decimal,
    target_date: date,
    lower_is_better: bool,
    rule: ChangeRule,
    today: date,
) -> str:
    """A goal's progress in plain words: where it started, the latest value, and the target."""
    goal = gettext("Your target is %(target)s by %(day)s.") % {
        "target": rule.words(target),
        "day": day_words(target_date, today=today),
    }
    start = gettext("You started at %(baseline)s.") % {"baseline": rule.words(baseline)}
    if latest is None or latest_on is None:
        return f"{start} {goal} {gettext('Your care team adds your progress as you go.')}"
    reached = latest <= target if lower_is_better else latest >= target
    latest_words = gettext("On %(day)s it was %(latest)s.") % {
        "day": day_words(latest_on, today=today),
        "latest": rule.words(latest),
    }
    if reached:
        well_done = gettext("You reached your target of %(target)s. Well done!") % {"target": rule.words(target)}
        return f"{start} {latest_words} {well_done}"
    return f"{start} {latest_words} {goal}"
