"""Reading a referred patient from FHIR: a Patient resource, alone or in a Bundle with the patient's Condition and
MedicationStatement resources, parsed and validated with the fhir.resources R4B models (FHIR 4.3.0) and mapped to
the fields patient registration takes.

Nothing here writes to the database: ``read_referral`` either returns an ``IncomingReferral`` (what registration
would create, shown to the coordinator before anything is saved) or raises ``ReferralProblems`` listing every
problem found, each naming the resource and element at fault. The confirm step calls it again on the same text,
so nothing the browser sends back is trusted without being read again.

The app's own choices (no code in this module is a clinical code; each FHIR code below is from the FHIR R4B
specification itself, cited where it is used):

- The MRN is the Patient identifier whose type is "MR" (medical record number) in the HL7 identifier type
  code system http://terminology.hl7.org/CodeSystem/v2-0203 (https://terminology.hl7.org/CodeSystem-v2-0203.html,
  the type FHIR's Patient examples use for an MRN). It must fit the clinic's MRN format.
- Patient.gender is FHIR's administrative gender (http://hl7.org/fhir/R4B/valueset-administrative-gender.html:
  male | female | other | unknown). Haven's sex sets questionnaire cut-offs only, so "male" and "female" carry
  over and "other", "unknown" or no gender become Unknown (the app's own choice; the coordinator can change it).
- Contacts: the first email (ContactPoint.system "email") and the first mobile number (system "sms", or system
  "phone" with use "mobile"), by rank. Consent to be contacted is never read from FHIR: it is asked of the
  patient, so it starts unticked.
- The preferred language is Patient.communication's (the one marked preferred, else the first) when its
  language code names one of the registry's languages (patients.models.Language).
- Conditions and medications are kept as the referral words them (their text, or their coding's display, and
  the codes exactly as sent): Haven has no cited mapping from SNOMED CT, ICD-10-CM or RxNorm to its own lists,
  so nothing is guessed; a clinician reviews them into the chart (interop.fhir_import_services).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms

from patients.forms import PatientDetailsForm
from patients.models import Language, PainCondition, Sex

if TYPE_CHECKING:
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.medicationstatement import MedicationStatement
    from fhir.resources.R4B.patient import Patient as FhirPatient
    from fhir_core.fhirabstractmodel import FHIRAbstractModel
    from pydantic import ValidationError

MAX_CHARACTERS = 200_000  # a referral's patient with a few dozen conditions and medications is far smaller
MAX_LISTED = 50  # conditions, or medications, in one referral
MRN_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
MRN_TYPE_CODE = "MR"
SEXES = {"male": Sex.MALE, "female": Sex.FEMALE, "other": Sex.UNKNOWN, "unknown": Sex.UNKNOWN}
READ_TYPES = ("Patient", "Condition", "MedicationStatement")


@functools.cache
def fhir_models() -> dict[str, type[FHIRAbstractModel]]:
    """The R4B models, loaded when a referral is first read: they take 25 MB and 0.14 s to import, which every web
    worker, Celery worker and command would otherwise pay at start for a page coordinators open now and then."""
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.medicationstatement import MedicationStatement
    from fhir.resources.R4B.patient import Patient as FhirPatient

    return {"Patient": FhirPatient, "Condition": Condition, "MedicationStatement": MedicationStatement}


# Which FHIR element each registration field came from, to name it in a problem.
ELEMENTS = {
    "mrn": "Patient.identifier (type MR)",
    "given_name": "Patient.name.given",
    "family_name": "Patient.name.family",
    "preferred_name": "Patient.name (use usual or nickname).given",
    "date_of_birth": "Patient.birthDate",
    "sex": "Patient.gender",
    "email": "Patient.telecom (email)",
    "mobile": "Patient.telecom (mobile)",
    "preferred_language": "Patient.communication.language",
}


class ReferralProblems(ValueError):
    """The text is not a referral Haven can read; ``problems`` says every reason found, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ListedCondition:
    words: str
    codes: str  # "system|code" as sent, comma-separated; shown, never mapped
    status: str


@dataclass(frozen=True)
class ListedMedication:
    words: str
    codes: str
    dosage: str
    status: str


@dataclass
class IncomingReferral:
    """What registration would create: the registry fields, and the conditions and medications to review."""

    details: dict[str, Any]
    conditions: list[ListedCondition] = field(default_factory=list)
    medications: list[ListedMedication] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # resource types in the bundle that Haven does not read

    @property
    def mrn(self) -> str:
        return self.details["mrn"]


# --------------------------------------------------------------------------- reading the text


