"""Questionnaire (one per instrument version), QuestionnaireResponse (item-level answers), and Observation (one
per scored response, and one per daily check-in).

LOINC codes come only from the instrument definitions (measures/instruments/*.json, whose `loinc` entries cite
REFERENCE.md section 1 and were checked when the file was written): an instrument, item or answer without one is
sent with its words alone. Instrument definitions are large and few, so rows load the instrument without its
definition and `spec_of` parses each definition once per process (keyed by its checksum).
"""

import uuid
from typing import Any

from django.db.models import QuerySet

from careplans.models import DailyLog
from measures.instrument import InstrumentDefinition, Item
from measures.models import Instrument, Response, definition_for
from patients.models import Patient

from .values import (
    HAVEN_NAMESPACE,
    LOINC,
    UCUM,
    coding,
    concept,
    instant,
    number,
    patient_reference,
    practitioner_reference,
    reference,
    without_empty,
)

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
SURVEY = coding(OBSERVATION_CATEGORY, "survey", "Survey")

# UCUM: "{score}" is an annotation (a unit of 1 with a name), "h" is the hour (https://ucum.org/ucum).
SCORE_UNIT = {"unit": "score", "system": UCUM, "code": "{score}"}
HOURS_UNIT = {"unit": "hours", "system": UCUM, "code": "h"}
STEPS_UNIT = {"unit": "steps", "system": UCUM, "code": "{steps}"}

_specs: dict[str, InstrumentDefinition] = {}


def spec_of(instrument: Instrument) -> InstrumentDefinition:
    """The instrument's parsed definition; one query the first time a version is seen in this process."""
    if instrument.checksum not in _specs:
        loaded = Instrument.objects.only("checksum", "definition").get(pk=instrument.pk)
        _specs[instrument.checksum] = definition_for(loaded.checksum, loaded.definition)
    return _specs[instrument.checksum]


def preload_specs() -> None:
    """Parse every instrument version's definition now, in one query (the bulk export's first step)."""
    for instrument in Instrument.objects.only("checksum", "definition"):
        _specs.setdefault(instrument.checksum, definition_for(instrument.checksum, instrument.definition))


# --------------------------------------------------------------------------- Questionnaire


def questionnaire_id(instrument: Instrument) -> str:
    # Named by code and version, so the same instrument has the same id in every Haven clinic's export.
    return str(uuid.uuid5(HAVEN_NAMESPACE, f"instrument/{instrument.code}/{instrument.version}"))


def questionnaire_rows(patients: QuerySet[Patient] | None) -> QuerySet[Instrument]:
    rows = Instrument.objects.all()
    if patients is not None:
        rows = rows.filter(pk__in=Response.objects.filter(patient__in=patients).values("instrument_id"))
    return rows.order_by("pk")


def answer_coding(item: Item, value: Any) -> dict:
    """An answer as a Coding: the option's LOINC answer code where the definition gives one, else the option's
    value in the instrument's own scoring (no system: Haven's values are not a published code system)."""
    option = item.option_for(value)
    if option is None:
        return {"code": str(value)}
    if option.loinc:
        return coding(LOINC, option.loinc, option.label)
    return {"code": str(number(option.value)), "display": option.label}


def questionnaire_item(item: Item) -> dict:
    return without_empty(
        {
            "linkId": item.code,
            "code": [coding(LOINC, item.loinc)] if item.loinc else [],
            "text": item.text,
            "type": "choice",
            "required": item.scored,
            "answerOption": [{"valueCoding": answer_coding(item, option.value)} for option in item.options],
        }
    )


def questionnaire_to_fhir(instrument: Instrument) -> dict:
    spec = spec_of(instrument)
    return without_empty(
        {
            "resourceType": "Questionnaire",
            "id": questionnaire_id(instrument),
            "version": instrument.version,
            "title": spec.title or spec.name,
            "status": "active" if instrument.active else "retired",
            "subjectType": ["Patient"],
            "date": instant(instrument.loaded_at),
            "copyright": spec.attribution_text,
            "code": [coding(LOINC, spec.loinc_panel)] if spec.loinc_panel else [],
            "item": [questionnaire_item(item) for item in spec.items],
        }
    )


# --------------------------------------------------------------------------- QuestionnaireResponse


def questionnaire_response_rows(patients: QuerySet[Patient] | None) -> QuerySet[Response]:
    rows = Response.objects.completed().select_related("patient", "instrument", "entered_by")
    if patients is not None:
        rows = rows.filter(patient__in=patients)
    return rows.defer("instrument__definition").order_by("pk")


