"""Patients: who may see which patient, one rule used for single objects and for lists alike.

Coordinators and clinic admins see every patient (they register and route them); a clinician
sees the patients whose care team they are on, and a patient about whom they have been given an
open task (the on-duty clinician receiving an urgent alert for a patient with no lead must be
able to open the chart). Anyone else sees none. Outsiders get a 404,
never a 403, so a patient's existence is not revealed; the 404 (audit.refusals.NotVisible) carries the
id that was asked for, and the refused attempt is audited.

Coordinators and clinic admins register patients and change their registry details; coordinators send
patient links (the intake's). Clinicians do neither.
"""

from django.db.models import Exists, OuterRef, QuerySet

from audit.refusals import NotVisible
from clinic.models import CareTeamMember, TeamTask
from clinic.roles import Role
from patients.models import Patient

CHART_PERMISSION = "clinic.chart_clinical_notes"
# Set on a patient by get_patient_for_user: the user it was reached by (read by is_on_team).
VISIBLE_TO = "_haven_visible_to_user_id"


def patients_visible_to(user) -> QuerySet[Patient]:
    if not (user.is_authenticated and user.is_active):
        return Patient.objects.none()
    if user.sees_every_patient:
        return Patient.objects.all()
    on_team = CareTeamMember.objects.filter(patient=OuterRef("pk"), member=user).values("pk")
    tasked = TeamTask.objects.filter(patient=OuterRef("pk"), assignee=user, status=TeamTask.Status.OPEN).values("pk")
    # One EXISTS over both, not two EXISTS joined by OR: Postgres turns an OR of EXISTS into hash tables of the
    # person's whole caseload (25,000 care-team rows for a bench lead, 12 ms) even when the page wants 26 rows;
    # an EXISTS over a UNION is probed patient by patient through the (member, patient) indexes (0.6 ms).
    return Patient.objects.filter(Exists(on_team.union(tasked, all=True)))


def may_see_patient(user, patient) -> bool:
    """The single-object form of ``patients_visible_to``, for a patient reached some other way than
    ``get_patient_for_user`` (through a task, a referral, a note): every other object's rule starts here."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.sees_every_patient or getattr(patient, VISIBLE_TO, None) == user.pk:
        return True
    return patients_visible_to(user).filter(pk=patient.pk).exists()


def is_on_team(user, patient) -> bool:
    """On the patient's care team, or, for a clinician, holding an open task about the patient (the on-duty
    clinician for a patient with no lead): both count.

    A patient this user reached through ``get_patient_for_user`` carries that proof, so pages ask with no query;
    a patient from anywhere else (a task, a command, the admin) is checked against the database.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if not user.sees_every_patient:
        return may_see_patient(user, patient)
    return CareTeamMember.objects.filter(patient=patient, member=user).exists()


def is_team_clinician(user, patient) -> bool:
    """A clinician with access to the patient: who takes clinical acts (acknowledging alerts and red flags,
    reviewing early warnings, recording monitoring). Coordinators and clinic admins read only."""
    return bool(user.is_active and user.role == Role.CLINICIAN and is_on_team(user, patient))


def may_chart(user, patient) -> bool:
    """A clinician with access who may chart clinical notes: changes the problem list, the plan, the logs."""
    return is_team_clinician(user, patient) and user.has_perm(CHART_PERMISSION)


def get_patient_for_user(user, public_id) -> Patient:
    try:
        patient = patients_visible_to(user).get(public_id=public_id)
    except Patient.DoesNotExist:
        raise NotVisible("patient", public_id, "No such patient.") from None
    setattr(patient, VISIBLE_TO, user.pk)  # the proof is_on_team reads: this user may see this patient
    return patient


# --------------------------------------------------------------------------- the registry and patient links

REGISTER_PERMISSION = "patients.register_patient"
SEND_LINKS_PERMISSION = "clinic.send_patient_links"
REGISTRARS_ONLY = "Coordinators and clinic admins register patients and change their details."
LINK_SENDERS_ONLY = "Coordinators send patient links."


def may_register_patients(user) -> bool:
    """Register a patient: coordinators and clinic admins (their groups hold ``patients.register_patient``)."""
    return bool(user.is_active and user.has_perm(REGISTER_PERMISSION))


def may_offer_registration(user) -> bool:
    """Whether to show the "Register a patient" link, without loading permissions (two queries).

    The roles whose groups hold ``patients.register_patient`` (clinic/roles.py, migration 0002 in clinic)
    are the ones that see every patient; registering itself asks ``may_register_patients``.
    """
    return user.sees_every_patient


def may_change_patient_details(user, patient) -> bool:
    """Change a patient's registry details: who registers patients, for a patient they may see."""
    return may_register_patients(user) and may_see_patient(user, patient)


def may_send_patient_links(user, patient) -> bool:
    """Send the patient a portal link (the intake's): coordinators (``clinic.send_patient_links``)."""
    return bool(user.is_active and user.has_perm(SEND_LINKS_PERMISSION)) and may_see_patient(user, patient)
