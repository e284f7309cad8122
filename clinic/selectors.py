"""Reads for the team pages (no writes): who a task may go to, the chart's team section, a patient's care team
and its history, and the Team page's on-duty overview. The workflows that write are the clinic's *_services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from clinic import duty
from clinic.access.alerts import may_review_flag
from clinic.access.tasks import may_coordinate
from clinic.escalation import SUGGESTION
from clinic.models import CareTeamChange, CareTeamMember, DutyShift, EscalationFlag, StaffAbsence, TeamMessage, User
from clinic.roles import Role
from clinic.safety_net import clinic_hours, current_slot, named_medical_lead, on_duty_now
from patients.models import Patient

MESSAGES_ON_CHART = 20
ROTA_DAYS = 14


# --- Who a task may go to ----------------------------------------------------------------------


def colleagues_for(patient) -> QuerySet[User]:
    """Who a task or a mention about this patient may go to: the care team and the coordinators."""
    # The team as a subquery from the patient: a join with OR and DISTINCT read every care-team row of the clinic
    # (19-31 ms at 50,000 patients, on every chart) where this reads the patient's few (0.1 ms).
    team = CareTeamMember.objects.filter(patient=patient).values("member_id")
    return (
        User.objects.filter(Q(pk__in=team) | Q(role=Role.COORDINATOR), is_active=True)
        .exclude(role=Role.ADMIN)
        .order_by("last_name", "first_name", "id")
    )


def assignable_people(*, patient, by) -> QuerySet[User]:
    """Who ``by`` may hand a task to: the patient's care team and the coordinators; a coordinator may
    also hand it to any clinician (the on-duty clinician, a covering colleague). With no patient: any
    clinician or coordinator."""
    staff = User.objects.filter(is_active=True, role__in=(Role.CLINICIAN, Role.COORDINATOR))
    if patient is None or by.role == Role.COORDINATOR:
        return staff.order_by("last_name", "first_name", "id")
    return colleagues_for(patient)


# --- The chart's team section ------------------------------------------------------------------


@dataclass
class TeamSection:
    messages: list[TeamMessage]
    more_messages: bool
    flag: EscalationFlag | None
    may_post: bool
    may_review_flag: bool
    form: object | None
    suggestion: str = SUGGESTION


def team_section_for(patient, user, *, form=None) -> TeamSection:
    """What the chart's team section shows besides the members (the chart view has them): the latest
    team messages with their mentions, the open early-warning flag, and the message form. Four queries."""
    from clinic.team_forms import TeamMessageForm

    rows = list(TeamMessage.objects.for_chart(patient).prefetch_related("mentions")[: MESSAGES_ON_CHART + 1])
    flag = EscalationFlag.objects.open().filter(patient=patient).first()
    may_post = may_coordinate(user)
    if may_post and form is None:
        form = TeamMessageForm(patient=patient, author=user)
    return TeamSection(
        messages=rows[:MESSAGES_ON_CHART],
        more_messages=len(rows) > MESSAGES_ON_CHART,
        flag=flag,
        may_post=may_post,
        may_review_flag=bool(flag) and may_review_flag(user, patient),
        form=form if may_post else None,
    )


# --- A patient's care team ---------------------------------------------------------------------


def team_of(patient: Patient) -> list[CareTeamMember]:
    """The patient's care team, lead first, then by name (one query)."""
    return list(
        CareTeamMember.objects.filter(patient=patient)
        .select_related("member")
        .order_by("-is_lead", "member__last_name", "member__first_name", "id")
    )


def history_of(patient: Patient, *, limit: int) -> tuple[list[CareTeamChange], bool]:
    """The latest ``limit`` changes to the patient's care team, newest first, and whether there are more."""
    rows = list(
        CareTeamChange.objects.filter(patient=patient)
        .select_related("member", "by")
        .order_by("-at", "-id")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


# --- The Team page's overview ----------------------------------------------------------------------


@dataclass(frozen=True)
class RotaDay:
    on: date
    is_open: bool
    clinic_hours: DutyShift | None
    after_hours: DutyShift | None


@dataclass(frozen=True)
class DutyOverview:
    now_slot: duty.DutySlot
    on_duty: User | None
    medical_lead: User | None
    days: list[RotaDay]
    tomorrow_gaps: list[duty.DutySlot]
    away: list[StaffAbsence]
    away_today: set[int]


def duty_overview(*, now: datetime | None = None, days: int = ROTA_DAYS) -> DutyOverview:
    """Who is on duty now, the medical lead, the rota from yesterday (whose after-hours slot may still run)
    for ``days`` days, tomorrow's gaps, and who is away now or later. A handful of queries."""
    today = timezone.localdate(now)
    hours = clinic_hours()
    first, last = today - timedelta(days=1), today + timedelta(days=days - 1)
    shifts = {(s.on, s.slot): s for s in DutyShift.objects.between(first, last)}
    rota = [
        RotaDay(
            on=day,
            is_open=hours.is_open_day(day),
            clinic_hours=shifts.get((day, duty.CLINIC_HOURS)),
            after_hours=shifts.get((day, duty.AFTER_HOURS)),
        )
        for day in (first + timedelta(days=n) for n in range(days + 1))
    ]
    tomorrow = today + timedelta(days=1)
    away = list(StaffAbsence.objects.current_and_coming(today))
    return DutyOverview(
        now_slot=current_slot(now),
        on_duty=on_duty_now(now),
        medical_lead=named_medical_lead(),
        days=rota,
        tomorrow_gaps=duty.rota_gaps([tomorrow], set(shifts), hours),
        away=away,
        away_today={a.staff_id for a in away if a.starts_on <= today},
    )


def tomorrow_gaps(*, now: datetime | None = None) -> list[duty.DutySlot]:
    """The slots of tomorrow nobody covers (one query): the coordinator's warning today."""
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    filled = set(DutyShift.objects.filter(on=tomorrow).values_list("on", "slot"))
    return duty.rota_gaps([tomorrow], filled, clinic_hours())
