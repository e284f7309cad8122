"""The patient's plan pages in the portal: "my plan" (goals and comments, the flare-up plan, today's
pacing session), the daily check-in, logging a pacing session, reminders, and the printable flare-up plan.

Any live session of the patient opens them (portal.sessions.current_session); without one, the one
calm page. Objects in URLs (a goal, a pacing plan) must be the session patient's, else a calm 404.
Opening a page (GET) changes nothing; every page view and every save is audited as the patient.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.services import record_access
from careplans.logs import pacing, selectors, services
from careplans.logs import reminders as log_reminders
from careplans.logs.forms import DailyLogForm, GoalCommentForm, PacingSessionForm, ReminderForm
from careplans.models import CarePlan, DailyLog, Goal, GoalComment, LogReminder, PacingPlan, PacingSession
from clinic.dates import start_of_day
from medications.selectors.tapers import confirmed_taper_of
from patients import self_harm, self_harm_services
from portal.models import PatientSession
from portal.numbers import measure_words
from portal.safety import team_reply
from portal.sessions import current_session
from portal.views import closed_page, not_found, portal_page

WEEK_ENTRIES_SHOWN = 50
COMMENTS_SHOWN = 5
# App wording: the names of the weekdays in the reminder messages on the page.
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def with_session(view):
    """Plan pages: a live patient session (else the calm page), passed to the view as `visit`. The session
    outlives its link's purpose: sent questionnaires do not close the plan."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        visit = current_session(request)
        if visit is None:
            return closed_page(request, token="")
        return view(request, visit, *args, **kwargs)

    return wrapped


def active_plan_of(patient) -> CarePlan | None:
    return CarePlan.objects.active().filter(patient=patient).select_related("lead").first()


def audit(request: HttpRequest, visit: PatientSession, action: str, target: str) -> None:
    record_access(request=request, patient=visit.patient, action=action, target=f"portal: {target}", by_patient=True)


def session_words(session: PacingSession, unit: str, activity: str) -> str:
    """A pacing session in the patient's words, to prefill the check-in's activity."""
    planned = pacing.round_amount(session.planned_amount) if session.planned_amount is not None else None
    if session.outcome == PacingSession.Outcome.DONE:
        done = session.actual_amount if session.actual_amount is not None else planned
        return gettext("%(activity)s, %(amount)s") % {
            "activity": activity,
            "amount": services.describe_amount(done, unit),
        }
    if session.outcome == PacingSession.Outcome.PARTLY:
        return gettext("%(activity)s, %(amount)s (part of %(planned)s)") % {
            "activity": activity,
            "amount": services.describe_amount(session.actual_amount, unit),
            "planned": services.describe_amount(planned, unit),
        }
    return gettext("%(activity)s: rested because of a flare-up") % {"activity": activity}


# --------------------------------------------------------------------------- my plan


@portal_page
@require_GET
@with_session
def my_plan(request: HttpRequest, visit: PatientSession) -> HttpResponse:
    patient = visit.patient
    audit(request, visit, Action.VIEW, "my plan")
    plan = active_plan_of(patient)
    context = {"patient": patient, "plan": plan, "reminder": log_reminders.reminder_for(patient)}
    context["taper"] = confirmed_taper_of(patient)  # a link to its schedule only once a prescriber confirmed it
    if plan is not None:
        goals = list(plan.goals.filter(status=Goal.Status.ACTIVE).order_by("position", "id"))
        recent = {}
        for comment in GoalComment.objects.filter(goal__in=goals).order_by("-created_at", "-id")[:200]:
            recent.setdefault(comment.goal_id, [])
            if len(recent[comment.goal_id]) < COMMENTS_SHOWN:
                recent[comment.goal_id].append(comment)
        for goal in goals:
            goal.recent_comments = list(reversed(recent.get(goal.id, [])))
            goal.measure_words = measure_words(goal)
        context |= {
            "goals": goals,
            "comment_form": GoalCommentForm(),
            **selectors.patient_plan_parts(plan),
        }
    context["checked_in_today"] = selectors.checked_in_on(patient, timezone.localdate())
    return TemplateResponse(request, "portal/plan/my_plan.html", context)


