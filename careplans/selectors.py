"""Reads for the care plan's pages: the plan page (goals, portfolio, sprints, history) and the sprint review
(each metric's values over the sprint, judged by careplans/sprints.py). No writes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from careplans import sprints
from careplans.models import (
    CarePlan,
    Goal,
    GoalComment,
    GoalProgress,
    Intervention,
    PlanChange,
    Sprint,
    Tier,
)
from careplans.plan_services import measure_name, measures_snapshot
from clinic.dates import start_of_day
from measures.definitions import UnknownInstrumentError, get_definition
from measures.models import Instrument, Response
from measures.trend_chart import trend_svg
from patients.models import Patient

HISTORY_SHOWN = 50
SPRINTS_SHOWN = 20
POINTS_PER_METRIC = 60


# --------------------------------------------------------------------------- reads: the sprint review


@dataclass
class MetricSeries:
    """One metric of a sprint, judged, with its points in the sprint for a small chart."""

    judgement: sprints.Judgement
    svg: SafeString = field(default_factory=SafeString)
    points: int = 0


@dataclass
class SprintReview:
    sprint: Sprint
    tier: Tier
    metrics: list[MetricSeries]
    suggestion: sprints.Suggestion
    previous_improved: bool | None
    #: PHQ-9 and GAD-7 over the sprint when it did not choose them (only for the mood override).
    mood_watch: list[sprints.Judgement] = field(default_factory=list)

    @property
    def judgements(self) -> list[sprints.Judgement]:
        return [m.judgement for m in self.metrics]


def window_end(sprint: Sprint) -> datetime.date:
    """The last day the review looks at: the sprint's end, or today while it is still running."""
    return min(sprint.ends_on, timezone.localdate())


def goal_values(goals: Sequence[Goal], *, starts_on: datetime.date, until: datetime.date) -> dict[int, dict]:
    """Per goal: the latest value before the sprint ("before") and its values in the sprint, oldest first
    ("during", at most POINTS_PER_METRIC). One query."""
    rows = (
        GoalProgress.objects.filter(goal__in=list(goals), recorded_on__lte=until)
        .annotate(
            before=Q(recorded_on__lt=starts_on),
            newest=Window(
                RowNumber(),
                partition_by=[F("goal_id"), Q(recorded_on__lt=starts_on)],
                order_by=[F("recorded_on").desc(), F("id").desc()],
            ),
        )
        .filter(Q(before=True, newest=1) | Q(before=False, newest__lte=POINTS_PER_METRIC))
        .order_by("goal_id", "recorded_on", "id")
    )
    found: dict[int, dict] = {goal.pk: {"before": None, "during": []} for goal in goals}
    for row in rows:
        if row.before:
            found[row.goal_id]["before"] = row
        else:
            found[row.goal_id]["during"].append(row)
    return found


def measure_values(patient: Patient, codes: Sequence[str], *, starts_on: datetime.date, until: datetime.date):
    """Per questionnaire code: the latest scored response before the sprint and those in it (oldest first,
    at most POINTS_PER_METRIC), with their instruments. Two queries."""
    start = start_of_day(starts_on)
    rows = (
        Response.objects.scored()
        .filter(
            patient=patient,
            instrument__code__in=list(codes),
            completed_at__lt=start_of_day(until + datetime.timedelta(days=1)),
        )
        .annotate(
            before=Q(completed_at__lt=start),
            newest=Window(
                RowNumber(),
                partition_by=[F("instrument__code"), Q(completed_at__lt=start)],
                order_by=[F("completed_at").desc(), F("id").desc()],
            ),
        )
        .filter(Q(before=True, newest=1) | Q(before=False, newest__lte=POINTS_PER_METRIC))
        .defer("answers", "context")
        .prefetch_related(
            Prefetch("instrument", queryset=Instrument.objects.only("id", "code", "name", "definition", "checksum"))
        )
        .order_by("completed_at", "id")
    )
    found: dict[str, dict] = {code: {"before": None, "during": [], "definition": None} for code in codes}
    for row in rows:
        entry = found[row.instrument.code]
        entry["definition"] = row.instrument.spec
        if row.before:
            entry["before"] = row
        else:
            entry["during"].append(row)
    return found


def judge_goal_metric(code: str, goal: Goal | None, values: dict | None) -> MetricSeries:
    if goal is None:
        missing = sprints.Judgement(
            code=code, label="A goal no longer in the plan", verdict=sprints.Verdict.NO_DATA, baseline=None, latest=None
        )
        return MetricSeries(judgement=missing)
    values = values or {"before": None, "during": []}
    start = values["before"].value if values["before"] is not None else goal.baseline
    latest = values["during"][-1].value if values["during"] else None
    judgement = sprints.judge_goal(
        code,
        label=f"{goal.words} \N{MIDDLE DOT} {goal.metric_name}",
        baseline=start,
        latest=latest,
        target=goal.target,
        lower_is_better=goal.better_is_lower,
        unit=goal.unit,
    )
    return MetricSeries(judgement=judgement, points=len(values["during"]))


