"""What the portal home shows besides the questionnaires: what is due today, the plan in plain words, the
flare-up plan one tap away, and what is coming up (appointments and referrals).

``for_patient(patient)`` is the one read the home view makes for all of it: seven queries, whatever the length
of the patient's history (the plan, its goals, the open sprint and its treatments, today's check-in, the
referrals, the clinic's own appointments). No writes. "Today" is the clinic's date (clinic.dates).

Appointments: the clinic's models keep the day of a referral's appointment (``Referral.appointment_on``, a date,
set when the referral is scheduled) and who it is with (the receiving provider), but no time and no address.
The page says the day and who, and is honest that the time and place come from them (the app's own wording).
The clinic's own appointments (clinic.models.Appointment) have a time, a place or a video link, who it is with
and how to prepare: the page says all of it (``visits``), the day and time in the clinic's zone.
All the wording here is the app's own, plain and never blaming.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from careplans.logs.selectors import checked_in_on
from careplans.models import CarePlan, Goal, Intervention, Sprint
from careplans.sprints import GOAL_PREFIX
from clinic import dates
from clinic.models import Appointment as Booking
from clinic.models import Referral
from portal.numbers_words import day_words

if TYPE_CHECKING:
    from portal.referral_views import PatientReferral

REFERRALS_SHOWN = 10
VISITS_SHOWN = 5
GOALS_SHOWN = 5
GOALS_READ = 50  # a bound: a plan has a handful of goals
# Treatments of the sprint the patient is told about: the ones being tried, not those set aside.
TRIED = (Intervention.Status.PROPOSED, Intervention.Status.ACTIVE)


@dataclass(frozen=True)
class Appointment:
    """A booked visit, as the patient reads it."""

    title: str  # the service: "Physical therapy"
    who: str  # who it is with: the receiving provider, else the service in words
    day: date
    when: str  # "Tuesday, March 3 (in 5 days)"


@dataclass(frozen=True)
class Visit:
    """A booked appointment with the clinic's own team, as the patient reads it."""

    when: str  # "Tuesday, December 8 at 10:30 a.m. (tomorrow)"
    who: str  # the clinician, or the group session's name
    group: bool  # a group session: "Group session: <name>"
    place: str  # empty for a video visit
    video_link: str  # empty for a visit in person
    prepare: str  # the note for the patient, in the team's words


@dataclass(frozen=True)
class Focus:
    """The open sprint in plain words: until when, the goals it works on, the treatments it tries."""

    ends_on: date
    until: str
    goals: list[str]
    treatments: list[str]


@dataclass
class HomeContent:
    today: date
    plan: CarePlan | None = None
    goals: list[str] = field(default_factory=list)  # the active goals in the patient's words
    focus: Focus | None = None
    checked_in_today: bool = False
    appointments: list[Appointment] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)  # the clinic's own booked appointments, soonest first
    waiting: list[PatientReferral] = field(default_factory=list)  # open referrals without a booked visit

    @property
    def has_plan(self) -> bool:
        return self.plan is not None

    @property
    def check_in_due(self) -> bool:
        """Today's check-in is due when there is a plan and nothing was logged today (clinic's date)."""
        return self.plan is not None and not self.checked_in_today

    @property
    def has_referrals(self) -> bool:
        return bool(self.appointments or self.waiting)


def for_patient(patient) -> HomeContent:
    """Everything the home shows besides the questionnaires (seven queries; see the module docstring)."""
    today = dates.today()
    content = HomeContent(today=today)
    content.checked_in_today = checked_in_on(patient, today)
    content.appointments, content.waiting = coming_up(patient, today=today)
    content.visits = clinic_visits(patient, today=today)
    plan = CarePlan.objects.active().filter(patient=patient).only("id", "public_id", "who_to_call").first()
    if plan is None:
        return content
    content.plan = plan
    active = plan.goals.filter(status=Goal.Status.ACTIVE).order_by("position", "id").only("public_id", "words")
    goals = list(active[:GOALS_READ])
    content.goals = [goal.words for goal in goals[:GOALS_SHOWN]]
    content.focus = sprint_focus(plan, goals, today=today)
    return content


