"""Small builders shared by every mapping: references, codings, dates and ids.

FHIR ids here are UUIDs (a row's public_id) or strings derived from one, never a sequential integer: an id
must not tell a reader how many patients or staff the clinic has.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Any

# Staff and instrument versions have no public id column; their FHIR ids are name-based UUIDs (uuid5) in this
# namespace, stable from one export to the next without showing a row id. The namespace is Haven's own, chosen once.
HAVEN_NAMESPACE = uuid.UUID("6f1c7d0e-2b9a-4c55-9e4f-3a8d2c61b0a7")

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


def staff_fhir_id(user_id: int, kind: str = "practitioner") -> str:
    return str(uuid.uuid5(HAVEN_NAMESPACE, f"{kind}/{user_id}"))


def reference(resource_type: str, fhir_id: str, display: str = "") -> dict:
    ref = {"reference": f"{resource_type}/{fhir_id}"}
    if display:
        ref["display"] = display
    return ref


def patient_reference(patient) -> dict:
    return reference("Patient", str(patient.public_id))


def practitioner_reference(user) -> dict:
    return reference("Practitioner", staff_fhir_id(user.pk), user.display_name)


def coding(system: str, code: str, display: str = "") -> dict:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(text: str, *codings: dict) -> dict:
    """A CodeableConcept: the codings we can cite, and always the text as Haven says it."""
    found: dict[str, Any] = {}
    if codings:
        found["coding"] = list(codings)
    found["text"] = text
    return found


def instant(moment: datetime.datetime) -> str:
    """A FHIR instant/dateTime: stored datetimes are aware (UTC), so the offset is always given."""
    return moment.isoformat()


def day(date: datetime.date) -> str:
    return date.isoformat()


def number(value: Decimal | int | float) -> int | float:
    """A JSON number without trailing zeros: 12.0000 -> 12, 2.5000 -> 2.5."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def as_uuid(text: str) -> uuid.UUID | None:
    """The UUID an id asks for, or None when it is not one (a typed or guessed id is a miss, not an error)."""
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


def without_empty(resource: dict) -> dict:
    """FHIR forbids empty strings, lists and objects: drop them (one level deep, where the builders leave them)."""
    return {key: value for key, value in resource.items() if value not in ("", [], {}, None)}
