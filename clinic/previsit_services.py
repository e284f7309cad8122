"""Starting the clinician's visit note from an appointment's pre-visit summary."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from clinic.access.refusals import refuse_unless
from clinic.access.visit_notes import CLINICIANS_CHART, may_write_visit_note
from clinic.models import Appointment, User
from clinic.previsit import previsit_summary
from patients.models import Encounter
from patients.visit_from_summary import interval_history
from patients.visit_services import start_visit

#: The note's type for each kind of appointment.
NOTE_KIND: dict[str, str] = {
    Appointment.Kind.NEW: Encounter.Kind.INITIAL,
    Appointment.Kind.FOLLOW_UP: Encounter.Kind.FOLLOW_UP,
    Appointment.Kind.GROUP: Encounter.Kind.GROUP,
    Appointment.Kind.TELEHEALTH: Encounter.Kind.REMOTE,
}


@transaction.atomic
def start_note_from_summary(
    *, appointment: Appointment, by: User, audit: AuditContext | None = None
) -> tuple[Encounter, bool]:
    """(draft, created): ``by``'s draft visit note for the appointment, with the interval history drafted from
    the pre-visit summary in its findings (patients.visit_from_summary), linked to the appointment.

    Refused unless ``may_write_visit_note(by, appointment.patient)``. Preconditions: ``appointment`` was read
    through clinic.today.with_since with its patient. One draft per clinician and appointment: the appointment's
    row is locked, and a draft of theirs already linked to it is returned (created False) instead of a second.
    The note is dated the appointment's day, or today for an appointment still ahead (a note is never dated in
    the future). start_visit writes the audit event.
    """
    refuse_unless(may_write_visit_note(by, appointment.patient), CLINICIANS_CHART)
    Appointment.objects.select_for_update().filter(pk=appointment.pk).values_list("id", flat=True).get()
    existing = Encounter.objects.drafts().filter(appointment=appointment, author=by).order_by("-id").first()
    if existing is not None:
        return existing, False
    today = timezone.localdate()
    summary = previsit_summary(appointment, by, today=today)
    encounter = start_visit(
        patient=appointment.patient,
        by=by,
        audit=audit,
        occurred_on=min(timezone.localdate(appointment.starts_at), today),
        kind=NOTE_KIND.get(appointment.kind, Encounter.Kind.FOLLOW_UP),
        findings=interval_history(summary),
    )
    Encounter.objects.filter(pk=encounter.pk).update(appointment=appointment)
    encounter.appointment = appointment
    return encounter, True
