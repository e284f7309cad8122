"""The patient's "My numbers": their PEG and daily check-ins over time, drawn by the chart engine the clinicians'
pages use (careplans.logs.charts.line_chart on charts/), each chart with one plain sentence of what changed
(portal.numbers_words), their goals with their progress, and the questionnaires about mood, with care.

``numbers_for(patient)`` is the one read: five queries, whatever the number of answers and check-ins (PEG: the
first and the latest ``PEG_SHOWN``; check-ins: one point per day over the last ``CHECK_IN_WEEKS`` weeks; the
other questionnaires: the latest ``OTHER_SHOWN`` dates). No writes.

What the patient is shown is the app's own choice (said on the page too):

- Only the PEG is charted, on its 0-10 scale: it has no severity bands (REFERENCE.md 1.1), and the clinicians'
  PEG chart shows its total only, so its three items are not charted either. The clinician's dashed "30% better"
  line and baseline marker are left out: the patient sees the line of their own answers.
- Mood questionnaires (PHQ-9, PHQ-2, GAD-7, GAD-2): neither REFERENCE.md nor the instrument definitions give
  patient-facing wording for what a mood score means (the definitions carry clinical band labels such as
  "moderately severe" and a subject for a change sentence, nothing more), so the page shows them only as
  "questions about mood" with the days they were answered, and says the care team reads them with the patient.
  No number, band or label. Other questionnaires (PC-PTSD-5, AUDIT-C, any a clinic loads) are treated the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy, ngettext

from careplans.logs.charts import ChartWords, Series, line_chart
from careplans.logs.selectors import DayPoint, log_series
from careplans.models import GOAL_UNITS, CarePlan, Goal, GoalProgress
from charts import number
from clinic import dates
from measures.definitions import get_definition
from measures.models import Response
from portal.numbers_words import ChangeRule, change_sentence, day_words, goal_sentence, goal_share, week_change_sentence

PEG = "peg"
PEG_SHOWN = 60
CHECK_IN_WEEKS = 12
OTHER_SHOWN = 12
MOOD_CODES = ("phq9", "phq2", "gad7", "gad2")

# App rule (portal.numbers_words): how big a difference counts as a change, per number shown.
ZERO_TO_TEN = ChangeRule(points=Decimal(1), places=1)
SLEEP_HOURS = ChangeRule(points=Decimal(1), places=1, unit=gettext_lazy("hours"))
STEPS = ChangeRule(percent=10, places=0)
# A goal's unit in words ("min" is "minutes" to a patient).
UNIT_WORDS = {"min": gettext_lazy("minutes"), "h": gettext_lazy("hours"), "kg": "kg"}
# What a goal measures, in the page's language (the model's labels are the staff pages' English; a custom
# measure is shown as the care team wrote it).
METRIC_WORDS: dict[str, str | Promise] = {
    Goal.Metric.WALKING_MINUTES: gettext_lazy("Walking (minutes)"),
    Goal.Metric.SITTING_MINUTES: gettext_lazy("Sitting (minutes)"),
    Goal.Metric.SLEEP_HOURS: gettext_lazy("Sleep (hours)"),
    Goal.Metric.LIFTING_KG: gettext_lazy("Lifting (kg)"),
    Goal.Metric.SHIFT_HOURS: gettext_lazy("Work shift (hours)"),
    Goal.Metric.PEG: gettext_lazy("PEG score"),
}


@dataclass(frozen=True)
class NumberChart:
    """One chart, its plain sentence, and its numbers as a table (the text alternative)."""

    key: str
    heading: str
    about: str  # what the number is, in the patient's words
    svg: SafeString
    sentence: str
    rows: list[tuple[str, str]]  # (day in words, value in words), newest first
    value_heading: str

    @property
    def table_id(self) -> str:
        return table_id(self.key)


def table_id(key: str) -> str:
    """The id of a chart's table, which the chart names as its description (aria-describedby)."""
    return f"my-{key}-table"


@dataclass(frozen=True)
class GoalProgressView:
    words: str
    measure: str  # what is measured: "Walking (minutes)"
    sentence: str
    share: float  # 0 to 1 of the way to the target
    percent: int
    has_progress: bool  # a value was recorded since the baseline


@dataclass(frozen=True)
class AnsweredDays:
    """A group of questionnaires shown only by the days they were answered."""

    heading: str
    days: list[str]


@dataclass
class MyNumbers:
    today: date
    peg: NumberChart | None = None
    check_ins: list[NumberChart] = field(default_factory=list)
    goals: list[GoalProgressView] = field(default_factory=list)
    mood: AnsweredDays | None = None
    other: AnsweredDays | None = None
    check_in_since: date | None = None
    check_in_weeks: int = CHECK_IN_WEEKS

    @property
    def is_empty(self) -> bool:
        return not (self.peg or self.check_ins or self.goals or self.mood or self.other)