def read_referral(
    text: str, *, primary_condition: str = PainCondition.OTHER, today: date | None = None
) -> IncomingReferral:
    """Parse, validate and map a FHIR Patient (or a Bundle holding one); raises ReferralProblems."""
    resources, left_out = resources_in(parse_json(text))
    patients = [resource for _, resource in resources if resource["resourceType"] == "Patient"]
    if len(patients) != 1:
        found = "no Patient resource" if not patients else f"{len(patients)} Patient resources"
        raise ReferralProblems([f"The referral must hold exactly one Patient resource; it holds {found}."])
    from pydantic import ValidationError  # loaded with the models (fhir_models)

    problems: list[str] = []
    models: dict[str, list] = {kind: [] for kind in READ_TYPES}
    for number, resource in resources:
        kind = resource["resourceType"]
        try:
            models[kind].append(fhir_models()[kind].model_validate(resource))
        except ValidationError as invalid:
            problems.extend(validation_problems(resource["resourceType"], number, invalid))
        except (KeyError, TypeError, ValueError):  # the library's own errors for, say, an unknown contained type
            problems.append(f"{resource['resourceType']} (entry {number}) could not be read as a FHIR R4B resource.")
    if problems:
        raise ReferralProblems(problems)
    (patient,) = models["Patient"]
    conditions = [condition_listed(m) for m in models["Condition"]]
    medications = [medication_listed(m) for m in models["MedicationStatement"]]
    if len(conditions) > MAX_LISTED or len(medications) > MAX_LISTED:
        raise ReferralProblems([f"A referral can list at most {MAX_LISTED} conditions and {MAX_LISTED} medications."])
    details = registry_details(patient, primary_condition=primary_condition, today=today)
    return IncomingReferral(details=details, conditions=conditions, medications=medications, left_out=left_out)


def parse_json(text: str) -> dict:
    if len(text) > MAX_CHARACTERS:
        raise ReferralProblems([f"The text is too long: at most {MAX_CHARACTERS:,} characters (it has {len(text):,})."])
    if not text.strip():
        raise ReferralProblems(["Paste the FHIR JSON or choose a .json file."])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReferralProblems(
            [f"This is not JSON: {error.msg} at line {error.lineno}, column {error.colno}."]
        ) from None
    except RecursionError:
        raise ReferralProblems(["This JSON is nested too deeply to be a FHIR resource."]) from None
    if not isinstance(data, dict):
        raise ReferralProblems(["This JSON is not a FHIR resource: a resource is an object with a resourceType."])
    return data


