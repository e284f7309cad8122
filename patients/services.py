"""Registry workflows: registering a patient and changing their details, each audited.

Both refuse an MRN that another patient has (MRNs compare case-insensitively, as search does) and
stop at a possible duplicate (same name once case and accents are set aside, same date of birth)
until the user confirms that this is a different person.

Both check who asks themselves (clinic/access/patients.py) and raise ``Refused`` otherwise: coordinators and
clinic admins register patients and change their details; clinicians do neither.
"""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.patients import REGISTRARS_ONLY, may_change_patient_details, may_register_patients
from clinic.access.refusals import refuse_unless
from clinic.care_team_services import set_up_team
from clinic.models import User
from patients.models import Patient

DUPLICATES_SHOWN = 5
REGISTRATION_REASON = "Chosen at registration."
REQUIRED_FIELDS = ("mrn", "given_name", "family_name", "date_of_birth")
NAME_FIELDS = ("given_name", "family_name", "preferred_name")
OTHER_FIELDS = (
    "pronouns",
    "sex",
    "date_of_birth",
    "email",
    "mobile",
    "consents_to_email",
    "consents_to_sms",
    "preferred_channel",
    "preferred_language",
    "preferred_language_other",
    "referring_clinician",
    "primary_condition",
    "other_conditions",
)
DETAIL_FIELDS = ("mrn", *NAME_FIELDS, *OTHER_FIELDS)


class RegistrationRefused(Exception):
    """The details cannot be saved as they are (the subclass says why)."""


class MRNTaken(RegistrationRefused):
    def __init__(self, existing: Patient):
        super().__init__("Another patient already has this MRN.")
        self.existing = existing


class PossibleDuplicate(RegistrationRefused):
    def __init__(self, matches: list[Patient]):
        super().__init__("A patient with this name and date of birth is already registered.")
        self.matches = matches


def find_possible_duplicates(
    *, given_name: str, family_name: str, date_of_birth: date, exclude: Patient | None = None
) -> list[Patient]:
    """Up to DUPLICATES_SHOWN patients who may be this person: same normalised names, same birth date."""
    matches = Patient.objects.possible_duplicates(given=given_name, family=family_name, date_of_birth=date_of_birth)
    if exclude is not None:
        matches = matches.exclude(pk=exclude.pk)
    return list(matches.order_by("family_name", "given_name", "id")[:DUPLICATES_SHOWN])


def patient_with_mrn(mrn: str, *, exclude: Patient | None = None) -> Patient | None:
    others = Patient.objects.filter(mrn__iexact=mrn)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.first()


@transaction.atomic
def register_patient(
    *,
    by: User,
    audit: AuditContext | None = None,
    confirmed_new_person: bool = False,
    lead=None,
    team_members: Iterable = (),
    **fields,
) -> Patient:
    """Register a new patient and record who did it (audit action "create").

    Refused unless `by` may register patients (``may_register_patients``: coordinators and clinic admins).
    Preconditions: the fields have been checked by PatientDetailsForm (formats, dates, consents). mrn,
    given_name, family_name and date_of_birth are required; the rest take the model's defaults.

    `lead` (optional) and `team_members` (optional) are the patient's first care team, set in the same
    transaction by clinic.care_team_services (with its history and audit): a refusal there
    (clinic.care_team_services.CareTeamRefused, for example someone no longer an active clinician)
    registers nothing. A patient registered without a lead waits on the coordinators' worklist.

    Raises MRNTaken when another patient has the MRN, and PossibleDuplicate when a patient with the
    same name and date of birth exists, unless `confirmed_new_person`.
    """
    refuse_unless(may_register_patients(by), REGISTRARS_ONLY)
    check_fields(fields, required=REQUIRED_FIELDS)
    if existing := patient_with_mrn(fields["mrn"]):
        raise MRNTaken(existing)
    if not confirmed_new_person:
        refuse_possible_duplicates(fields["given_name"], fields["family_name"], fields["date_of_birth"])
    patient = Patient(**{name: value for name, value in fields.items() if name not in NAME_FIELDS})
    patient.set_names(
        given=fields["given_name"], family=fields["family_name"], preferred=fields.get("preferred_name", "")
    )
    save_unless_mrn_taken(patient, force_insert=True)
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target="patient registration")
    members = list(team_members)
    if lead is not None or members:
        set_up_team(patient=patient, lead=lead, members=members, by=by, reason=REGISTRATION_REASON, audit=audit)
    return patient


@transaction.atomic
def update_patient_details(
    *, patient: Patient, by: User, audit: AuditContext | None = None, confirmed_new_person: bool = False, **fields
) -> Patient:
    """Change a patient's registry details and record who did it (audit action "update").

    Refused unless `by` may change this patient's details (``may_change_patient_details``: who registers
    patients, for a patient they may see). Preconditions as for register_patient; only the fields given
    change. A changed MRN must be free; a changed name or date of birth that matches another patient
    raises PossibleDuplicate unless `confirmed_new_person`. The audit target names the changed fields,
    never their values.
    """
    refuse_unless(may_change_patient_details(by, patient), REGISTRARS_ONLY)
    check_fields(fields, required=())
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    before = {name: getattr(patient, name) for name in DETAIL_FIELDS}
    if (
        "mrn" in fields
        and fields["mrn"] != patient.mrn
        and (existing := patient_with_mrn(fields["mrn"], exclude=patient))
    ):
        raise MRNTaken(existing)
    for name in (*OTHER_FIELDS, "mrn"):
        if name in fields:
            setattr(patient, name, fields[name])
    patient.set_names(
        given=fields.get("given_name", patient.given_name),
        family=fields.get("family_name", patient.family_name),
        preferred=fields.get("preferred_name", patient.preferred_name),
    )
    changed = [name for name in DETAIL_FIELDS if getattr(patient, name) != before[name]]
    identity_changed = {"given_name", "family_name", "date_of_birth"} & set(changed)
    if identity_changed and not confirmed_new_person:
        refuse_possible_duplicates(patient.given_name, patient.family_name, patient.date_of_birth, exclude=patient)
    if changed:
        save_unless_mrn_taken(patient)
    target = f"patient details: {', '.join(changed)}" if changed else "patient details: no change"
    record_event(actor=by, context=audit, patient=patient, action=Action.UPDATE, target=target[:200])
    return patient


def refuse_possible_duplicates(given: str, family: str, born: date, *, exclude: Patient | None = None) -> None:
    if matches := find_possible_duplicates(given_name=given, family_name=family, date_of_birth=born, exclude=exclude):
        raise PossibleDuplicate(matches)


def check_fields(fields: dict, *, required: Iterable[str]) -> None:
    if unknown := set(fields) - set(DETAIL_FIELDS):
        raise TypeError(f"Not a registry field: {', '.join(sorted(unknown))}")
    if missing := [name for name in required if not fields.get(name)]:
        raise TypeError(f"Required: {', '.join(missing)}")


def save_unless_mrn_taken(patient: Patient, **kwargs) -> None:
    """Save; when another request took the MRN since the check (the unique index says so), say so."""
    try:
        with transaction.atomic():
            patient.save(**kwargs)
    except IntegrityError:
        existing = patient_with_mrn(patient.mrn, exclude=patient if patient.pk else None)
        if existing is None:
            raise
        raise MRNTaken(existing) from None
