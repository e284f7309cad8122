"""Provenance: who changed a resource, when and how, from the history rows Haven keeps for it (a referral's
events, a task's events, an appointment's events, a care plan's changes, a medication line's changes).

One Provenance per history row. Its id is the changed resource's id and the row's number in that resource's
history ("<uuid>-3"), so it is stable (history rows are only appended, stamped with the time they are written)
and shows no row id.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Model, OuterRef, Q, QuerySet, Subquery

from careplans.models import PlanChange
from clinic.models import AppointmentEvent, ReferralEvent, TeamTaskEvent
from medications.models import MedicationChange
from patients.models import Patient

from .values import as_uuid, coding, concept, instant, practitioner_reference, reference

# HL7 v3 DataOperation (http://terminology.hl7.org/CodeSystem/v3-DataOperation), the value set FHIR R4 names
# for Provenance.activity: CREATE and UPDATE.
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
CREATE = coding(DATA_OPERATION, "CREATE", "create")
UPDATE = coding(DATA_OPERATION, "UPDATE", "revise")
SYSTEM_AGENT = {"display": "Haven (automatic)"}


@dataclass(frozen=True)
class History:
    """One kind of history row: its model, the field naming the row it changed, that row's FHIR type, and how
    to word a history row (and tell whether it records the creation)."""

    model: type[Model]
    parent: str  # "referral", "task", ...
    target_type: str  # "ServiceRequest", ...
    activity: Callable[[Any], tuple[str, bool]]  # a history row -> (what happened in words, was it the creation)
    parent_filter: Callable[[QuerySet], QuerySet] = lambda rows: rows

    def rows(self, patients: QuerySet[Patient] | None) -> QuerySet:
        rows = self.parent_filter(self.model._default_manager.all()).select_related(f"{self.parent}__patient", "by")
        if patients is not None:
            rows = rows.filter(**{f"{self.parent}__patient__in": patients})
        return rows.annotate(history_number=self.number_in_history()).order_by("pk")

    def number_in_history(self) -> Subquery:
        """The row's place in its resource's history (1 for the first), counted by a subquery rather than a window
        function, so that it stays the same whatever filter a caller adds to the rows (a window would number only
        the rows left after the filter)."""
        parent = f"{self.parent}_id"
        earlier = self.model._default_manager.filter(
            Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lte=OuterRef("pk")), **{parent: OuterRef(parent)}
        )
        return Subquery(earlier.order_by().values(parent).annotate(number=Count("pk")).values("number"))

    def parent_of(self, row):
        return getattr(row, self.parent)

    def fhir_id(self, row) -> str:
        return f"{self.parent_of(row).public_id}-{row.history_number}"

    def patient_of(self, row) -> Patient:
        return self.parent_of(row).patient

    def narrow(self, rows: QuerySet, fhir_id: str) -> QuerySet | None:
        """The rows that could have this id (those of the resource it names), or None for an id of another shape."""
        head, _, tail = fhir_id.rpartition("-")
        wanted = as_uuid(head)
        if wanted is None or not tail.isdigit():
            return None
        return rows.filter(**{f"{self.parent}__public_id": wanted})

    def to_fhir(self, row) -> dict:
        parent = self.parent_of(row)
        who = practitioner_reference(row.by) if row.by is not None else SYSTEM_AGENT
        words, created = self.activity(row)
        return {
            "resourceType": "Provenance",
            "id": self.fhir_id(row),
            "target": [reference(self.target_type, str(parent.public_id))],
            "recorded": instant(row.at),
            "activity": concept(words, CREATE if created else UPDATE),
            "agent": [{"who": who}],
        }


def referral_step(event: ReferralEvent) -> tuple[str, bool]:
    to_state = event.get_to_state_display()
    if not event.from_state:
        return f"Referral written ({to_state})", True
    if event.from_state == event.to_state:
        return "Referral details changed", False
    return f"Referral {event.get_from_state_display().lower()} -> {to_state.lower()}", False


def kind_is(created: str) -> Callable[[Any], tuple[str, bool]]:
    """For history rows with a `kind`: its words, and whether it is the kind that records the creation."""

    def activity(row) -> tuple[str, bool]:
        return row.get_kind_display(), row.kind == created

    return activity


REFERRAL_HISTORY = History(ReferralEvent, "referral", "ServiceRequest", referral_step)
TASK_HISTORY = History(
    TeamTaskEvent,
    "task",
    "Task",
    kind_is(TeamTaskEvent.Kind.CREATED),
    # Only tasks about a patient are exported (work.task_rows), so only their history is.
    lambda rows: rows.filter(task__patient__isnull=False),
)
APPOINTMENT_HISTORY = History(AppointmentEvent, "appointment", "Appointment", kind_is(AppointmentEvent.Kind.BOOKED))
PLAN_HISTORY = History(PlanChange, "plan", "CarePlan", kind_is(PlanChange.Kind.CREATED))
MEDICATION_HISTORY = History(
    MedicationChange, "medication", "MedicationStatement", kind_is(MedicationChange.Kind.ADDED)
)
HISTORIES = (REFERRAL_HISTORY, TASK_HISTORY, APPOINTMENT_HISTORY, PLAN_HISTORY, MEDICATION_HISTORY)