def resources_in(data: dict) -> tuple[list[tuple[int, dict]], list[str]]:
    """The resources Haven reads, each with its place (a Patient alone is 1; a Bundle's Patient, Condition and
    MedicationStatement entries are numbered as entries), and the types of any other entries, left out."""
    kind = data.get("resourceType")
    if kind == "Patient":
        return [(1, data)], []
    if kind != "Bundle":
        named = f'"{kind}"' if isinstance(kind, str) and kind else "none"
        raise ReferralProblems(
            [f"The resourceType is {named[:60]}: Haven reads a Patient resource, or a Bundle that holds one."]
        )
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise ReferralProblems(["The Bundle has no entry list, so no Patient resource."])
    resources: list[tuple[int, dict]] = []
    left_out: list[str] = []
    for number, entry in enumerate(entries, start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise ReferralProblems([f"Bundle entry {number} has no resource with a resourceType."])
        if resource["resourceType"] in READ_TYPES:
            resources.append((number, resource))
        else:
            left_out.append(resource["resourceType"][:60])
    return resources, sorted(set(left_out))


def validation_problems(kind: str, number: int, invalid: ValidationError) -> list[str]:
    """One sentence per error the FHIR model found, naming the resource and the element (never echoing input)."""
    problems = []
    for error in invalid.errors()[:10]:  # the first ten: enough to fix, never a wall of text
        where = element_path(error.get("loc", ()))
        message = str(error.get("msg", "is not valid")).split("\n")[0]
        problems.append(f"{kind} (entry {number}), {where or 'the resource'}: {message}.")
    return problems


def element_path(location) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


# --------------------------------------------------------------------------- the Patient


def registry_details(patient: FhirPatient, *, primary_condition: str, today: date | None) -> dict[str, Any]:
    """The registration fields, checked by the registration form itself (formats, lengths, dates)."""
    problems: list[str] = []
    official, preferred = names_of(patient, problems)
    data = {
        "mrn": mrn_of(patient, problems),
        "given_name": official[0],
        "family_name": official[1],
        "preferred_name": preferred,
        "date_of_birth": birth_date_of(patient, problems),
        "sex": sex_of(patient, problems),
        "email": contact_of(patient, "email"),
        "mobile": contact_of(patient, "mobile"),
        "preferred_language": language_of(patient),
        "primary_condition": primary_condition,
    }
    if problems:
        raise ReferralProblems(problems)
    form = PatientDetailsForm(data, today=today)
    if not form.is_valid():
        raise ReferralProblems(form_problems(form))
    return form.details()


def form_problems(form: forms.Form) -> list[str]:
    problems: list[str] = []
    for name, errors in form.errors.items():
        element = ELEMENTS.get(name, "The referral")
        problems.extend(f"{element}: {error}" for error in errors)
    return problems


def names_of(patient: FhirPatient, problems: list[str]) -> tuple[tuple[str, str], str]:
    """(given, family) of the official name (else the first name not marked old), and a preferred given name."""
    names = [name for name in patient.name or [] if name.use != "old"]
    official = next((name for name in names if name.use == "official"), names[0] if names else None)
    if official is None:
        problems.append("The Patient has no name: Patient.name needs a given and a family name.")
        return ("", ""), ""
    given = " ".join(part.strip() for part in official.given or [] if part and part.strip())
    family = (official.family or "").strip()
    for part, value in (("given", given), ("family", family)):
        if not value:
            problems.append(f"The Patient's name has no {part} name (Patient.name.{part}).")
    usual = next((name for name in names if name.use in ("usual", "nickname") and name is not official), None)
    preferred = usual.given[0].strip() if usual and usual.given and usual.given[0] else ""
    return (given, family), "" if preferred == given else preferred


def mrn_of(patient: FhirPatient, problems: list[str]) -> str:
    values = [
        (identifier.value or "").strip()
        for identifier in patient.identifier or []
        if identifier.type
        and any(c.system == MRN_TYPE_SYSTEM and c.code == MRN_TYPE_CODE for c in identifier.type.coding or [])
    ]
    values = [value for value in values if value]
    if not values:
        problems.append(
            "The Patient has no medical record number: Haven reads the MRN from a Patient.identifier whose type "
            f"is {MRN_TYPE_CODE} ({MRN_TYPE_SYSTEM})."
        )
        return ""
    if len(set(values)) > 1:
        problems.append("The Patient has more than one medical record number (identifiers of type MR); keep one.")
    return values[0]


def birth_date_of(patient: FhirPatient, problems: list[str]) -> str:
    born = patient.birthDate
    if born is None:
        problems.append("The Patient has no birth date (Patient.birthDate).")
        return ""
    if not isinstance(born, date):  # FHIR allows a year or a year and month alone
        problems.append(f"The Patient's birth date is partial ({str(born)[:10]}): registration needs the full day.")
        return ""
    return born.isoformat()


def sex_of(patient: FhirPatient, problems: list[str]) -> str:
    gender = patient.gender
    if gender is None:
        return Sex.UNKNOWN
    if gender not in SEXES:
        problems.append(
            f'The Patient\'s gender "{str(gender)[:20]}" is not a FHIR administrative gender code '
            "(male, female, other or unknown)."
        )
        return Sex.UNKNOWN
    return SEXES[gender]


def contact_of(patient: FhirPatient, kind: str) -> str:
    points = sorted(
        (point for point in patient.telecom or [] if point.value and point.use != "old"),
        key=lambda point: point.rank or 1_000_000,
    )
    for point in points:
        if kind == "email" and point.system == "email":
            return str(point.value).strip()
        if kind == "mobile" and (point.system == "sms" or (point.system == "phone" and point.use == "mobile")):
            return str(point.value).strip()
    return ""


def language_of(patient: FhirPatient) -> str:
    spoken = sorted(patient.communication or [], key=lambda item: not item.preferred)
    known = set(Language.values) - {Language.OTHER}
    for item in spoken:
        for coding in item.language.coding or []:
            code = (coding.code or "").split("-")[0].lower()
            if code in known:
                return code
    return Language.ENGLISH


# --------------------------------------------------------------------------- conditions and medications


def shown(text, limit: int) -> str:
    """Text from the referral as Haven keeps it: one line, no control characters (Postgres refuses NUL), capped."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(text or "")).split())[:limit]


def concept_words(concept) -> tuple[str, str]:
    """(words, codes as sent) of a CodeableConcept: its text, else its first coding's display."""
    if concept is None:
        return "", ""
    codings = concept.coding or []
    words = concept.text or next((c.display for c in codings if c.display), "") or ""
    codes = ", ".join(f"{c.system or 'no system'}|{c.code}" for c in codings if c.code)
    return shown(words, 200), shown(codes, 300)


def status_code(concept) -> str:
    codings = concept.coding if concept is not None else None
    return shown(next((c.code for c in codings or [] if c.code), ""), 40)


def condition_listed(condition: Condition) -> ListedCondition:
    words, codes = concept_words(condition.code)
    return ListedCondition(words=words or "(no name given)", codes=codes, status=status_code(condition.clinicalStatus))


def medication_listed(statement: MedicationStatement) -> ListedMedication:
    words, codes = concept_words(statement.medicationCodeableConcept)
    if not words and statement.medicationReference is not None:
        words = shown(statement.medicationReference.display, 200)
    dosage = shown("; ".join(d.text for d in statement.dosage or [] if d.text), 300)
    return ListedMedication(
        words=words or "(no name given)", codes=codes, dosage=dosage, status=shown(statement.status, 40)
    )
