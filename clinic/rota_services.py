"""The on-duty rota, staff away and the clinic's medical lead: who may change them, the changes, and the
Team page's overview. Coordinators and clinic admins keep the rota; anyone marks themselves away
(coordinators and admins mark others); clinic admins name the medical lead.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from clinic.access.staff import may_keep_rota, may_mark_away, may_name_medical_lead
from clinic.models import DutyShift, StaffAbsence, User
from clinic.roles import Role


@transaction.atomic
def set_shift(*, on: date, slot: str, clinician: User | None, by: User) -> DutyShift | None:
    """Put ``clinician`` on the slot (replacing whoever was), or leave a gap when None."""
    if not may_keep_rota(by):
        raise PermissionDenied("Coordinators and clinic admins keep the rota.")
    if clinician is None:
        DutyShift.objects.filter(on=on, slot=slot).delete()
        return None
    if clinician.role != Role.CLINICIAN or not clinician.is_active:
        raise ValueError("Only an active clinician can be on duty.")
    shift, _ = DutyShift.objects.update_or_create(
        on=on, slot=slot, defaults={"clinician": clinician, "set_by": by, "set_at": timezone.now()}
    )
    return shift


@transaction.atomic
def mark_away(*, staff: User, starts_on: date, ends_on: date, note: str = "", by: User) -> StaffAbsence:
    if not may_mark_away(by, staff):
        raise PermissionDenied("You can mark yourself away; coordinators and clinic admins mark others.")
    if ends_on < starts_on:
        raise ValueError("The last day cannot be before the first day.")
    return StaffAbsence.objects.create(staff=staff, starts_on=starts_on, ends_on=ends_on, note=note, recorded_by=by)


@transaction.atomic
def end_absence(*, absence: StaffAbsence, by: User) -> None:
    """Back early (or a mistake): an absence that has started ends yesterday; one that has not is removed."""
    if not may_mark_away(by, absence.staff):
        raise PermissionDenied("You can change your own time away; coordinators and clinic admins change others'.")
    today = timezone.localdate()
    if absence.starts_on >= today:
        absence.delete()
    else:
        StaffAbsence.objects.filter(pk=absence.pk).update(ends_on=today - timedelta(days=1))


@transaction.atomic
def set_medical_lead(*, clinician: User, by: User) -> None:
    if not may_name_medical_lead(by):
        raise PermissionDenied("Clinic admins name the medical lead.")
    if clinician.role != Role.CLINICIAN or not clinician.is_active:
        raise ValueError("The medical lead must be an active clinician.")
    User.objects.filter(is_medical_lead=True).exclude(pk=clinician.pk).update(is_medical_lead=False)
    User.objects.filter(pk=clinician.pk).update(is_medical_lead=True)
