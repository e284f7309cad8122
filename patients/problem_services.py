"""The problem list, pain classification, complexity rating and red flags found at examination.

Who may do what (issue 3: staff only; every view and change audited):

- Clinicians with access to the patient (their care team, or an open task about the patient) and the
  ``clinic.chart_clinical_notes`` permission add and change problems, classify the pain, rate the
  complexity and record red flags found at examination (``may_chart``).
- Clinicians with access acknowledge red flags (clinic.access.alerts, the rule for alerts).
- Coordinators and clinic admins read all of it and change none of it.

Every change checks who asks itself (the rules in clinic/access/) and raises ``Refused``, writing nothing,
when they may not; the pages ask the same rules first to show only what the person may do. Every change
writes its audit event in its own transaction. Audit targets name the kind of change and the fields
changed, never their values.
"""

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.alerts import may_acknowledge_alerts
from clinic.access.patients import may_chart
from clinic.access.refusals import refuse_unless
from clinic.models import TeamTask, User
from clinic.roles import Discipline
from clinic.safety_net import acknowledge_tasks, acknowledgement_words, raise_routed_task
from patients import redflags
from patients.intake_services import intake_red_flag_task_key
from patients.models import (
    Complexity,
    ComplexityRating,
    PainClassification,
    PainCondition,
    PainType,
    Patient,
    Problem,
    RedFlag,
)

# --------------------------------------------------------------------------- who may

CHARTING_ONLY = "Only a clinician on the patient's care team can change the problem list, classification or complexity."
RECORDING_ONLY = "Only a clinician on the patient's care team can record a red flag."
ACKNOWLEDGING_ONLY = "Only a clinician on the patient's care team can acknowledge a red flag."


# --------------------------------------------------------------------------- problems


class StaleEdit(Exception):
    """Someone saved the problem after the editor opened it; nothing was saved. ``current`` is their version."""

    def __init__(self, current: Problem):
        super().__init__("The problem was changed by someone else since this edit began.")
        self.current = current


def check_problem_fields(*, domain: str, title: str, status: str, owner_discipline: str) -> None:
    if domain not in Problem.Domain.values:
        raise ValueError(f"Not a problem domain: {domain!r}")
    if status not in Problem.Status.values:
        raise ValueError(f"Not a problem status: {status!r}")
    if owner_discipline and owner_discipline not in Discipline.values:
        raise ValueError(f"Not a discipline: {owner_discipline!r}")
    if not title.strip():
        raise ValueError("A problem needs a title.")


@transaction.atomic
def add_problem(
    *,
    patient: Patient,
    by: User,
    domain: str,
    title: str,
    status: str = Problem.Status.ACTIVE,
    owner_discipline: str = "",
    notes: str = "",
    audit: AuditContext | None = None,
) -> Problem:
    """Add a problem to the patient's list (audit "create").

    Refused unless ``may_chart(by, patient)``. Preconditions: the values have been checked by ProblemForm
    (the service refuses an unknown domain, status or discipline and an empty title with ValueError).
    """
    refuse_unless(may_chart(by, patient), CHARTING_ONLY)
    check_problem_fields(domain=domain, title=title, status=status, owner_discipline=owner_discipline)
    now = timezone.now()
    problem = Problem.objects.create(
        patient=patient,
        domain=domain,
        title=title.strip(),
        status=status,
        owner_discipline=owner_discipline,
        notes=notes.strip(),
        created_by=by,
        created_at=now,
        updated_by=by,
        updated_at=now,
    )
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target="problem list: problem added")
    return problem