def baseline_and_latest(values: dict):
    """The response a questionnaire is judged from (the latest before the sprint, else the first in it when
    there are two or more) and the one it is judged at (the newest in the sprint)."""
    during = values["during"]
    baseline = values["before"] if values["before"] is not None else (during[0] if len(during) > 1 else None)
    latest = during[-1] if during and during[-1] is not baseline else None
    return baseline, latest


def watch_mood(instrument_code: str, values: dict | None) -> sprints.Judgement | None:
    """A mood questionnaire the sprint did not choose, judged over the sprint; None when never answered."""
    if not values or values.get("definition") is None:
        return None
    baseline, latest = baseline_and_latest(values)
    return sprints.judge_measure(
        sprints.measure_metric(instrument_code),
        values["definition"],
        baseline.total if baseline else None,
        latest.total if latest else None,
    )


def judge_measure_metric(code: str, instrument_code: str, values: dict | None) -> MetricSeries:
    values = values or {"before": None, "during": [], "definition": None}
    definition = values.get("definition")
    if definition is None:
        try:
            definition = get_definition(instrument_code)
        except UnknownInstrumentError:
            missing = sprints.Judgement(
                code=code,
                label=instrument_code.upper(),
                verdict=sprints.Verdict.NO_DATA,
                baseline=None,
                latest=None,
                words="No responses",
            )
            return MetricSeries(judgement=missing)
    during = values["during"]
    baseline, latest = baseline_and_latest(values)
    judgement = sprints.judge_measure(
        code, definition, baseline.total if baseline else None, latest.total if latest else None
    )
    points = [r for r in ([values["before"]] if values["before"] else []) + during]
    svg = SafeString()
    if points:
        svg = mark_safe(  # trend_svg escapes every piece of text it writes
            trend_svg(
                [(r.completed_at, r.total) for r in points],
                definition=definition,
                width=480,
                height=200,
                id_prefix=f"sprint-{instrument_code}",
            )
        )
    return MetricSeries(judgement=judgement, svg=svg, points=len(during))


def parsed_metric(code) -> tuple[str, str]:
    """("goal", id) or ("measure", code); ("unknown", "") for a code no longer readable (never raised)."""
    try:
        return sprints.parse_metric(code)
    except ValueError:
        return "unknown", ""


def sprint_review(sprint: Sprint, *, plan: CarePlan, goals: Sequence[Goal] | None = None) -> SprintReview:
    """Every metric of the sprint judged, and the suggestion (constant queries whatever the history).

    ``goals``: the plan's goals when the caller has them already (one query saved).
    """
    tier = plan.tier if CarePlan._meta.get_field("tier").is_cached(plan) else Tier.objects.get(pk=plan.tier_id)
    parsed = [(code, *parsed_metric(code)) for code in sprint.metrics]
    goal_ids = [key for _, kind, key in parsed if kind == "goal"]
    if goals is None:
        goals = list(Goal.objects.filter(plan=plan, public_id__in=goal_ids)) if goal_ids else []
    by_id = {str(goal.public_id): goal for goal in goals}
    chosen_goals = [by_id[key] for key in goal_ids if key in by_id]
    until = window_end(sprint)
    progress = goal_values(chosen_goals, starts_on=sprint.starts_on, until=until) if chosen_goals else {}
    measure_codes = [key for _, kind, key in parsed if kind == "measure"]
    # The mood questionnaires are read even when the sprint did not choose them, in the same two queries: a
    # meaningful worsening overrides "continue" (careplans/sprints.py, app policy); they are not judged as the
    # sprint's metrics.
    watched = [code for code in sprints.MOOD_MEASURES if code not in measure_codes]
    measures = measure_values(plan.patient, [*measure_codes, *watched], starts_on=sprint.starts_on, until=until)
    metrics = []
    for code, kind, key in parsed:
        if kind == "goal":
            goal = by_id.get(key)
            metrics.append(judge_goal_metric(code, goal, progress.get(goal.pk) if goal else None))
        elif kind == "measure":
            metrics.append(judge_measure_metric(code, key, measures.get(key)))
        else:
            label = "A metric that cannot be read"
            unknown = sprints.Judgement(str(code), label, sprints.Verdict.NO_DATA, baseline=None, latest=None)
            metrics.append(MetricSeries(judgement=unknown))
    previous = (
        Sprint.objects.filter(plan_id=plan.pk, number__lt=sprint.number, reviewed_at__isnull=False)
        .order_by("-number")
        .values_list("improved", flat=True)
        .first()
    )
    judgements = [m.judgement for m in metrics]
    mood_watch = [found for code in watched if (found := watch_mood(code, measures.get(code))) is not None]
    suggestion = sprints.suggest(judgements, tier=tier.number, previous_improved=previous, mood_watch=mood_watch)
    return SprintReview(
        sprint=sprint,
        tier=tier,
        metrics=metrics,
        suggestion=suggestion,
        previous_improved=previous,
        mood_watch=mood_watch,
    )