def sprint_focus(plan: CarePlan, goals: list[Goal], *, today: date) -> Focus | None:
    """The open sprint's goals and treatments (two queries), or None when no sprint is running."""
    tried = Intervention.objects.filter(status__in=TRIED).only("name").order_by("name")
    sprint = (
        Sprint.objects.filter(plan=plan, reviewed_at__isnull=True)
        .only("id", "ends_on", "metrics")
        .prefetch_related(Prefetch("interventions", queryset=tried, to_attr="tried"))
        .first()
    )
    if sprint is None:
        return None
    words = {f"{GOAL_PREFIX}{goal.public_id}": goal.words for goal in goals}
    chosen = [words[code] for code in sprint.metrics if isinstance(code, str) and code in words]
    return Focus(
        ends_on=sprint.ends_on,
        until=day_words(sprint.ends_on, today=today),
        goals=chosen,
        treatments=[intervention.name for intervention in sprint.tried],
    )


def coming_up(patient, *, today: date) -> tuple[list[Appointment], list[PatientReferral]]:
    """Booked visits from today on (soonest first), and the open referrals still waiting for one. One query."""
    # Imported here: portal.referral_views imports portal.views, which imports this module.
    from portal.referral_views import SHOWN_FIELDS
    from portal.referral_views import for_patient as referral_in_words

    referrals = list(
        Referral.objects.for_portal(patient)
        .open()
        .only(*SHOWN_FIELDS)
        .order_by("appointment_on", "-state_changed_at", "-id")[:REFERRALS_SHOWN]
    )
    appointments: list[Appointment] = []
    waiting: list[PatientReferral] = []
    for referral in referrals:
        day = referral.appointment_on
        if referral.state == Referral.State.SCHEDULED and day is not None and day >= today:
            appointments.append(appointment_of(referral, day, today=today))
        elif referral.state != Referral.State.SCHEDULED:
            waiting.append(referral_in_words(referral))
    return appointments, waiting


def appointment_of(referral: Referral, day: date, *, today: date) -> Appointment:
    from portal.referral_views import SERVICE_WORDS, capital  # see coming_up

    if referral.service == Referral.Service.OTHER:
        title = capital(referral.service_other or gettext("another service"))
        service = referral.service_other or gettext("the service")
    else:
        title, service = (str(words) for words in SERVICE_WORDS[Referral.Service(referral.service)])
    return Appointment(
        title=title,
        who=referral.receiving_provider or service,
        day=day,
        when=when_words(day, today=today),
    )


def clinic_visits(patient, *, today: date) -> list[Visit]:
    """The patient's booked appointments with the clinic that have not ended, soonest first (one query)."""
    booked = (
        Booking.objects.filter(patient=patient)
        .upcoming()
        .select_related("clinician")
        .only(
            "kind",
            "group_name",
            "starts_at",
            "place",
            "video_link",
            "note_for_patient",
            "clinician__first_name",
            "clinician__last_name",
            "clinician__username",
            "clinician__credentials",
        )[:VISITS_SHOWN]
    )
    return [
        Visit(
            when=moment_words(visit.starts_at, today=today),
            who=visit.with_whom,
            group=visit.kind == Booking.Kind.GROUP and bool(visit.group_name),
            place="" if visit.is_telehealth else visit.place,
            video_link=visit.video_link if visit.is_telehealth else "",
            prepare=visit.note_for_patient,
        )
        for visit in booked
    ]


def moment_words(moment: datetime, *, today: date) -> str:
    """ "Tuesday, December 8 at 10:30 a.m. (tomorrow)": the clinic's day and time, in the page's language."""
    local = timezone.localtime(moment)
    day = local.date()
    day_format = gettext("l, F j") if day.year == today.year else gettext("l, F j, Y")
    return gettext("%(day)s at %(time)s (%(away)s)") % {
        "day": date_format(day, day_format),
        "time": date_format(local, "TIME_FORMAT"),
        "away": days_away(day, today=today),
    }


def when_words(day: date, *, today: date) -> str:
    """ "Tuesday, March 3 (in 5 days)", in the page's language and its order of day and month."""
    day_format = gettext("l, F j") if day.year == today.year else gettext("l, F j, Y")
    return gettext("%(day)s (%(away)s)") % {"day": date_format(day, day_format), "away": days_away(day, today=today)}


def days_away(day: date, *, today: date) -> str:
    """today, tomorrow, in 5 days, in 3 weeks (whole weeks from 14 days on)."""
    days = (day - today).days
    if days <= 0:
        return gettext("today")
    if days == 1:
        return gettext("tomorrow")
    if days < 14:
        return gettext("in %(days)s days") % {"days": days}
    weeks = round(days / 7)
    return ngettext("in about %(weeks)s week", "in about %(weeks)s weeks", weeks) % {"weeks": weeks}