@transaction.atomic
def change_problem(
    *, problem: Problem, by: User, seen_updated_at: datetime, audit: AuditContext | None = None, **fields
) -> tuple[Problem, list[str]]:
    """Change a problem that the editor saw as last updated at ``seen_updated_at`` (audit "update").

    Refused unless ``may_chart(by, problem.patient)``. Preconditions: ``fields`` are some of
    Problem.EDITABLE. Raises StaleEdit, saving nothing, when the problem was saved by anyone since
    ``seen_updated_at``: two clinicians editing at once do not silently overwrite each other. Returns the
    saved problem and the names of the fields changed.
    """
    refuse_unless(may_chart(by, problem.patient), CHARTING_ONLY)
    locked = Problem.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=problem.pk)
    if locked.updated_at != seen_updated_at:
        raise StaleEdit(locked)
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    if "notes" in fields:
        fields["notes"] = fields["notes"].strip()
    check_problem_fields(
        domain=fields.get("domain", locked.domain),
        title=fields.get("title", locked.title),
        status=fields.get("status", locked.status),
        owner_discipline=fields.get("owner_discipline", locked.owner_discipline),
    )
    changed = locked.change(by=by, **fields)
    target = f"problem list: problem changed ({', '.join(changed)})" if changed else "problem list: no change"
    record_event(actor=by, context=audit, patient=problem.patient, action=Action.UPDATE, target=target)
    return locked, changed


# --------------------------------------------------------------------------- classification and complexity


def conditions_in_order(main_condition: str, other_conditions) -> list[str]:
    """The main condition first, then the others in the list's order, each once."""
    others = set(other_conditions) - {main_condition}
    return [main_condition, *(code for code in PainCondition.values if code in others)]


@transaction.atomic
def classify_pain(
    *,
    patient: Patient,
    by: User,
    pain_type: str,
    main_condition: str,
    other_conditions=(),
    note: str = "",
    audit: AuditContext | None = None,
) -> PainClassification:
    """Record the pain type and conditions (a new history row) and copy them onto the patient.

    The main condition becomes ``Patient.primary_condition`` and the others ``Patient.other_conditions``,
    so the registry and the classification keep one list of conditions. Refused unless ``may_chart(by,
    patient)``; unknown types or conditions raise ValueError. Audit "create".
    """
    refuse_unless(may_chart(by, patient), CHARTING_ONLY)
    if pain_type not in PainType.values or pain_type == PainType.NOT_CLASSIFIED:
        raise ValueError(f"Not a pain type: {pain_type!r}")
    unknown = {main_condition, *other_conditions} - set(PainCondition.values)
    if unknown:
        raise ValueError(f"Not a pain condition: {', '.join(sorted(map(str, unknown)))}")
    locked = Patient.objects.select_for_update().only("id").get(pk=patient.pk)  # one classification at a time
    conditions = conditions_in_order(main_condition, other_conditions)
    row = PainClassification.objects.create(
        patient=locked,
        pain_type=pain_type,
        conditions=conditions,
        note=note.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    Patient.objects.filter(pk=patient.pk).update(
        pain_type=pain_type, primary_condition=conditions[0], other_conditions=conditions[1:]
    )
    patient.pain_type, patient.primary_condition, patient.other_conditions = pain_type, conditions[0], conditions[1:]
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target="pain classification recorded")
    return row


@transaction.atomic
def rate_complexity(
    *, patient: Patient, by: User, level: str, reason: str, audit: AuditContext | None = None
) -> ComplexityRating:
    """Record simple or complex with the reason (a new history row) and copy the level onto the patient.

    Refused unless ``may_chart(by, patient)``; a reason is required (ValueError without one). Audit "create".
    """
    refuse_unless(may_chart(by, patient), CHARTING_ONLY)
    if level not in Complexity.values or level == Complexity.NOT_RATED:
        raise ValueError(f"Not a complexity level: {level!r}")
    if not reason.strip():
        raise ValueError("A complexity rating needs a reason.")
    Patient.objects.select_for_update().only("id").get(pk=patient.pk)  # one rating at a time
    row = ComplexityRating.objects.create(
        patient=patient, level=level, reason=reason.strip(), recorded_by=by, recorded_at=timezone.now()
    )
    Patient.objects.filter(pk=patient.pk).update(complexity=level)
    patient.complexity = level
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target="complexity rated")
    return row


# --------------------------------------------------------------------------- red flags


class SubmissionReused(Exception):
    """The form's submission key already names another red flag (another patient's, or not this finder's)."""


def red_flag_task_key(flag: RedFlag) -> str:
    return f"red-flag:{flag.public_id}"


def red_flag_task_title(item: redflags.RedFlagItem) -> str:
    """App wording: what the lead clinician's worklist says."""
    return f"Emergency red flag found at examination: {item.text[:1].lower()}{item.text[1:]}. Review today."[:200]