# --------------------------------------------------------------------------- reads: the plan page


@dataclass(frozen=True)
class PortfolioGroup:
    category: str
    label: str
    interventions: list[Intervention]


@dataclass
class PlanPage:
    plan: CarePlan
    goals: list[Goal]
    portfolio: list[PortfolioGroup]
    current_sprint: Sprint | None
    past_sprints: list[Sprint]
    changes: list[PlanChange]
    measures: list[dict]

    @property
    def incomplete_count(self) -> int:
        return sum(1 for group in self.portfolio for i in group.interventions if not i.four_questions_answered)


def goals_for_page(plan: CarePlan):
    """The plan's goals with their latest progress and latest comment, and how many comments (one query)."""
    latest = GoalProgress.objects.filter(goal=OuterRef("pk")).order_by("-recorded_on", "-id")
    last_comment = GoalComment.objects.filter(goal=OuterRef("pk")).order_by("-created_at", "-id")
    comments = GoalComment.objects.filter(goal=OuterRef("pk")).order_by().values("goal").annotate(n=Count("id"))
    return (
        Goal.objects.filter(plan=plan)
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("recorded_on")[:1]),
            last_comment_text=Subquery(last_comment.values("text")[:1]),
            last_comment_by_patient=Subquery(last_comment.values("by_patient")[:1]),
            last_comment_at=Subquery(last_comment.values("created_at")[:1]),
            comment_count=Subquery(comments.values("n")[:1]),
        )
        .order_by("status", "position", "id")
    )


ACTIVE_FIRST = ("active", "proposed", "paused", "stopped")
STATUS_ORDER = {status: rank for rank, status in enumerate(ACTIVE_FIRST)}


def group_portfolio(interventions: Iterable[Intervention]) -> list[PortfolioGroup]:
    """Treatments by category in the list's order; active first within a category, stopped last."""
    interventions = list(interventions)
    groups = []
    for category, label in Intervention.Category.choices:
        mine = [i for i in interventions if i.category == category]
        mine.sort(key=lambda i: (STATUS_ORDER[i.status], i.name.lower(), i.pk))
        if mine:
            groups.append(PortfolioGroup(category=category, label=label, interventions=mine))
    return groups


def metric_label(code: str, goals_by_id: dict[str, Goal]) -> str:
    try:
        kind, key = sprints.parse_metric(code)
    except ValueError:
        return code
    if kind == "goal":
        goal = goals_by_id.get(key)
        return f"Goal: {goal.words}" if goal else "A goal no longer in the plan"
    return measure_name(key)


def plan_page(plan: CarePlan) -> PlanPage:
    """Everything the plan page shows, in a constant number of queries (eight) whatever the history."""
    goals = list(goals_for_page(plan))
    for goal in goals:
        goal.judged = sprints.judge_goal(
            sprints.goal_metric(goal.public_id),
            label=goal.words,
            baseline=goal.baseline,
            latest=goal.latest_value,
            target=goal.target,
            lower_is_better=goal.better_is_lower,
            unit=goal.unit,
        )
    interventions = list(Intervention.objects.filter(plan=plan))
    sprint_list = list(
        Sprint.objects.filter(plan=plan)
        .select_related("reviewed_by")
        .prefetch_related(Prefetch("interventions", queryset=Intervention.objects.only("id", "name", "public_id")))
        .order_by("-number")[: SPRINTS_SHOWN + 1]
    )
    current = next((s for s in sprint_list if s.reviewed_at is None), None)
    past = [s for s in sprint_list if s.reviewed_at is not None][:SPRINTS_SHOWN]
    goals_by_id = {str(g.public_id): g for g in goals}
    for sprint in sprint_list:
        sprint.metric_labels = [metric_label(code, goals_by_id) for code in sprint.metrics]
    changes = list(PlanChange.objects.filter(plan=plan).select_related("by")[:HISTORY_SHOWN])
    return PlanPage(
        plan=plan,
        goals=goals,
        portfolio=group_portfolio(interventions),
        current_sprint=current,
        past_sprints=past,
        changes=changes,
        measures=measures_snapshot(plan.patient),
    )


def active_plan_for(patient: Patient) -> CarePlan | None:
    plan = CarePlan.objects.active().filter(patient=patient).select_related("tier", "lead", "updated_by").first()
    if plan is not None:
        plan.patient = patient
    return plan


def case_conference_candidates():
    """Patients whose last two reviewed sprints did not improve (for the coordination issue's list)."""
    return Patient.objects.filter(care_plans__in=CarePlan.objects.not_improving())
