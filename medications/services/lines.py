"""Medication lines: add, change, stop and annotate, each with its history entry (who, when, why, what changed)
and its audit event. Only prescribers change opioid and benzodiazepine lines (clinic/access/medication_lines.py).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.medication_lines import ANNOTATORS_ONLY, may_annotate, may_change_class, refusal_for
from clinic.access.refusals import refuse_unless
from medications.models import Medication, MedicationChange
from medications.rules import drugs, routes
from medications.selectors.regimen import forget_summary
from medications.services import StaleEdit
from patients.models import PatientAllergy

ALLERGY_CHECKED_ON_ADD = "medication added: allergy warning checked by the prescriber"
ALLERGY_CHECKED_ON_CHANGE = "medication changed: allergy warning checked by the prescriber"


class AllergyNotChecked(Exception):
    """The drug matches an active allergy or intolerance and the prescriber has not said they checked it."""

    def __init__(self, allergies: list[PatientAllergy]):
        super().__init__("The drug matches a recorded allergy; nothing was saved.")
        self.allergies = allergies


def matching_allergies(patient, drug: drugs.Drug) -> list[PatientAllergy]:
    """The patient's active allergies and intolerances whose substance matches the drug (one query), by the app's
    own simple rule (PatientAllergy.matches: the drug's code, or a word in its name; not a drug-allergy database)."""
    allergies = PatientAllergy.objects.active().filter(patient=patient).order_by("substance", "id")
    return [allergy for allergy in allergies if allergy.matches(name=drug.name, code=drug.code)]


def _drug(code: str) -> drugs.Drug:
    try:
        return drugs.by_code(code)
    except KeyError:
        raise ValueError(f"{code!r} is not on the drug list.") from None


@transaction.atomic
def add_medication(
    *,
    patient,
    by,
    audit: AuditContext | None = None,
    values: dict,
    why: str = "",
    allergy_checked: bool = False,
) -> Medication:
    """Add a line. Preconditions: ``values`` holds Medication.TRACKED_FIELDS (a form's cleaned data) with a drug
    code from the list. Refused unless the person may change lines of the drug's class.

    A drug that matches an active allergy or intolerance (``matching_allergies``) raises AllergyNotChecked, saving
    nothing, unless ``allergy_checked`` (the prescriber ticked "I have checked the allergy"); saved anyway, the
    line's audit event is joined by one saying the allergy warning was checked."""
    drug = _drug(values["drug_code"])
    refuse_unless(may_change_class(by, patient, drug.drug_class), refusal_for(by, patient, drug.drug_class))
    allergies = _allergies_to_check(patient, drug, allergy_checked=allergy_checked)
    _check_prescriber(values.get("prescriber"))
    now = timezone.now()
    medication = Medication(
        patient=patient,
        drug_class=drug.drug_class.value,
        strength_unit=drug.strength_unit,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    _set(medication, values)
    _check_route(medication)
    medication.save()
    forget_summary(patient)
    MedicationChange.objects.create(
        medication=medication, kind=MedicationChange.Kind.ADDED, reason=why, after=medication.snapshot(), by=by, at=now
    )
    record_event(
        actor=by,
        context=audit,
        patient=patient,
        action=Action.CREATE,
        target=f"medication added ({drug.drug_class.label})",
    )
    if allergies:
        record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target=ALLERGY_CHECKED_ON_ADD)
    return medication


@transaction.atomic
def change_medication(
    *,
    medication: Medication,
    by,
    audit: AuditContext | None = None,
    values: dict,
    why: str,
    expected_version: int,
    allergy_checked: bool = False,
) -> Medication:
    """Change a line; the history keeps what changed, who and why. Refused unless the person may change both
    the line's class and the new drug's class. Raises StaleEdit when the line changed since ``expected_version``.

    A change of drug is checked against the allergies as an added line is: a new drug that matches an active
    allergy or intolerance raises AllergyNotChecked, saving nothing, unless ``allergy_checked``; saved anyway, the
    change's audit event is joined by one saying the allergy warning was checked."""
    patient = medication.patient
    drug = _drug(values.get("drug_code", medication.drug_code))
    for drug_class in {medication.drug_class, drug.drug_class.value}:
        refuse_unless(may_change_class(by, patient, drug_class), refusal_for(by, patient, drug_class))
    current = Medication.objects.select_for_update().get(pk=medication.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    allergies: list[PatientAllergy] = []
    if drug.code != current.drug_code:
        allergies = _allergies_to_check(patient, drug, allergy_checked=allergy_checked)
    if "prescriber" in values and getattr(values["prescriber"], "pk", None) != current.prescriber_id:
        _check_prescriber(values["prescriber"])
    before = current.snapshot()
    _set(current, values)
    current.drug_class = drug.drug_class.value
    current.strength_unit = drug.strength_unit
    after = current.snapshot()
    changed = {name for name in after if after[name] != before[name]}
    if not changed:
        return current
    if changed & {"drug_code", "form", "route"}:
        _check_route(current)
    current.updated_at = timezone.now()
    current.version = F("version") + 1
    current.save()
    forget_summary(patient)
    current.refresh_from_db()
    kind = (
        MedicationChange.Kind.STOPPED
        if "stopped_on" in changed and current.stopped_on
        else MedicationChange.Kind.CHANGED
    )
    MedicationChange.objects.create(
        medication=current,
        kind=kind,
        reason=why,
        before={name: before[name] for name in sorted(changed)},
        after={name: after[name] for name in sorted(changed)},
        by=by,
        at=current.updated_at,
    )
    words = "stopped" if kind == MedicationChange.Kind.STOPPED else f"changed: {', '.join(sorted(changed))}"
    record_event(actor=by, context=audit, patient=patient, action=Action.UPDATE, target=f"medication {words}"[:200])
    if allergies:
        record_event(actor=by, context=audit, patient=patient, action=Action.UPDATE, target=ALLERGY_CHECKED_ON_CHANGE)
    return current


def stop_medication(
    *, medication: Medication, by, audit: AuditContext | None = None, on: datetime.date, why: str, expected_version: int
) -> Medication:
    """Stop a line on a date, with the reason (a change of ``stopped_on`` and ``stop_reason``)."""
    return change_medication(
        medication=medication,
        by=by,
        audit=audit,
        values={"stopped_on": on, "stop_reason": why},
        why=why,
        expected_version=expected_version,
    )


@transaction.atomic
def annotate_medication(
    *, medication: Medication, by, audit: AuditContext | None = None, note: str
) -> MedicationChange:
    """A pharmacist's (or prescriber's) note on a line; the line itself does not change."""
    refuse_unless(may_annotate(by, medication.patient), ANNOTATORS_ONLY)
    change = MedicationChange.objects.create(
        medication=medication, kind=MedicationChange.Kind.ANNOTATED, reason=note, by=by
    )
    record_event(
        actor=by, context=audit, patient=medication.patient, action=Action.UPDATE, target="medication annotated"
    )
    return change


def _allergies_to_check(patient, drug: drugs.Drug, *, allergy_checked: bool) -> list[PatientAllergy]:
    """The allergies the drug matches; AllergyNotChecked when there are some and nobody said they checked them."""
    allergies = matching_allergies(patient, drug)
    if allergies and not allergy_checked:
        raise AllergyNotChecked(allergies)
    return allergies


def _check_route(medication: Medication) -> None:
    """Precondition: the line's drug, form and route agree (medications.rules.routes; the form says the same to
    the person typing). Checked when one of them is set, so stopping an older line never trips on it."""
    problems = routes.disagreements(drug_code=medication.drug_code, form=medication.form, route=medication.route)
    if problems:
        raise ValueError(" ".join(problems.values()))


def _check_prescriber(prescriber) -> None:
    """Precondition: a line names as its prescriber only an active prescriber of the clinic (User.is_prescriber:
    a physician or nurse practitioner), or nobody. Checked when the prescriber is set or changed, so a line keeps
    a prescriber who has since left."""
    if prescriber is not None and not (prescriber.is_prescriber and prescriber.is_active):
        raise ValueError("Only a prescriber of the clinic (a physician or nurse practitioner) can be named.")


def _set(medication: Medication, values: dict) -> None:
    for name in Medication.TRACKED_FIELDS:
        if name in values:
            value = values[name]
            setattr(medication, name, "" if value is None and name in TEXT_FIELDS else value)


TEXT_FIELDS = {"outside_prescriber", "stop_reason", "reason", "pain_type_targeted", "benefit", "side_effects"}
