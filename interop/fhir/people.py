"""Patient, Practitioner, PractitionerRole and CareTeam: who the patient is, and who looks after them."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from clinic.models import CareTeamMember, User
from patients.models import Language, Patient
from patients.models import Sex as PatientSex

from .references import staff_named_by
from .values import coding, concept, patient_reference, practitioner_reference, staff_fhir_id, without_empty

# FHIR's own code systems (https://hl7.org/fhir/R4/valueset-administrative-gender.html,
# https://terminology.hl7.org/CodeSystem-v2-0203.html for "MR", medical record number).
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
LANGUAGE_SYSTEM = "urn:ietf:bcp:47"

# The registry's sex is recorded for questionnaire cut-offs only; it is the nearest thing Haven holds to
# FHIR's administrative gender, so it is sent as that (the app's own choice), and "unknown" stays unknown.
ADMINISTRATIVE_GENDER: dict[str, str] = {
    PatientSex.FEMALE: "female",
    PatientSex.MALE: "male",
    PatientSex.UNKNOWN: "unknown",
}


# --------------------------------------------------------------------------- Patient


def patient_rows(patients: QuerySet[Patient] | None) -> QuerySet[Patient]:
    return (Patient.objects.all() if patients is None else patients).order_by("pk")


def patient_names(patient: Patient) -> list[dict]:
    names = [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}]
    if patient.preferred_name:
        names.append({"use": "usual", "given": [patient.preferred_name], "family": patient.family_name})
    return names


def patient_telecom(patient: Patient) -> list[dict]:
    telecom = []
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if patient.mobile:
        telecom.append({"system": "phone", "value": patient.mobile, "use": "mobile"})
    return telecom


def patient_language(patient: Patient) -> dict:
    # Haven's language values are ISO 639 codes ("en", "cmn", "ase"), which are BCP-47 language tags; "other"
    # is not, so it goes as text alone.
    if patient.preferred_language == Language.OTHER:
        return {"language": concept(patient.language), "preferred": True}
    language = coding(LANGUAGE_SYSTEM, patient.preferred_language, patient.get_preferred_language_display())
    return {"language": concept(patient.language, language), "preferred": True}


def patient_to_fhir(patient: Patient) -> dict:
    return without_empty(
        {
            "resourceType": "Patient",
            "id": str(patient.public_id),
            "identifier": [
                {
                    "use": "usual",
                    "type": concept("Medical record number", coding(IDENTIFIER_TYPE, "MR")),
                    "value": patient.mrn,
                }
            ],
            "active": True,
            "name": patient_names(patient),
            "telecom": patient_telecom(patient),
            "gender": ADMINISTRATIVE_GENDER.get(patient.sex, "unknown"),
            "birthDate": patient.date_of_birth.isoformat(),
            "communication": [patient_language(patient)],
        }
    )


# --------------------------------------------------------------------------- Practitioner and PractitionerRole


def staff_rows(patients: QuerySet[Patient] | None) -> QuerySet[User]:
    """Every member of staff, or those the patients' resources name (see references.staff_named_by)."""
    users = User.objects.all() if patients is None else User.objects.filter(staff_named_by(patients))
    return users.defer("password").order_by("pk")  # never needed, so never read


def practitioner_to_fhir(user: User) -> dict:
    name = without_empty({"family": user.last_name, "given": [user.first_name] if user.first_name else []})
    if not name:
        name = {"text": user.username}
    qualification = [{"code": concept(user.credentials)}] if user.credentials else []
    return without_empty(
        {
            "resourceType": "Practitioner",
            "id": staff_fhir_id(user.pk),
            "active": user.is_active,
            "name": [name],
            "qualification": qualification,
        }
    )


def role_fhir_id(user: User) -> str:
    # The one role each person holds at the clinic, in an id space of its own.
    return staff_fhir_id(user.pk, kind="role")


def practitioner_role_to_fhir(user: User) -> dict:
    # Disciplines are sent as text: no code for them is cited in REFERENCE.md.
    return {
        "resourceType": "PractitionerRole",
        "id": role_fhir_id(user),
        "active": user.is_active,
        "practitioner": practitioner_reference(user),
        "code": [concept(user.get_discipline_display())],
    }


# --------------------------------------------------------------------------- CareTeam (one per patient)


def care_team_rows(patients: QuerySet[Patient] | None) -> QuerySet[Patient]:
    members = CareTeamMember.objects.select_related("member").order_by("-is_lead", "added_at", "pk")
    return (
        patient_rows(patients)
        .filter(Exists(CareTeamMember.objects.filter(patient=OuterRef("pk"))))
        .prefetch_related(Prefetch("care_team", queryset=members))
    )


def care_team_participant(membership: CareTeamMember) -> dict:
    member = membership.member
    role = (
        f"Lead clinician ({member.get_discipline_display()})" if membership.is_lead else member.get_discipline_display()
    )
    return {
        "role": [concept(role)],
        "member": practitioner_reference(member),
        "period": {"start": membership.added_at.isoformat()},
    }


def care_team_to_fhir(patient: Patient) -> dict:
    return {
        "resourceType": "CareTeam",
        "id": str(patient.public_id),
        "status": "active",
        "name": "Care team",
        "subject": patient_reference(patient),
        "participant": [care_team_participant(m) for m in patient.care_team.all()],
    }