@transaction.atomic
def record_exam_red_flag(
    *,
    patient: Patient,
    by: User,
    code: str,
    note: str = "",
    key: uuid.UUID | None = None,
    audit: AuditContext | None = None,
) -> RedFlag:
    """Record a red flag a clinician found at examination (an examination item, or any screen item from
    the history): a RedFlag with source "examination" and the item's level, and the audit event.

    An emergency-level flag also creates an urgent task for the lead clinician (or the clinician on duty
    when the team has no lead), unless that is the clinician who found it: they already know.

    ``key`` (the form's submission key) becomes the flag's public id, so a double submit or a retried
    request records the flag and its task once. Refused unless ``may_chart(by, patient)``. Raises
    UnknownRedFlagError for an unknown code, SubmissionReused when the key names a flag that is not this
    finder's examination flag for this patient (a tampered form).
    """
    refuse_unless(may_chart(by, patient), RECORDING_ONLY)
    item = redflags.item_for(code)
    key = key or uuid.uuid4()
    existing = RedFlag.objects.filter(public_id=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                flag = RedFlag.objects.create(
                    public_id=key,
                    patient=patient,
                    code=item.code,
                    level=item.level,
                    source=RedFlag.Source.EXAMINATION,
                    found_by=by,
                    note=note.strip(),
                    found_at=timezone.now(),
                )
        except IntegrityError:  # the same submission, committed by a concurrent request since the check
            existing = RedFlag.objects.get(public_id=key)
        else:
            if item.level == redflags.EMERGENCY:
                task_for_red_flag(flag, item, found_by=by)
            record_event(
                actor=by,
                context=audit,
                patient=patient,
                action=Action.CREATE,
                target="red flag found at examination",
            )
            return flag
    if (existing.patient_id, existing.source, existing.found_by_id) != (patient.pk, RedFlag.Source.EXAMINATION, by.pk):
        raise SubmissionReused("This submission key belongs to another red flag.")
    return existing


def task_for_red_flag(flag: RedFlag, item: redflags.RedFlagItem, *, found_by) -> TeamTask | None:
    """The urgent task for an emergency red flag, once per flag; none when the finder would receive it."""
    return raise_routed_task(
        title=red_flag_task_title(item),
        source=TeamTask.Source.RED_FLAG,
        source_key=red_flag_task_key(flag),
        patient=flag.patient,
        priority=TeamTask.Priority.URGENT,
        exclude=found_by,
    )


def settled_task_keys(red_flag: RedFlag) -> list[str]:
    """The tasks an acknowledged flag settles: its own (an examination finding), and its intake's task for
    that level once no flag of that intake and level is left unacknowledged."""
    keys = [red_flag_task_key(red_flag)]
    if red_flag.intake_id is None:  # found at examination: no intake task to settle
        return keys
    still_open = RedFlag.objects.unacknowledged().filter(intake_id=red_flag.intake_id, level=red_flag.level)
    if not still_open.exists() and (intake := red_flag.intake) is not None:
        keys.append(intake_red_flag_task_key(intake.public_id, red_flag.level))
    return keys


@transaction.atomic
def acknowledge_red_flag(
    *, red_flag: RedFlag, by: User, note: str, action: str = "", audit: AuditContext | None = None
) -> bool:
    """A clinician has seen the red flag and says what was done; its task (if this app made one) is done too.

    Refused unless ``may_acknowledge_alerts(by, red_flag.patient)``; a note is required (ValueError without
    one). Returns False, changing nothing, when someone acknowledged it first (their note stays). Audit
    "update".
    """
    refuse_unless(may_acknowledge_alerts(by, red_flag.patient), ACKNOWLEDGING_ONLY)
    if not note.strip():
        raise ValueError("An acknowledgement needs a note of what was done.")
    if not red_flag.acknowledge(by=by, note=acknowledgement_words(action, note)):
        return False
    tasks = TeamTask.objects.filter(source_key__in=settled_task_keys(red_flag))
    acknowledge_tasks(tasks=tasks, by=by, action=action, note=note)
    record_event(
        actor=by, context=audit, patient=red_flag.patient, action=Action.UPDATE, target="red flag acknowledged"
    )
    return True