@portal_page
@require_POST
@with_session
def goal_comment(request: HttpRequest, visit: PatientSession, goal_id) -> HttpResponse:
    patient = visit.patient
    goal = Goal.objects.filter(
        public_id=goal_id, plan__patient=patient, plan__status=CarePlan.Status.ACTIVE, status=Goal.Status.ACTIVE
    ).first()
    if goal is None:
        return not_found(request)
    form = GoalCommentForm(request.POST)
    if form.is_valid():
        comment = services.add_patient_goal_comment(goal=goal, text=form.cleaned_data["text"])
        audit(request, visit, Action.CREATE, "goal comment")
        if self_harm.mentions_self_harm(comment.text):  # the urgent task is saved with the comment
            return support_redirect(COMMENT)
        messages.success(request, gettext("Thank you. Your care team will see your comment."))
        return redirect(f"{reverse('portal:plan')}#goal-{goal.public_id}")
    audit(request, visit, Action.VIEW, "goal comment")
    context = {"patient": patient, "goal": goal, "form": form}
    return TemplateResponse(request, "portal/plan/comment.html", context, status=400)


# --------------------------------------------------------------------------- support after self-harm words

CHECK_IN, COMMENT, SESSION = "check-in", "comment", "session"
# App wording: what was saved, said first on the support page.
SAVED_WORDS = {
    CHECK_IN: gettext_lazy("Your check-in is saved"),
    COMMENT: gettext_lazy("Your comment is saved"),
    SESSION: gettext_lazy("Today's session is saved"),
}


def support_redirect(saved: str) -> HttpResponse:
    return redirect(f"{reverse('portal:plan_support')}?saved={saved}")


@portal_page
@require_GET
@with_session
def support(request: HttpRequest, visit: PatientSession) -> HttpResponse:
    """The crisis resources, at once after a check-in, goal comment or session note whose words can mean
    thoughts of self-harm or suicide (patients/self_harm.py; the urgent task was saved with the words).
    Opening it changes nothing; "the care team will contact you" is said only while such a task is open."""
    patient = visit.patient
    audit(request, visit, Action.VIEW, "support page")
    told = any(
        self_harm_services.raised_for(patient_id=patient.id, where=where, open_only=True)
        for where in (self_harm_services.CHECKIN, self_harm_services.GOAL_COMMENT, self_harm_services.PACING)
    )
    context = {
        "patient": patient,
        "saved_words": SAVED_WORDS.get(request.GET.get("saved", ""), gettext("Your words are saved")),
        "reply": team_reply() if told else None,
    }
    return TemplateResponse(request, "portal/plan/support.html", context)


# --------------------------------------------------------------------------- the daily check-in


def todays_sessions(patient, today) -> list[PacingSession]:
    return list(
        PacingSession.objects.filter(
            pacing_plan__plan__patient=patient,
            pacing_plan__plan__status=CarePlan.Status.ACTIVE,
            pacing_plan__status=PacingPlan.Status.ACTIVE,
            on=today,
        )
        .select_related("pacing_plan")
        .order_by("pacing_plan__starts_on", "id")
    )


