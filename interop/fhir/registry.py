"""Every FHIR resource type Haven emits, with the rows it is made from and the function that maps one row.

The bulk export and the read API both read RESOURCE_TYPES, so they emit the same resources. `rows(patients)`
gives the rows of a type for a set of patients (the whole clinic for None), ordered by pk and loaded with what
`to_fhir` reads, so mapping a row costs no query. Types that are not about one patient (Practitioner,
PractitionerRole, Questionnaire) give, for a set of patients, the rows those patients' resources refer to.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from patients.models import Patient

from . import people
from .values import as_uuid, staff_fhir_id


@dataclass(frozen=True)
class ResourceType:
    name: str  # "Patient", "Observation", ...
    # The rows of this type for these patients (the whole clinic when None), ordered by pk, with the
    # select_related/prefetch_related that to_fhir needs (no N+1).
    rows: Callable[[QuerySet[Patient] | None], QuerySet]
    to_fhir: Callable[[Any], dict]  # one row -> one FHIR resource as a JSON-ready dict
    fhir_id: Callable[[Any], str]  # the resource's id (a UUID or a stable string, never a sequential integer)
    patient_of: Callable[[Any], Patient | None] | None  # None for types not about one patient


def public_id(row) -> str:
    return str(row.public_id)


def itself(row) -> Patient:
    return row


def patient_attribute(row) -> Patient:
    return row.patient


RESOURCE_TYPES: dict[str, ResourceType] = {
    resource.name: resource
    for resource in (
        ResourceType("Patient", people.patient_rows, people.patient_to_fhir, public_id, itself),
        ResourceType(
            "Practitioner", people.staff_rows, people.practitioner_to_fhir, lambda user: staff_fhir_id(user.pk), None
        ),
        ResourceType(
            "PractitionerRole", people.staff_rows, people.practitioner_role_to_fhir, people.role_fhir_id, None
        ),
        ResourceType("CareTeam", people.care_team_rows, people.care_team_to_fhir, public_id, itself),
    )
}


def by_public_id(rows: QuerySet, fhir_id: str):
    wanted = as_uuid(fhir_id)
    return None if wanted is None else rows.filter(public_id=wanted).first()


def by_derived_id(rows: QuerySet, fhir_id: str, resource: ResourceType):
    """Staff ids are derived from the row id (values.staff_fhir_id): compare against each candidate's. The
    staff table is small (people, not patients), and only ids are read until the match is loaded."""
    if as_uuid(fhir_id) is None:
        return None
    for pk in rows.values_list("pk", flat=True):
        if resource.fhir_id(_Keyed(pk)) == fhir_id:
            return rows.filter(pk=pk).first()
    return None


class _Keyed:
    """Stands in for a staff row when only its pk is known (the derived id reads nothing else)."""

    def __init__(self, pk: int):
        self.pk = pk


DERIVED_IDS = frozenset({"Practitioner", "PractitionerRole"})


def find(name: str, fhir_id: str, patients: QuerySet[Patient] | None) -> Any | None:
    """The row of resource type `name` whose FHIR id is `fhir_id`, among these patients' rows (the whole
    clinic's for None); None for an unknown type or id, or one outside those patients."""
    resource = RESOURCE_TYPES.get(name)
    if resource is None:
        return None
    rows = resource.rows(patients)
    if name in DERIVED_IDS:
        return by_derived_id(rows, fhir_id, resource)
    return by_public_id(rows, fhir_id)
