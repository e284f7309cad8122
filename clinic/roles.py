"""Roles, disciplines and the permission groups they imply.

A person's permissions come only from their role and discipline: the groups are created (with
their permissions) by a data migration, and membership is derived here, never stored, so it
cannot drift from the staff record.
"""

from django.db import models


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    COORDINATOR = "coordinator", "Care coordinator"
    ADMIN = "admin", "Clinic admin"


class Discipline(models.TextChoices):
    PHYSICIAN = "physician", "Physician"
    NURSE_PRACTITIONER = "nurse_practitioner", "Nurse practitioner"
    NURSE = "nurse", "Nurse"
    PHYSICAL_THERAPIST = "physical_therapist", "Physical therapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    PHARMACIST = "pharmacist", "Pharmacist"
    SOCIAL_WORKER = "social_worker", "Social worker"
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"


PRESCRIBING_DISCIPLINES = frozenset({Discipline.PHYSICIAN, Discipline.NURSE_PRACTITIONER})

# The groups' permissions are created by clinic/migrations/0002_role_groups.py.
ROLE_GROUPS = {
    Role.CLINICIAN: "Clinicians",
    Role.COORDINATOR: "Coordinators",
    Role.ADMIN: "Clinic admins",
}


def groups_for(role: str, discipline: str) -> list[str]:
    """The permission groups a person with this role and discipline belongs to."""
    groups = [ROLE_GROUPS[Role(role)]]
    if role == Role.CLINICIAN and discipline in PRESCRIBING_DISCIPLINES:
        groups.append("Prescribers")
    if role == Role.CLINICIAN and discipline == Discipline.PHARMACIST:
        groups.append("Pharmacists")
    return groups
