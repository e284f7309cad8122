"""Allergies and intolerances (issue 15): recording one and ending one, never deleting.

Who may: a clinician with access to the patient who may chart (``clinic.access.patients.may_chart``), the rule
for every change to the clinical record; coordinators and clinic admins read the list and change none of it.
Each service checks that itself (raising ``Refused`` and writing nothing) and writes its audit event; audit targets
name the kind of change, never the substance or the reaction.
"""

from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.patients import may_chart
from clinic.access.refusals import refuse_unless
from clinic.models import User
from patients.models import Patient, PatientAllergy

CHARTING_ONLY = "Only a clinician on the patient's care team can change the allergy list."

#: The fields a form gives record_allergy.
FIELDS = ("substance", "kind", "reaction", "severity", "source")


class AlreadyEnded(Exception):
    """Someone ended this entry first; their reason stays."""


def check_allergy_values(values: dict) -> dict:
    """The values, trimmed; ValueError for a missing substance or source or an unknown choice."""
    if unknown := set(values) - set(FIELDS):
        raise ValueError(f"Not an allergy field: {', '.join(sorted(unknown))}")
    cleaned = {name: " ".join(str(values.get(name, "")).split()) for name in FIELDS}
    if not cleaned["substance"]:
        raise ValueError("An allergy needs a substance.")
    cleaned["kind"] = cleaned["kind"] or PatientAllergy.Kind.ALLERGY
    cleaned["severity"] = cleaned["severity"] or PatientAllergy.Severity.UNKNOWN
    for name, choices in (
        ("kind", PatientAllergy.Kind),
        ("severity", PatientAllergy.Severity),
        ("source", PatientAllergy.Source),
    ):
        if cleaned[name] not in choices.values:
            raise ValueError(f"Not an allergy {name}: {cleaned[name]!r}")
    return cleaned


@transaction.atomic
def record_allergy(*, patient: Patient, by: User, audit: AuditContext | None = None, values: dict) -> PatientAllergy:
    """Record an allergy or intolerance (audit "create"). Refused unless ``may_chart(by, patient)``."""
    refuse_unless(may_chart(by, patient), CHARTING_ONLY)
    allergy = PatientAllergy.objects.create(
        patient=patient, recorded_by=by, recorded_at=timezone.now(), **check_allergy_values(values)
    )
    record_event(
        actor=by, context=audit, patient=patient, action=Action.CREATE, target=f"allergy list: {allergy.kind} recorded"
    )
    return allergy


@transaction.atomic
def end_allergy(*, allergy: PatientAllergy, by: User, reason: str, audit: AuditContext | None = None) -> PatientAllergy:
    """End an entry, "entered in error" or "no longer applies" (audit "update"); it stays in the history.

    Refused unless ``may_chart(by, allergy.patient)``; an unknown reason raises ValueError; AlreadyEnded when
    someone ended it first (nothing changes)."""
    refuse_unless(may_chart(by, allergy.patient), CHARTING_ONLY)
    if reason not in PatientAllergy.EndReason.values:
        raise ValueError(f"Not a reason to end an allergy: {reason!r}")
    if not allergy.end(by=by, reason=reason):
        raise AlreadyEnded("This entry was already ended.")
    record_event(
        actor=by,
        context=audit,
        patient=allergy.patient,
        action=Action.UPDATE,
        target=f"allergy list: entry ended ({allergy.get_ended_reason_display().lower()})",
    )
    return allergy
