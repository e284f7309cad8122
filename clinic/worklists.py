"""The two worklists: what a care coordinator and what a clinician should look at next.

Every section is one bounded query (``SECTION_SIZE + 1`` rows, so the page can say "showing the
first N" without a COUNT over a big table), served by a partial index on the small set of rows that
need attention: open tasks by assignee or role, open alerts, late referrals, unsigned notes, open
escalation flags. The number of queries is the same for one row or fifty thousand patients.

Urgent tasks are never filtered away: they come first on every worklist, above the filtered lists
(and the top bar counts the same tasks: ``tasks_for``).

Coordinator: urgent tasks; their own tasks; tasks for a role that nobody has taken; patients who need a
care team (no active lead clinician: newly registered ones first); referrals late on a step (the
tracking rules of clinic/referrals.py); referrals whose authorised visits are used up; patients not
reached by questionnaire reminders.
Clinician: urgent tasks; urgent (safety) alerts of their patients; their tasks; their unsigned notes;
their patients flagged by the escalation early warning. (Sprint reviews due and patients not improving
after two sprints join here with the care-plan issue.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from clinic.access import patients_visible_to
from clinic.models import CareTeamMember, EscalationFlag, Referral, TeamTask
from clinic.roles import Role
from measures.models import Alert, Invitation
from patients.models import Patient
from patients.selectors import unsigned_notes_for

SECTION_SIZE = 25
URGENT_SIZE = 50
PATIENT_FIELDS = ("public_id", "mrn", "given_name", "family_name", "preferred_name")

DUE_CHOICES = {"overdue": "Overdue", "today": "Due today or earlier", "week": "Due within 7 days"}
SORT_CHOICES = {"pressing": "Most pressing first", "due": "Due date"}


@dataclass(frozen=True)
class TaskFilters:
    priority: str = ""  # "high" or "normal" ("urgent" ones are always shown, above)
    source: str = ""  # a TeamTask.Source value
    due: str = ""  # a DUE_CHOICES key
    sort: str = "pressing"  # a SORT_CHOICES key

    @property
    def active(self) -> bool:
        return bool(self.priority or self.source or self.due)


@dataclass
class Section:
    key: str
    title: str
    rows: list
    more: bool
    empty_text: str


@dataclass
class Worklist:
    kind: str  # "coordinator" or "clinician"
    urgent: Section
    sections: list[Section] = field(default_factory=list)

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)


def bounded(queryset: QuerySet, size: int = SECTION_SIZE) -> tuple[list, bool]:
    rows = list(queryset[: size + 1])
    return rows[:size], len(rows) > size


def patient_only(prefix: str = "patient") -> list[str]:
    return [f"{prefix}__{name}" for name in PATIENT_FIELDS]


# --- Tasks -------------------------------------------------------------------------------------


def tasks_for(user) -> QuerySet[TeamTask]:
    """The open tasks on this person's worklist (its urgent ones are what the top bar counts).

    Coordinators (and admins, read-only) route the work nobody has taken: theirs, and every task for a
    role as a whole. A clinician: theirs, and their role's that nobody has taken, about patients they
    may see (clinic.access) or about nobody; a task about another team's patient is that team's.
    """
    tasks = TeamTask.objects.open()
    if user.sees_every_patient:
        return tasks.filter(Q(assignee=user) | Q(assignee__isnull=True))
    return tasks.for_person(user).filter(
        Q(assignee=user) | Q(patient__isnull=True) | Q(patient__in=patients_visible_to(user))
    )


# ``tasks_for(user).urgent()``, counted in one hand-written statement: the top bar counts it on every staff page,
# and building the ORM's query (the visibility rule's subqueries) took four times as long as running it (2.2 ms
# against 0.5 ms at 50,000 patients). tests/clinic/test_urgent_count.py holds the two to the same answers.
URGENT_COUNT_SQL = """
SELECT COUNT(*) FROM (
    SELECT t.id FROM clinic_teamtask t
    WHERE t.status = %(open)s AND t.priority = %(urgent)s AND (
        t.assignee_id = %(user)s
        OR (t.assignee_id IS NULL AND (%(sees_everyone)s OR t.assignee_role = %(role)s) AND (
            %(sees_everyone)s
            OR t.patient_id IS NULL
            OR EXISTS (
                SELECT 1 FROM clinic_careteammember m WHERE m.patient_id = t.patient_id AND m.member_id = %(user)s
            )
            OR EXISTS (
                SELECT 1 FROM clinic_teamtask o
                WHERE o.patient_id = t.patient_id AND o.assignee_id = %(user)s AND o.status = %(open)s
            )
        ))
    )
    LIMIT %(cap)s
) counted
"""


def urgent_task_count(user, *, cap: int) -> int:
    """How many urgent tasks are on the person's worklist, counting no further than ``cap``."""
    if not (user.is_authenticated and user.is_active):
        return 0
    params = {
        "open": TeamTask.Status.OPEN.value,
        "urgent": TeamTask.Priority.URGENT.value,
        "user": user.pk,
        "role": user.role,
        "sees_everyone": bool(user.sees_every_patient),
        "cap": cap,
    }
    with connection.cursor() as cursor:
        cursor.execute(URGENT_COUNT_SQL, params)
        return cursor.fetchone()[0]


