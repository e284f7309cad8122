"""Referral workflows: write a referral, change its details, move it a step, and the daily tracking
sweep. The rules are in clinic/referrals.py and the single-record changes are Referral's methods;
these functions add what crosses models (the first history event, the insurance task, the sweep's
tasks).

Who may write and move referrals is checked here too (clinic.access.referrals): a refused person gets
``Refused`` and nothing is written. The sweep and the insurance task are the app's own work, with no person.
Every change a person makes writes its audit event here, in its transaction, whoever calls (a page, a task,
a command): a refused or failed change writes none.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic import referrals as rules
from clinic.access.referrals import WRITERS_ONLY, may_change_referral, may_refer
from clinic.access.refusals import refuse_unless
from clinic.models import Referral, ReferralEvent, TeamTask, TeamTaskEvent
from clinic.roles import Role
from clinic.services import create_task

# The fields a person fills in (ReferralForm); everything else is stamped by the steps.
DETAIL_FIELDS = (
    "service",
    "service_other",
    "is_internal",
    "receiving_provider",
    "reason",
    "question",
    "urgency",
    "prior_authorisation",
    "authorisation_reference",
    "visits_authorised",
    "visits_used",
    "expected_wait_days",
    "bridge_plan",
    "bridge_contact",
)
VISIT_CAP_TITLE = "Insurance visit limit reached for a referral"
# Audit targets: what happened to a referral, never what it says.
WRITTEN = "referral written"
DETAILS_CHANGED = "referral details changed"


def referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.public_id])


@transaction.atomic
def create_referral(*, patient, by, audit: AuditContext | None = None, details: dict) -> Referral:
    """Write a draft referral for `patient` with its first history event.

    Preconditions: `details` holds DETAIL_FIELDS as cleaned by ReferralForm (a bridge plan where the
    wait needs one, a reference for an approval). Refused unless `by` may refer this patient.
    """
    refuse_unless(may_refer(by, patient), WRITERS_ONLY)
    referral = write_draft(patient=patient, by=by, details=details)
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target=WRITTEN)
    return referral


@transaction.atomic
def update_referral(
    *, referral: Referral, by, audit: AuditContext | None = None, details: dict, expected_version: int
) -> list[str]:
    """Change a referral's details; returns the names of the fields that changed (audited only when some did).

    Preconditions as for create_referral; refused unless `by` may change this referral. Raises
    ReferralChanged (nothing saved) when the referral changed since `expected_version`, the version the
    form was shown with.
    """
    refuse_unless(may_change_referral(by, referral), WRITERS_ONLY)
    changed = referral.update_details(by=by, changes=details, expected_version=expected_version)
    if changed:
        check_visit_cap(referral)
        record_event(actor=by, context=audit, patient=referral.patient, action=Action.UPDATE, target=DETAILS_CHANGED)
    return changed


@transaction.atomic
def take_referral_step(
    *,
    referral: Referral,
    action: str,
    by,
    audit: AuditContext | None = None,
    expected_version: int,
    on: date | None = None,
    reason: str = "",
    note: str = "",
) -> None:
    """Move a referral one step (clinic/referrals.py STEPS) by its model method.

    Refused unless `by` may change this referral. Raises ReferralTransitionError when the step is not
    allowed now (or lacks its date or reason), ReferralChanged when the referral changed since
    `expected_version`; nothing is saved then.
    """
    refuse_unless(may_change_referral(by, referral), WRITERS_ONLY)
    step = move_on(referral, action, by=by, expected_version=expected_version, on=on, reason=reason, note=note)
    record_event(
        actor=by, context=audit, patient=referral.patient, action=Action.UPDATE, target=f"referral {step.verb}"
    )


# --- The writes alone ---------------------------------------------------------------------------
# What the functions above write, without their permission check and audit event: they call these after
# checking and audit what these did. Setting up a referral's history where nobody acts (the tests' factories)
# calls them directly, so that the audit trail holds only what people did.


def write_draft(*, patient, by, details: dict) -> Referral:
    """The draft referral row and its first history event (create_referral's preconditions)."""
    now = timezone.now()
    has_bridge = bool(details.get("bridge_plan") or details.get("bridge_contact"))
    referral = Referral.objects.create(
        patient=patient,
        created_by=by,
        created_at=now,
        state_changed_at=now,
        state_changed_by=by,
        bridge_updated_at=now if has_bridge else None,
        **details,
    )
    ReferralEvent.objects.create(referral=referral, to_state=referral.state, by=by, at=now)
    check_visit_cap(referral)
    return referral


def move_on(
    referral: Referral, action: str, *, by, expected_version: int, on: date | None, reason: str, note: str
) -> rules.Step:
    """Take the step by its model method (raising as take_referral_step says); returns the step taken."""
    if action not in rules.STEPS:
        raise rules.ReferralTransitionError(rules.refusal(action, referral.state))
    step = rules.STEPS[action]
    methods: dict[str, Callable[..., None]] = {
        "send": referral.mark_sent,
        "acknowledge": referral.acknowledge,
        "schedule": referral.schedule,
        "attended": referral.mark_attended,
        "report": referral.record_report,
        "close": referral.close,
        "decline": referral.decline,
        "cancel": referral.cancel,
        "no_show": referral.mark_no_show,
    }
    extra: dict[str, object] = {"on": on} if step.needs_date else {}
    extra |= {"reason": reason} if step.needs_reason else {"note": note}
    methods[action](by=by, expected_version=expected_version, **extra)
    if action == "attended":
        check_visit_cap(referral)
    return step


def check_visit_cap(referral: Referral) -> TeamTask | None:
    """When the insurance's authorised visits are all used, one task for the coordinators (once per
    referral and authorisation, however often this is called)."""
    authorised = referral.visits_authorised
    if authorised is None or not rules.visit_cap_reached(authorised, referral.visits_used):
        return None
    return create_task(
        title=VISIT_CAP_TITLE,
        source=TeamTask.Source.INSURANCE,
        source_key=rules.visit_cap_key(referral.id, authorised),
        patient=referral.patient,
        assignee_role=Role.COORDINATOR,
        priority=TeamTask.Priority.HIGH,
        details=(
            f"{referral.service_name}: {referral.visits_used} of {referral.visits_authorised} authorised visits "
            "used. Ask the insurer for more visits, or plan what happens next with the care team."
        ),
        link=referral_url(referral),
    )


# --- The tracking sweep -----------------------------------------------------------------------


@dataclass
class TrackingResult:
    overdue: int = 0
    tasks_created: int = 0


@transaction.atomic
def track_referrals(*, now: datetime | None = None) -> TrackingResult:
    """Give the coordinators one task for each referral that is late (clinic/referrals.py): sent and
    not acknowledged within 5 business days, an appointment passed with no attendance recorded, or
    attended with no report after 14 days.

    Set-based: one query finds every late referral (partial indexes), one insert writes the tasks
    and the unique source key skips the ones already there, so a re-run, a second worker or a
    redelivered task creates nothing twice. A constant number of queries whatever the number.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    late = (
        Referral.objects.with_overdue(now=now)
        .overdue(now=now)
        .only("id", "public_id", "patient_id", "service", "service_other", "urgency", "appointment_on")
    )
    tasks = [overdue_task(referral, today=today, now=now) for referral in late]
    result = TrackingResult(overdue=len(tasks))
    if not tasks:
        return result
    TeamTask.objects.bulk_create(tasks, ignore_conflicts=True)
    # Each new task's CREATED history event (a task from an earlier run has its event already).
    created = list(
        TeamTask.objects.filter(source_key__in=[task.source_key for task in tasks])
        .exclude(events__kind=TeamTaskEvent.Kind.CREATED)
        .values_list("id", "assignee_role")
    )
    TeamTaskEvent.objects.bulk_create(
        [
            TeamTaskEvent(task_id=task_id, kind=TeamTaskEvent.Kind.CREATED, at=now, to_role=role)
            for task_id, role in created
        ]
    )
    result.tasks_created = len(created)
    return result


def overdue_task(referral: Referral, *, today: date, now: datetime) -> TeamTask:
    stage: str = getattr(referral, "overdue_stage", "")  # annotated by Referral.objects.with_overdue()
    return TeamTask(
        title=rules.OVERDUE_TITLES[stage],
        details=f"{referral.service_name} referral: {referral.overdue_words.lower()}.",
        link=referral_url(referral),
        patient_id=referral.patient_id,
        assignee_role=Role.COORDINATOR,
        priority=TeamTask.Priority.HIGH if referral.urgency == Referral.Urgency.URGENT else TeamTask.Priority.NORMAL,
        source=TeamTask.Source.REFERRAL,
        source_key=rules.overdue_key(referral.id, stage, referral.appointment_on),
        due_on=today,
        created_at=now,
    )
