"""The demo clinic's safety net: a medical lead, a rota from yesterday for two weeks with no gap, and one
clinician away (a lead, so their patients' urgent work visibly routes to the clinician on duty)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clinic import duty
from clinic.models import DutyShift, StaffAbsence, User
from clinic.safety_net import clinic_hours

MEDICAL_LEAD = "amara.okonkwo"
AWAY = "rafael.mendoza"
AWAY_NOTE = "At a conference; Priya Raman covers his patients."
# Clinic hours alternate between the nurse practitioner and the nurse; after hours between the two
# prescribers who are not away.
CLINIC_HOURS_ROTA = ("priya.raman", "hannah.kowalski")
AFTER_HOURS_ROTA = ("amara.okonkwo", "priya.raman")
ROTA_DAYS = 14


@transaction.atomic
def seed_duty() -> int:
    """Name the medical lead, fill the rota's missing slots and mark one clinician away; returns the number
    of rota slots added (0 when the demo already has them)."""
    people = {
        user.username: user
        for user in User.objects.filter(username__in={MEDICAL_LEAD, AWAY, *CLINIC_HOURS_ROTA, *AFTER_HOURS_ROTA})
    }
    if MEDICAL_LEAD not in people:
        return 0
    if not User.objects.filter(is_medical_lead=True).exists():
        User.objects.filter(pk=people[MEDICAL_LEAD].pk).update(is_medical_lead=True)
    today = timezone.localdate()
    hours = clinic_hours()
    filled = set(DutyShift.objects.filter(on__gte=today - timedelta(days=1)).values_list("on", "slot"))
    shifts = []
    for offset in range(-1, ROTA_DAYS):
        day = today + timedelta(days=offset)
        for slot in duty.slots_of(day, hours):
            if (day, slot) in filled:
                continue
            rota = CLINIC_HOURS_ROTA if slot == duty.CLINIC_HOURS else AFTER_HOURS_ROTA
            shifts.append(DutyShift(on=day, slot=slot, clinician=people[rota[day.toordinal() % 2]]))
    DutyShift.objects.bulk_create(shifts)
    if AWAY in people and not StaffAbsence.objects.filter(staff=people[AWAY], ends_on__gte=today).exists():
        StaffAbsence.objects.create(
            staff=people[AWAY], starts_on=today, ends_on=today + timedelta(days=4), note=AWAY_NOTE
        )
    return len(shifts)
