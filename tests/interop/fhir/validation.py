"""Validate a resource the way a receiving system would: with the fhir.resources R4B models (pydantic 2).

R4B's models are used because fhir.resources 8 ships R5 (default), R4B and STU3 but no R4. R4B (4.3) differs from
R4 (4.0.1) mostly in resources Haven does not emit, and the elements Haven writes are the same in both; R5 changed
some of them (MedicationStatement.medication, Encounter.class), so R4B is the closest check of the R4 we promise."""

import json

from fhir.resources.R4B import get_fhir_model_class


def validate(resource: dict):
    """The parsed model; raises pydantic.ValidationError naming the first bad element."""
    # Through JSON, as a receiver reads it: a Python-only value (a date object, a Decimal) fails here.
    text = json.dumps(resource)
    return get_fhir_model_class(resource["resourceType"]).model_validate_json(text)