def numbers_for(patient) -> MyNumbers:
    """Everything "My numbers" shows (five queries; see the module docstring)."""
    today = dates.today()
    numbers = MyNumbers(today=today)
    numbers.peg = peg_chart(patient, today=today)
    since = today - timedelta(days=CHECK_IN_WEEKS * 7 - 1)
    numbers.check_in_since = since
    numbers.check_ins = check_in_charts(log_series(patient, since=since, until=today), today=today)
    numbers.mood, numbers.other = answered_days(patient, today=today)
    plan = CarePlan.objects.active().filter(patient=patient).only("id").first()
    if plan is not None:
        numbers.goals = goal_progress(plan, today=today)
    return numbers


def chart_words() -> ChartWords:
    """A chart's dates and description in the page's language (the chart engine's own words are English, for
    the staff pages)."""
    return ChartWords(
        long_date=lambda day: date_format(day, gettext("M j, Y")),
        short_date=lambda day: date_format(day, gettext("M j")),
        span=lambda since, until: gettext("From %(since)s to %(until)s.") % {"since": since, "until": until},
        nothing=lambda name: gettext("%(name)s: nothing logged.") % {"name": name},
        summary=_chart_summary,
        empty=gettext("Nothing logged in these weeks"),
    )


def _chart_summary(name: str, days: int, first: str, first_day: str, latest: str, latest_day: str) -> str:
    return ngettext(
        "%(name)s: %(days)s day, first %(first)s on %(first_day)s, latest %(latest)s on %(latest_day)s.",
        "%(name)s: %(days)s days, first %(first)s on %(first_day)s, latest %(latest)s on %(latest_day)s.",
        days,
    ) % {"name": name, "days": days, "first": first, "first_day": first_day, "latest": latest, "latest_day": latest_day}


# --------------------------------------------------------------------------- PEG


def peg_points(patient) -> list[tuple[date, Decimal]]:
    """The PEG totals to chart: the first ever and the latest PEG_SHOWN, by the clinic's day, oldest first."""
    rows = (
        Response.objects.filter(patient=patient, instrument__code=PEG)
        .for_trends(latest=PEG_SHOWN)
        .values_list("completed_at", "total")
    )
    return [(timezone.localdate(completed_at), total) for completed_at, total in rows]


def peg_chart(patient, *, today: date) -> NumberChart | None:
    points = peg_points(patient)
    if not points:
        return None
    title = gettext("Pain and its effect on your life (PEG, 0-10)")
    svg = line_chart(
        [Series(name="PEG", points=points)],
        since=points[0][0],
        until=today,
        low=0,
        high=10,
        title=title,
        id_prefix="my-peg",
        table_id=table_id("peg"),
        words=chart_words(),
    )
    return NumberChart(
        key="peg",
        heading=gettext("Pain and daily life"),
        about=peg_about(),
        svg=mark_safe(svg),  # built by careplans.logs.charts: every text is escaped
        sentence=change_sentence(gettext("Your PEG score"), points, rule=ZERO_TO_TEN, today=today),
        rows=table_rows(points, ZERO_TO_TEN, today=today),
        value_heading=gettext("PEG score (0-10)"),
    )


def peg_about() -> str:
    """What the PEG is, from its definition (the title names its three questions; the score is their mean, 0-10,
    and lower is better: REFERENCE.md 1.1); the sentence around them is the app's."""
    definition = get_definition(PEG)
    questions = (definition.title or "").removeprefix(f"{definition.name}: ")
    # The questions are named in the instrument's own (English) wording: it has no official Spanish text loaded.
    words = {
        "named": f" ({questions})" if questions else "",
        "low": number(definition.min_total),
        "high": number(definition.max_total),
    }
    asks = gettext("The PEG asks three questions%(named)s, each from %(low)s to %(high)s. Your score is their average.")
    if definition.change.lower_is_better:
        means = gettext("A lower score means pain gets in the way less.")
    else:
        means = gettext("A lower score means pain gets in the way more.")
    return f"{asks % words} {means}"


# --------------------------------------------------------------------------- daily check-ins

# What each check-in chart shows: (key, heading, about, the DayPoint field, chart high, rule, value heading).
CHECK_IN_CHARTS = (
    (
        "pain",
        gettext_lazy("How much pain got in the way"),
        gettext_lazy(
            "From your daily check-ins: 0 means pain did not get in the way of your day, 10 that it completely did."
        ),
        "pain_interference",
        10,
        ZERO_TO_TEN,
        gettext_lazy("Pain in the way (0-10)"),
    ),
    (
        "sleep-quality",
        gettext_lazy("How well you slept"),
        gettext_lazy("From your daily check-ins: 0 means very badly, 10 very well."),
        "sleep_quality",
        10,
        ZERO_TO_TEN,
        gettext_lazy("Sleep (0-10)"),
    ),
    (
        "sleep-hours",
        gettext_lazy("Hours of sleep"),
        gettext_lazy("From your daily check-ins."),
        "sleep_hours",
        12,
        SLEEP_HOURS,
        gettext_lazy("Hours slept"),
    ),
    (
        "steps",
        gettext_lazy("Steps"),
        gettext_lazy("From your daily check-ins, when you counted them."),
        "steps",
        None,
        STEPS,
        gettext_lazy("Steps"),
    ),
)


