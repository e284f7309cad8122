"""MedicationStatement: the medication list, current and past.

Haven's drug list (medications/rules/drugs.py) carries no RxNorm codes, and none is cited in REFERENCE.md, so
each medication is sent in words (drug, strength, form): an RxNorm code is never guessed (issue 17).
"""

from django.db.models import QuerySet

from medications.models import Medication, how_often
from medications.rules import drugs, routes
from patients.models import Patient

from .values import concept, day, instant, number, patient_reference, practitioner_reference, without_empty


def medication_rows(patients: QuerySet[Patient] | None) -> QuerySet[Medication]:
    rows = Medication.objects.select_related("patient", "prescriber")
    return (rows if patients is None else rows.filter(patient__in=patients)).order_by("pk")


def drug_name(medication: Medication) -> str:
    try:
        return drugs.by_code(medication.drug_code).name
    except KeyError:
        return medication.drug_code


def medication_words(medication: Medication) -> str:
    strength = f"{number(medication.strength)} {medication.strength_unit}"
    return f"{drug_name(medication)} {strength} {medication.get_form_display().lower()}"


def dosage(medication: Medication) -> dict:
    units = number(medication.units_per_dose)
    if medication.is_prn:
        most = medication.prn_max_doses_per_day
        often = f"as needed, at most {how_often(str(number(most)))}" if most is not None else "as needed"
    else:
        per_day = medication.doses_per_day
        often = how_often(str(number(per_day))) if per_day is not None else "how often not recorded"
    recorded_route = medication.route != routes.NOT_RECORDED.value
    return without_empty(
        {
            "text": f"{units} {medication.get_form_display().lower()} {often}",
            "asNeededBoolean": medication.is_prn,
            "route": concept(medication.get_route_display()) if recorded_route else None,
        }
    )


def information_source(medication: Medication) -> dict | None:
    if medication.prescriber is not None:
        return practitioner_reference(medication.prescriber)
    if medication.outside_prescriber:
        return {"display": medication.outside_prescriber}
    return None


def medication_to_fhir(medication: Medication) -> dict:
    stopped = medication.stopped_on is not None
    period = without_empty(
        {
            "start": day(medication.started_on) if medication.started_on else None,
            "end": day(medication.stopped_on) if medication.stopped_on else None,
        }
    )
    return without_empty(
        {
            "resourceType": "MedicationStatement",
            "id": str(medication.public_id),
            "status": "stopped" if stopped else "active",
            "statusReason": [concept(medication.stop_reason)] if stopped and medication.stop_reason.strip() else [],
            "category": concept(medication.drug_class),
            "medicationCodeableConcept": concept(medication_words(medication)),
            "subject": patient_reference(medication.patient),
            "effectivePeriod": period,
            "dateAsserted": instant(medication.created_at),
            "informationSource": information_source(medication),
            "reasonCode": [concept(medication.reason)] if medication.reason.strip() else [],
            "dosage": [dosage(medication)],
        }
    )