@portal_page
@require_http_methods(["GET", "POST"])
@with_session
def check_in(request: HttpRequest, visit: PatientSession) -> HttpResponse:
    patient = visit.patient
    today = timezone.localdate()
    sessions = todays_sessions(patient, today)
    prefill = "; ".join(session_words(s, s.pacing_plan.unit, s.pacing_plan.activity) for s in sessions)
    status = 200
    if request.method == "POST":
        form = DailyLogForm(request.POST)
        if form.is_valid():
            values = form.log_values()
            linked = sessions[0] if sessions and values["activity"] == prefill else None
            log, created = services.save_daily_log(
                patient=patient, pacing_session=linked, entry_id=form.cleaned_data["entry_id"], **values
            )
            if created:
                audit(request, visit, Action.CREATE, "daily check-in")
            if self_harm.mentions_in_any(services.daily_log_texts(log)):  # the urgent task is saved with it
                return support_redirect(CHECK_IN)
            return redirect("portal:plan_check_in_thanks")
        status = 400
    else:
        form = DailyLogForm(initial={"entry_id": uuid.uuid4(), "activity": prefill})
    audit(request, visit, Action.VIEW, "daily check-in")
    plan = active_plan_of(patient)
    waiting = []
    if plan is not None:
        logged_plans = {s.pacing_plan_id for s in sessions}
        waiting = [
            view
            for view in selectors.pacing_views_for(plan, today=today, active_only=True)
            if view.started and view.pacing_plan.id not in logged_plans
        ]
    context = {"patient": patient, "form": form, "waiting": waiting, "prefilled": bool(prefill)}
    return TemplateResponse(request, "portal/plan/check_in.html", context, status=status)


@portal_page
@require_GET
@with_session
def check_in_thanks(request: HttpRequest, visit: PatientSession) -> HttpResponse:
    audit(request, visit, Action.VIEW, "check-in thank-you")
    return TemplateResponse(request, "portal/plan/thanks.html", {"patient": visit.patient})


@portal_page
@require_GET
@with_session
def week(request: HttpRequest, visit: PatientSession) -> HttpResponse:
    """The patient's last 7 days: their check-ins and pacing sessions, in their own words."""
    patient = visit.patient
    audit(request, visit, Action.VIEW, "my week")
    today = timezone.localdate()
    since = today - timedelta(days=6)
    entries = list(
        DailyLog.objects.filter(patient=patient, logged_at__gte=start_of_day(since)).order_by("-logged_at", "-id")[
            :WEEK_ENTRIES_SHOWN
        ]
    )
    sessions = list(
        PacingSession.objects.filter(pacing_plan__plan__patient=patient, on__gte=since, on__lte=today)
        .select_related("pacing_plan")
        .order_by("-on", "id")
    )
    days = []
    for offset in range(7):
        day = today - timedelta(days=offset)
        days.append(
            {
                "day": day,
                "entries": [e for e in entries if timezone.localtime(e.logged_at).date() == day],
                "sessions": [s for s in sessions if s.on == day],
            }
        )
    context = {"patient": patient, "days": days, "count": len(entries)}
    return TemplateResponse(request, "portal/plan/week.html", context)


# --------------------------------------------------------------------------- pacing sessions


