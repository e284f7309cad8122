"""Demo care plans: the first demo patients get a plan in one of the three tiers, goals in their words with
weeks of progress, a treatment portfolio (a few treatments with the four questions still open), past sprints
reviewed with the rule's suggestion as the decision, and a sprint running now. The demo patient's current
sprint ends in three days, so the review sweep gives her lead a review task.

Trajectories differ per patient: some improve (continue, then step down), some stay flat (pivot, then step up:
two sprints without improvement make them case-conference candidates), some improve slowly. The demo patient
stays flat in her first sprint (pivot) and improves after the change.

Rows are written directly, with their dates in the past, not through the audited services: seeding is not
something a clinician did, so it writes no audit events. The reviews' judgements and suggestions come from
the real reads (``selectors.sprint_review``), so they match what the review page shows.

Idempotent: a patient with any care plan is left alone. Only the first PLAN_PATIENTS patients get a plan, so
the benchmark's 50,000-patient clinic is seeded quickly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from careplans import plan_services, selectors, sprints
from careplans.models import CarePlan, Goal, GoalProgress, Intervention, PlanChange, Sprint, Tier
from charts import long_date
from clinic.models import CareTeamMember

PLAN_PATIENTS = 60
SEED = 2026
WHO_TO_CALL = "Nurse line 555-0100, weekdays 8 to 5"
IMPROVING, FLAT, SLOW, LATE = "improving", "flat", "slow", "late"

# (words, metric, baseline, target, custom name, custom unit)
GOALS = [
    ("Walk the dog around the block again", Goal.Metric.WALKING_MINUTES, 5, 30, "", ""),
    ("Sit through a film with my kids", Goal.Metric.SITTING_MINUTES, 20, 120, "", ""),
    ("Sleep through the night more often", Goal.Metric.SLEEP_HOURS, Decimal("4.5"), 7, "", ""),
    ("Get back to work, even part time", Goal.Metric.SHIFT_HOURS, 1, 6, "", ""),
    ("Lift my grandchild", Goal.Metric.LIFTING_KG, 3, 12, "", ""),
    ("Cook a meal standing up without stopping", Goal.Metric.CUSTOM, 10, 40, "Standing at the counter", "min"),
]

# (name, category, owner discipline, lowest tier, four answers or None for "not all answered yet")
TREATMENTS = [
    (
        "Pain science education (4 sessions)",
        Intervention.Category.EDUCATION,
        "nurse",
        1,
        (
            "Helps most people understand and manage pain better; lasting if practised.",
            "None expected; some find it a lot to take in at first.",
            "Makes it easier to keep active on hard days.",
            "Pain interference in the daily check-ins; decide at the sprint review.",
        ),
    ),
    (
        "Sleep routine and wind-down plan",
        Intervention.Category.LIFESTYLE,
        "nurse",
        1,
        (
            "Small to moderate; builds over a few weeks.",
            "A few tired days while the routine settles.",
            "Better sleep, more energy for the things that matter.",
            "Hours slept and sleep quality in the daily check-ins.",
        ),
    ),
    (
        "Graded walking programme",
        Intervention.Category.REHABILITATION,
        "physical_therapist",
        1,
        (
            "Builds over 6 to 12 weeks.",
            "Muscle soreness at first; a flare-up plan is in place.",
            "Walking the dog again.",
            "Walking minutes; decide at each sprint review.",
        ),
    ),
    (
        "CBT for chronic pain (8 sessions)",
        Intervention.Category.PSYCHOLOGICAL,
        "psychologist",
        2,
        (
            "Moderate, lasting after the sessions end.",
            "Talking about hard things can be tiring.",
            "Less worry about pain, more of the day back.",
            "PEG and PHQ-9 every 4 weeks; decide after 8 sessions.",
        ),
    ),
    ("Physical therapy: graded strengthening", Intervention.Category.REHABILITATION, "physical_therapist", 2, None),
    (
        "Interdisciplinary pain programme (3 weeks)",
        Intervention.Category.REHABILITATION,
        "occupational_therapist",
        3,
        None,
    ),
    (
        "Duloxetine trial",
        Intervention.Category.MEDICATION,
        "physician",
        3,
        (
            "Some people get a moderate benefit within a few weeks.",
            "Nausea, dry mouth, sleepiness; see the leaflet.",
            "Fewer bad days, so the exercise plan can go on.",
            "PEG at 4 and 8 weeks; stop if no benefit by the review.",
        ),
    ),
]

REASONS = {
    sprints.Decision.CONTINUE: "Going in the right direction; keep the same plan for another sprint.",
    sprints.Decision.STEP_UP: "Flat for two sprints despite good effort; discussed with the patient, who agrees.",
    sprints.Decision.STEP_DOWN: "Goals reached; the patient feels ready to carry on with less support.",
    sprints.Decision.PIVOT: "Not helping enough yet; try something different before changing the tier.",
}


@dataclass
class PlanSeedResult:
    plans: int = 0
    goals: int = 0
    sprints: int = 0


def seed_plans(count: int) -> PlanSeedResult:
    """Give demo patients 0..min(count, PLAN_PATIENTS)-1 without a care plan one; returns what was added."""
    from demo.clinic import demo_mrn  # the demo's MRN numbering (imported here: the demo imports its seeders)

    mrns = [demo_mrn(number) for number in range(min(count, PLAN_PATIENTS))]
    return seed_plan_batch(mrns, first_mrn=int(demo_mrn(0)))


@transaction.atomic
def seed_plan_batch(mrns: list[str], *, first_mrn: int) -> PlanSeedResult:
    leads = dict(
        CareTeamMember.objects.filter(patient__mrn__in=mrns, is_lead=True)
        .exclude(patient__care_plans__isnull=False)
        .values_list("patient__mrn", "pk")
    )
    memberships = CareTeamMember.objects.select_related("patient", "member").in_bulk(list(leads.values()))
    tiers = {tier.number: tier for tier in Tier.objects.all()}
    result = PlanSeedResult()
    today = timezone.localdate()
    for mrn in sorted(leads):
        membership = memberships[leads[mrn]]
        number = int(mrn) - first_mrn
        seeded = DemoPlan(membership, number=number, tiers=tiers, today=today).build()
        result.plans += 1
        result.goals += seeded.goals
        result.sprints += seeded.sprints
    return result


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@dataclass
class Built:
    goals: int
    sprints: int


class DemoPlan:
    """One patient's plan, built sprint by sprint from the day it started."""

    def __init__(self, membership: CareTeamMember, *, number: int, tiers: dict[int, Tier], today: date):
        self.patient = membership.patient
        self.lead = membership.member
        self.number = number
        self.rng = random.Random(SEED * 4_000_037 + number)
        self.tiers = tiers
        self.today = today
        # The demo patient: flat in her first sprint (pivot), then improving after the change.
        self.trajectory = (IMPROVING, FLAT, SLOW)[number % 3] if number else LATE
        self.past_sprints = 2 if number == 0 else self.rng.randint(1, 3)
        # Past sprints of 4 weeks each, then one running now (the demo patient's ends in 3 days).
        running_days = 25 if number == 0 else self.rng.randint(3, 24)
        self.current_start = today - timedelta(days=running_days)
        self.started_on = self.current_start - timedelta(weeks=4 * self.past_sprints) - timedelta(days=7)

    def build(self) -> Built:
        tier_number = 1 if self.number == 0 else 1 + self.number % 3
        if self.trajectory == FLAT and tier_number == 3:
            tier_number = 2  # leave room to step up
        plan = CarePlan.objects.create(
            patient=self.patient,
            lead=self.lead,
            tier=self.tiers[tier_number],
            who_to_call=WHO_TO_CALL,
            created_by=self.lead,
            created_at=at(self.started_on, 9),
            updated_by=self.lead,
            updated_at=at(self.started_on, 9),
        )
        plan.patient = self.patient
        self.change(
            plan,
            PlanChange.Kind.CREATED,
            f"Plan started at tier {tier_number} ({plan.tier.name})",
            on=self.started_on,
            reason="First visit: plan agreed with the patient.",
        )
        goals = self.add_goals(plan)
        treatments = self.add_treatments(plan, tier_number)
        metrics = [sprints.goal_metric(g.public_id) for g in goals] + [sprints.measure_metric("peg")]
        starts_on = self.started_on + timedelta(days=7)
        for sprint_number in range(1, self.past_sprints + 1):
            sprint = self.sprint(plan, sprint_number, starts_on, metrics, treatments)
            self.review(plan, sprint)
            starts_on += timedelta(weeks=4)
        ends_on = self.current_start + timedelta(weeks=4)
        self.sprint(plan, self.past_sprints + 1, self.current_start, metrics, treatments, ends_on=ends_on)
        return Built(goals=len(goals), sprints=self.past_sprints + 1)

    def change(self, plan, kind, summary, *, on: date, reason="", details=None, snapshot=None) -> None:
        PlanChange.objects.create(
            plan=plan,
            kind=kind,
            summary=summary,
            reason=reason,
            details=details or {},
            measures_snapshot=snapshot or [],
            by=self.lead,
            at=at(on, 11),
        )

    def add_goals(self, plan) -> list[Goal]:
        chosen = (
            [GOALS[0], *self.rng.sample(GOALS[1:], self.rng.randint(1, 2))]
            if self.number == 0
            else (self.rng.sample(GOALS, self.rng.randint(2, 3)))
        )
        goals = []
        for position, (words, metric, baseline, target, custom, unit) in enumerate(chosen, start=1):
            goal = Goal.objects.create(
                plan=plan,
                words=words,
                metric=metric,
                custom_metric=custom,
                custom_unit=unit,
                baseline=Decimal(baseline),
                target=Decimal(target),
                target_date=self.today + timedelta(weeks=self.rng.randint(6, 16)),
                from_intake=position == 1,
                position=position,
                created_by=self.lead,
                created_at=at(self.started_on, 9),
                updated_at=at(self.started_on, 9),
            )
            self.change(
                plan,
                PlanChange.Kind.GOAL,
                f"Goal added: {words}",
                on=self.started_on,
                details={"object": plan_services.object_key(goal), "fields": {"words": [None, words]}},
            )
            self.add_progress(goal)
            goals.append(goal)
        return goals

    def share_by(self, weeks: float) -> float:
        """How far along the way to the target the patient is after this many weeks."""
        total = max((self.today - self.started_on).days / 7, 1)
        noise = self.rng.uniform(-0.03, 0.03)
        if self.trajectory == LATE:
            flat_weeks = 5  # the week before the first sprint, and the first sprint
            if weeks <= flat_weeks:
                return 0.03 * weeks / flat_weeks + noise
            return 0.03 + 0.75 * min((weeks - flat_weeks) / max(total - flat_weeks, 1), 1) + noise
        reach = {IMPROVING: 1.05, SLOW: 0.75, FLAT: 0.08}[self.trajectory]
        return reach * min(weeks / total, 1) + noise

    def add_progress(self, goal: Goal) -> None:
        rows = []
        day = self.started_on + timedelta(days=6)
        while day <= self.today:
            share = self.share_by((day - self.started_on).days / 7)
            value = goal.baseline + (goal.target - goal.baseline) * Decimal(str(round(max(share, -0.05), 3)))
            rows.append(
                GoalProgress(goal=goal, value=value.quantize(Decimal("0.1")), recorded_on=day, recorded_by=self.lead)
            )
            day += timedelta(days=7)
        GoalProgress.objects.bulk_create(rows)

    def add_treatments(self, plan, tier_number: int) -> list[Intervention]:
        chosen = [t for t in TREATMENTS if t[3] <= tier_number]
        chosen = chosen[:2] + self.rng.sample(chosen[2:], min(len(chosen) - 2, self.rng.randint(1, 3)))
        made = []
        for name, category, discipline, _, answers in chosen:
            four = dict(
                zip(("expected_benefit", "risks", "how_it_helps", "how_measured"), answers or ("",) * 4, strict=True)
            )
            if answers is None:
                four["how_it_helps"] = "More of the day back."  # started, with the other answers still to agree
            item = Intervention.objects.create(
                plan=plan,
                category=category,
                name=name,
                owner_discipline=discipline,
                status=Intervention.Status.ACTIVE,
                patient_preference=self.rng.choice(["wants", "open", "open", "unsure"]),
                started_on=self.started_on,
                created_by=self.lead,
                created_at=at(self.started_on, 9),
                updated_at=at(self.started_on, 9),
                **four,
            )
            self.change(
                plan,
                PlanChange.Kind.INTERVENTION,
                f"Treatment added (active): {name}",
                on=self.started_on,
                details={"object": plan_services.object_key(item), "fields": {"name": [None, name]}},
            )
            made.append(item)
        return made

    def sprint(self, plan, number, starts_on, metrics, treatments, *, ends_on=None) -> Sprint:
        ends_on = ends_on or starts_on + timedelta(weeks=4)
        sprint = Sprint.objects.create(
            plan=plan,
            number=number,
            starts_on=starts_on,
            ends_on=ends_on,
            metrics=metrics,
            created_by=self.lead,
            created_at=at(starts_on, 9),
        )
        sprint.interventions.set(treatments)
        self.change(
            plan,
            PlanChange.Kind.SPRINT,
            f"Sprint {number} started: {long_date(starts_on)} to {long_date(ends_on)}",
            on=starts_on,
            details={"object": f"sprint:{sprint.public_id}", "metrics": metrics},
        )
        return sprint

    def review(self, plan, sprint: Sprint) -> None:
        review = selectors.sprint_review(sprint, plan=plan)
        decision = review.suggestion.decision
        reviewed_on = sprint.ends_on
        Sprint.objects.filter(pk=sprint.pk).update(
            suggestion=decision,
            suggestion_reason=review.suggestion.reason[:300],
            decision=decision,
            decision_reason=REASONS[decision],
            improved=review.suggestion.improved,
            review_snapshot=[j.as_snapshot() for j in review.judgements],
            reviewed_by=self.lead,
            reviewed_at=at(reviewed_on, 15),
            review_task_created_at=at(sprints.review_due_on(sprint.ends_on), 7),
        )
        decided = dict(Sprint.Decision.choices)[decision].lower()
        self.change(
            plan,
            PlanChange.Kind.SPRINT,
            f"Sprint {sprint.number} reviewed: {decided} (suggested: {decided})",
            on=reviewed_on,
            reason=REASONS[decision],
            details={
                "object": f"sprint:{sprint.public_id}",
                "decision": decision.value,
                "suggestion": decision.value,
                "improved": review.suggestion.improved,
            },
        )
        new_tier = sprints.tier_after(decision, review.tier.number)
        if new_tier is not None:
            peg = next((m.judgement for m in review.metrics if m.judgement.code == "measure:peg"), None)
            snapshot = []
            if peg is not None and peg.baseline is not None and peg.latest is not None:
                snapshot = [
                    {
                        "code": "peg",
                        "name": "PEG",
                        "baseline": peg.baseline,
                        "baseline_on": sprint.starts_on.isoformat(),
                        "latest": peg.latest,
                        "latest_on": sprint.ends_on.isoformat(),
                        "responses": None,
                    }
                ]
            old = review.tier.number
            CarePlan.objects.filter(pk=plan.pk).update(tier=self.tiers[new_tier], version=F("version") + 1)
            plan.tier = self.tiers[new_tier]
            self.change(
                plan,
                PlanChange.Kind.TIER,
                f"Sprint {sprint.number} decision: tier {old} to tier {new_tier} ({plan.tier.name})",
                on=reviewed_on,
                reason=REASONS[decision],
                details={"object": "plan", "fields": {"tier": [old, new_tier]}},
                snapshot=snapshot,
            )