def pressing_tasks(user, *, limit: int) -> tuple[list[TeamTask], bool]:
    """The person's most pressing open tasks (urgent first, as on their worklist), at most ``limit``, and whether
    there are more: two queries. Home and Today show them, so urgent work is in front of whoever signs in."""
    return bounded_tasks(tasks_for(user).most_pressing_first(), limit)


def chosen_first(tasks: QuerySet[TeamTask], size: int) -> QuerySet[TeamTask]:
    """The first ``size`` of ``tasks``, in their order, chosen before their patients and assignees are joined.

    Joined first, Postgres hashed every patient of the clinic to sort a thousand open tasks (4-8 ms at 50,000
    patients), and as a subquery it compared every open task with every chosen one (7 ms); choosing the ids in a
    query of their own (0.4 ms) and then reading those rows by primary key costs one query more and stays flat."""
    ids = list(tasks.values_list("pk", flat=True)[:size])
    return TeamTask.objects.filter(pk__in=ids).order_by(*tasks.query.order_by)


def task_rows(queryset: QuerySet[TeamTask]) -> QuerySet[TeamTask]:
    return queryset.select_related("patient", "assignee").only(
        "public_id",
        "title",
        "priority",
        "source",
        "due_on",
        "created_at",
        "status",
        "assignee_role",
        "link",
        "patient_id",
        "assignee_id",
        *patient_only(),
        "assignee__first_name",
        "assignee__last_name",
        "assignee__username",
        "assignee__credentials",
    )


def filtered(tasks: QuerySet[TeamTask], filters: TaskFilters, *, today) -> QuerySet[TeamTask]:
    if filters.priority:
        tasks = tasks.filter(priority=filters.priority)
    if filters.source:
        tasks = tasks.filter(source=filters.source)
    tasks = tasks.due_by(filters.due, today=today)
    return tasks.by_due_date() if filters.sort == "due" else tasks.most_pressing_first()


def bounded_tasks(tasks: QuerySet[TeamTask], size: int = SECTION_SIZE) -> tuple[list, bool]:
    return bounded(task_rows(chosen_first(tasks, size + 1)), size)


def urgent_section(tasks: QuerySet[TeamTask]) -> Section:
    rows, more = bounded_tasks(tasks.urgent().most_pressing_first(), URGENT_SIZE)
    return Section("urgent", "Urgent tasks", rows, more, "No urgent tasks.")


def task_section(key: str, title: str, tasks, filters: TaskFilters, *, today, empty: str) -> Section:
    rows, more = bounded_tasks(filtered(tasks.not_urgent(), filters, today=today))
    if filters.active:
        empty = "No tasks match these filters."
    return Section(key, title, rows, more, empty)


# --- The coordinator's worklist ----------------------------------------------------------------