@portal_page
@require_http_methods(["GET", "POST"])
@with_session
def pacing_session(request: HttpRequest, visit: PatientSession, pacing_id) -> HttpResponse:
    patient = visit.patient
    pacing_plan = PacingPlan.objects.filter(
        public_id=pacing_id,
        plan__patient=patient,
        plan__status=CarePlan.Status.ACTIVE,
        status=PacingPlan.Status.ACTIVE,
    ).first()
    if pacing_plan is None:
        return not_found(request)
    today = timezone.localdate()
    view = selectors.pacing_view(pacing_plan, today=today)
    if not view.started:
        starts = pacing_plan.starts_on
        messages.info(
            request,
            gettext("Your %(activity)s plan starts on %(day)s.")
            % {"activity": pacing_plan.activity.lower(), "day": date_format(starts, gettext("l, F j"))},
        )
        return redirect("portal:plan")
    status = 200
    if request.method == "POST":
        form = PacingSessionForm(request.POST, planned=view.today_amount, unit=pacing_plan.unit)
        if form.is_valid():
            try:
                session, _ = services.log_pacing_session(
                    pacing_plan=pacing_plan,
                    on=today,
                    outcome=form.cleaned_data["outcome"],
                    actual_amount=form.cleaned_data["actual_amount"],
                    note=form.cleaned_data["note"],
                )
            except services.SessionRefused as refused:
                form.add_error(None, str(refused))
                status = 400
            else:
                audit(request, visit, Action.CREATE, "pacing session")
                if self_harm.mentions_self_harm(session.note):  # the urgent task is saved with the session
                    return support_redirect(SESSION)
                if session.outcome == PacingSession.Outcome.FLARE:
                    messages.success(
                        request,
                        gettext(
                            "Thank you for letting us know. Go easy on yourself today: your flare-up plan is below. "
                            "Your activity plan waits for you and picks up where it left off."
                        ),
                    )
                    return redirect(f"{reverse('portal:plan')}#flare-up-plan")
                messages.success(request, gettext("Thank you! Today's session is saved."))
                return redirect("portal:plan")
        else:
            status = 400
    else:
        current = view.today_session
        initial = {}
        if current is not None:
            initial = {"outcome": current.outcome, "actual_amount": current.actual_amount, "note": current.note}
        form = PacingSessionForm(initial=initial, planned=view.today_amount, unit=pacing_plan.unit)
    audit(request, visit, Action.VIEW, "pacing session")
    plan = active_plan_of(patient)
    flare_plan = selectors.flare_plan_for(plan) if plan else None
    context = {
        "patient": patient,
        "view": view,
        "pacing_plan": pacing_plan,
        "form": form,
        "flare_amount": view.flare_amount(flare_plan.reduce_by_percent) if flare_plan else None,
        "flare_plan": flare_plan,
    }
    return TemplateResponse(request, "portal/plan/pacing.html", context, status=status)


# --------------------------------------------------------------------------- reminders


@portal_page
@require_http_methods(["GET", "POST"])
@with_session
def reminders(request: HttpRequest, visit: PatientSession) -> HttpResponse:
    patient = visit.patient
    reminder = log_reminders.reminder_for(patient)
    status = 200
    if request.method == "POST":
        form = ReminderForm(request.POST)
        if form.is_valid():
            chosen = log_reminders.set_log_reminder(
                patient=patient, frequency=form.cleaned_data["frequency"], weekday=form.cleaned_data["weekday"]
            )
            audit(request, visit, Action.UPDATE, "check-in reminders")
            messages.success(request, reminder_words(chosen))
            return redirect("portal:plan")
        status = 400
    else:
        form = ReminderForm(initial={"frequency": reminder.frequency, "weekday": reminder.weekday})
    audit(request, visit, Action.VIEW, "check-in reminders")
    context = {
        "patient": patient,
        "form": form,
        "reminder": reminder,
        "can_message": patient.contact_channel() is not None,
        "channel": (patient.contact_channel() or ("", ""))[0],
    }
    return TemplateResponse(request, "portal/plan/reminders.html", context, status=status)


def reminder_words(reminder: LogReminder) -> str:
    hour = log_reminders.REMINDER_TIME.strftime("%-I %p").lower()
    if reminder.frequency == LogReminder.Frequency.DAILY:
        return gettext("Saved. We will remind you every day at about %(hour)s.") % {"hour": hour}
    if reminder.frequency == LogReminder.Frequency.WEEKLY:
        return gettext("Saved. We will remind you every %(weekday)s at about %(hour)s.") % {
            "weekday": pgettext("weekday", WEEKDAY_NAMES[reminder.weekday]),
            "hour": hour,
        }
    return gettext("Saved. We will not send you reminders. You can check in any time from your link.")


# --------------------------------------------------------------------------- printing


@portal_page
@require_GET
@with_session
def flare_print(request: HttpRequest, visit: PatientSession) -> HttpResponse:
    """The flare-up plan on one page, to print (print stylesheet); opening it is audited as printing."""
    patient = visit.patient
    plan = active_plan_of(patient)
    if plan is None:
        return redirect("portal:plan")
    audit(request, visit, Action.PRINT, "printable flare-up plan")
    context = {
        "patient": patient,
        "plan": plan,
        "flare_plan": selectors.flare_plan_for(plan),
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "portal/plan/flare_print.html", context)