def author_of(response: Response) -> dict:
    """Staff who entered it for the patient, else the patient themself (by link or on a clinic tablet)."""
    if response.entered_by is not None:
        return practitioner_reference(response.entered_by)
    return patient_reference(response.patient)


def answered_items(response: Response) -> list[dict]:
    spec = spec_of(response.instrument).worded_in(response.language)
    items = []
    for item in spec.items:
        if item.code in response.answers and response.answers[item.code] is not None:
            answer = {"valueCoding": answer_coding(item, response.answers[item.code])}
            items.append({"linkId": item.code, "text": item.text, "answer": [answer]})
    return items


def questionnaire_response_to_fhir(response: Response) -> dict:
    return without_empty(
        {
            "resourceType": "QuestionnaireResponse",
            "id": str(response.public_id),
            "questionnaire": f"Questionnaire/{questionnaire_id(response.instrument)}",
            "status": "completed",
            "subject": patient_reference(response.patient),
            "authored": instant(response.completed_at or response.started_at),
            "author": author_of(response),
            "source": patient_reference(response.patient),
            "item": answered_items(response),
        }
    )


# --------------------------------------------------------------------------- Observation: scores


def score_rows(patients: QuerySet[Patient] | None) -> QuerySet[Response]:
    rows = Response.objects.scored().select_related("patient", "instrument", "entered_by")
    if patients is not None:
        rows = rows.filter(patient__in=patients)
    return rows.defer("instrument__definition").order_by("pk")


def score_code(spec: InstrumentDefinition) -> dict:
    name = f"{spec.name} total score"
    return concept(name, coding(LOINC, spec.loinc_total, name)) if spec.loinc_total else concept(name)


def score_to_fhir(response: Response) -> dict:
    spec = spec_of(response.instrument)
    return without_empty(
        {
            "resourceType": "Observation",
            "id": str(response.public_id),
            "status": "final",
            "category": [concept("Survey", SURVEY)],
            "code": score_code(spec),
            "subject": patient_reference(response.patient),
            "effectiveDateTime": instant(response.completed_at or response.started_at),
            "performer": [author_of(response)],
            "valueQuantity": {"value": number(response.total), **SCORE_UNIT} if response.total is not None else None,
            "interpretation": [concept(response.band)] if response.band else [],
            "derivedFrom": [reference("QuestionnaireResponse", str(response.public_id))],
        }
    )


# --------------------------------------------------------------------------- Observation: daily check-ins

# Haven's own daily check-in (careplans.DailyLog), sent as one Observation with a component per value. No
# LOINC code is cited for these questions, so each is named in words.


def daily_log_rows(patients: QuerySet[Patient] | None) -> QuerySet[DailyLog]:
    rows = DailyLog.objects.select_related("patient")
    if patients is not None:
        rows = rows.filter(patient__in=patients)
    return rows.order_by("pk")


def daily_log_components(log: DailyLog) -> list[dict]:
    parts: list[dict] = [
        {
            "code": concept("Pain interference today (0-10)"),
            "valueQuantity": {"value": log.pain_interference, **SCORE_UNIT},
        }
    ]
    if log.sleep_hours is not None:
        parts.append(
            {"code": concept("Hours slept"), "valueQuantity": {"value": number(log.sleep_hours), **HOURS_UNIT}}
        )
    if log.sleep_quality is not None:
        parts.append(
            {"code": concept("Sleep quality (0-10)"), "valueQuantity": {"value": log.sleep_quality, **SCORE_UNIT}}
        )
    if log.steps is not None:
        parts.append({"code": concept("Steps"), "valueQuantity": {"value": log.steps, **STEPS_UNIT}})
    if log.activity.strip():
        parts.append({"code": concept("Activity"), "valueString": log.activity})
    if log.mood_word.strip():
        parts.append({"code": concept("Mood in a word"), "valueString": log.mood_word})
    return parts


def daily_log_to_fhir(log: DailyLog) -> dict:
    return without_empty(
        {
            "resourceType": "Observation",
            "id": str(log.public_id),
            "status": "final",
            "category": [concept("Survey", SURVEY)],
            "code": concept("Daily check-in (Haven)"),
            "subject": patient_reference(log.patient),
            "effectiveDateTime": instant(log.logged_at),
            "performer": [patient_reference(log.patient)],
            "note": [{"text": log.note}] if log.note.strip() else [],
            "component": daily_log_components(log),
        }
    )