def coordinator_worklist(user, *, filters: TaskFilters = TaskFilters(), now: datetime | None = None) -> Worklist:
    """For care coordinators (and, read-only, clinic admins): seven queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_tasks = TeamTask.objects.open()
    urgent = urgent_section(tasks_for(user))
    mine = task_section(
        "mine", "Your tasks", open_tasks.filter(assignee=user), filters, today=today, empty="No tasks for you."
    )
    unassigned = task_section(
        "unassigned",
        "Tasks nobody has taken",
        open_tasks.unassigned(),
        filters,
        today=today,
        empty="Every task has someone on it.",
    )
    no_lead, no_lead_more = bounded(patients_needing_a_care_team())
    late, late_more = bounded(
        Referral.objects.overdue(now=now)
        .with_overdue(now=now)
        .select_related("patient")
        .only(
            "public_id",
            "service",
            "service_other",
            "receiving_provider",
            "state",
            "sent_at",
            "appointment_on",
            "attended_at",
            "patient_id",
            *patient_only(),
        )
        .order_by("state_changed_at", "id")
    )
    capped, capped_more = bounded(capped_referrals())
    unreached, unreached_more = bounded(
        Invitation.objects.filter(completed_at__isnull=True, not_reached_at__isnull=False)
        .select_related("patient")
        .only("due_on", "not_reached_at", "instrument_codes", "patient_id", *patient_only())
        .order_by("-due_on", "-id")
    )
    return Worklist(
        kind="coordinator",
        urgent=urgent,
        sections=[
            mine,
            unassigned,
            Section(
                "needs_care_team",
                "Needs a care team",
                no_lead,
                no_lead_more,
                "Every patient has a lead clinician.",
            ),
            Section("late_referrals", "Referrals late on a step", late, late_more, "No referral is late."),
            Section(
                "visit_caps",
                "Authorised visits used up",
                capped,
                capped_more,
                "No open referral has used all its authorised visits.",
            ),
            Section(
                "not_reached",
                "Patients not reached by questionnaire reminders",
                unreached,
                unreached_more,
                "Every patient answered or is still within their reminders.",
            ),
        ],
    )


def patients_needing_a_care_team() -> QuerySet[Patient]:
    """Patients with no active lead clinician, newest first (patient_without_lead: ``has_active_lead`` is kept
    by the database, so this reads the few patients without one, not every patient); ``has_team`` says whether
    anyone is on their team yet. Until someone is, no clinician can open their chart."""
    anyone = CareTeamMember.objects.filter(patient=OuterRef("pk"))
    return (
        Patient.objects.filter(has_active_lead=False)
        .annotate(has_team=Exists(anyone))
        .only(*PATIENT_FIELDS, "created_at")
        .order_by("-created_at", "-id")
    )


def capped_referrals() -> QuerySet[Referral]:
    """Open referrals whose authorised visits are all used (clinic/referrals.py: visit_cap_reached)."""
    return (
        Referral.objects.open()
        .filter(visits_authorised__gt=0, visits_used__gte=F("visits_authorised"))
        .select_related("patient")
        .only(
            "public_id",
            "service",
            "service_other",
            "receiving_provider",
            "state",
            "visits_authorised",
            "visits_used",
            "patient_id",
            *patient_only(),
        )
        .order_by("-state_changed_at", "-id")
    )


# --- The clinician's worklist ------------------------------------------------------------------


def clinician_worklist(user, *, filters: TaskFilters = TaskFilters(), now: datetime | None = None) -> Worklist:
    """For clinicians: five queries, only about patients they may see (clinic.access)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tasks = tasks_for(user)
    visible = patients_visible_to(user)
    alerts, alerts_more = bounded(
        Alert.objects.unacknowledged()
        .filter(kind=Alert.Kind.SAFETY, patient__in=visible)
        .select_related("patient", "response__instrument")
        .only(
            "kind",
            "created_at",
            "patient_id",
            "response_id",
            "response__public_id",
            "response__instrument_id",
            "response__instrument__code",
            "response__instrument__name",
            *patient_only(),
        )
        .order_by("created_at", "id")
    )
    notes, notes_more = bounded(
        unsigned_notes_for(user)  # of patients they may still open
        .select_related("patient")
        .only("public_id", "occurred_on", "kind", "updated_at", "patient_id", *patient_only())
        .order_by("occurred_on", "created_at", "id")
    )
    flags, flags_more = bounded(
        EscalationFlag.objects.open()
        .filter(patient__in=visible)
        .select_related("patient")
        .only("public_id", "flagged_at", "facts", "patient_id", *patient_only())
        .order_by("-flagged_at", "-id")
    )
    # Sprint reviews due and "not improving after two sprints" come with the care-plan issue.
    return Worklist(
        kind="clinician",
        urgent=urgent_section(tasks),
        sections=[
            Section(
                "urgent_alerts",
                "Urgent alerts for your patients",
                alerts,
                alerts_more,
                "No urgent alerts for your patients.",
            ),
            task_section("mine", "Your tasks", tasks, filters, today=today, empty="No open tasks."),
            Section("unsigned_notes", "Your unsigned notes", notes, notes_more, "No unsigned notes."),
            Section(
                "not_improving",
                "Patients not improving while treatment increases",
                flags,
                flags_more,
                "None of your patients is flagged by the early warning.",
            ),
        ],
    )


def worklist_for(user, *, filters: TaskFilters = TaskFilters(), now: datetime | None = None) -> Worklist:
    if user.role == Role.CLINICIAN and not user.is_superuser:
        return clinician_worklist(user, filters=filters, now=now)
    return coordinator_worklist(user, filters=filters, now=now)