def check_in_charts(points: list[DayPoint], *, today: date) -> list[NumberChart]:
    """A chart per thing the check-ins record, for those with at least one answer in the weeks shown."""
    charts = []
    for key, lazy_heading, about, attribute, high, rule, value_heading in CHECK_IN_CHARTS:
        heading = str(lazy_heading)
        series = [(p.day, value) for p in points if (value := getattr(p, attribute)) is not None]
        if not series:
            continue
        svg = line_chart(
            [Series(name=heading, points=series)],
            # From the first check-in shown (at least two weeks wide), so a few weeks of check-ins fill the chart.
            since=min(series[0][0], today - timedelta(days=2 * 7 - 1)),
            until=today,
            low=0,
            high=high,
            title=heading,
            unit=str(rule.unit),
            id_prefix=f"my-{key}",
            table_id=table_id(key),
            words=chart_words(),
        )
        charts.append(
            NumberChart(
                key=key,
                heading=heading,
                about=str(about),
                svg=mark_safe(svg),  # built by careplans.logs.charts: every text is escaped
                sentence=week_change_sentence(str(SUBJECTS[key]), series, rule=rule, today=today),
                rows=table_rows(series, rule, today=today),
                value_heading=str(value_heading),
            )
        )
    return charts


# The subject of each check-in chart's sentence.
SUBJECTS = {
    "pain": gettext_lazy("How much pain got in the way"),
    "sleep-quality": gettext_lazy("How well you slept"),
    "sleep-hours": gettext_lazy("Your sleep"),
    "steps": gettext_lazy("Your steps"),
}


def table_rows(points, rule: ChangeRule, *, today: date) -> list[tuple[str, str]]:
    """The chart's numbers as table rows, newest first (a day's check-ins are averaged on the chart too)."""
    return [(day_words(day, today=today), rule.words(Decimal(str(value)))) for day, value in reversed(points)]


# --------------------------------------------------------------------------- goals


def goal_progress(plan: CarePlan, *, today: date) -> list[GoalProgressView]:
    """The plan's active goals with their latest recorded value (one query)."""
    latest = GoalProgress.objects.filter(goal=OuterRef("pk")).order_by("-recorded_on", "-id")
    goals = (
        Goal.objects.filter(plan=plan, status=Goal.Status.ACTIVE)
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("recorded_on")[:1]),
        )
        .order_by("position", "id")
    )
    views = []
    for goal in goals:
        unit = goal.custom_unit if goal.metric == Goal.Metric.CUSTOM else GOAL_UNITS.get(goal.metric, "")
        rule = ChangeRule(places=1, unit=str(UNIT_WORDS.get(unit, unit)))
        share = goal_share(
            baseline=goal.baseline, latest=goal.latest_value, target=goal.target, lower_is_better=goal.better_is_lower
        )
        views.append(
            GoalProgressView(
                words=goal.words,
                measure=str(METRIC_WORDS.get(goal.metric, goal.metric_name)),
                sentence=goal_sentence(
                    baseline=goal.baseline,
                    latest=goal.latest_value,
                    latest_on=goal.latest_on,
                    target=goal.target,
                    target_date=goal.target_date,
                    lower_is_better=goal.better_is_lower,
                    rule=rule,
                    today=today,
                ),
                share=share,
                percent=round(share * 100),
                has_progress=goal.latest_value is not None,
            )
        )
    return views


# --------------------------------------------------------------------------- mood and other questionnaires


def answered_days(patient, *, today: date) -> tuple[AnsweredDays | None, AnsweredDays | None]:
    """The days the patient answered questions about mood, and other questionnaires (not the PEG), newest first:
    days only, never a score (see the module docstring). One query."""
    rows = (
        Response.objects.completed()
        .filter(patient=patient)
        .exclude(instrument__code=PEG)
        .order_by("-completed_at", "-id")
        .values_list("completed_at", "instrument__code")[: OTHER_SHOWN * 2]
    )
    mood: list[date] = []
    other: list[date] = []
    for completed_at, code in rows:
        days = mood if code in MOOD_CODES else other
        day = timezone.localdate(completed_at)
        if day not in days and len(days) < OTHER_SHOWN:
            days.append(day)
    return (
        AnsweredDays(gettext("Questions about mood"), [day_words(d, today=today) for d in mood]) if mood else None,
        AnsweredDays(gettext("Other questions"), [day_words(d, today=today) for d in other]) if other else None,
    )
