"""Reading a referral's FHIR resources (interop.fhir_import.read_referral): what it maps, and the problem it names
for each kind of bad input. No database: nothing is written while reading."""

import datetime

import pytest

from interop.fhir_import import MAX_CHARACTERS, ReferralProblems, read_referral
from patients.models import Language, PainCondition, Sex
from tests.interop.fhir_in.referrals import (
    MRN_TYPE,
    as_text,
    bundle,
    condition,
    fhir_patient,
    medication,
    referral_bundle,
)

TODAY = datetime.date(2026, 12, 8)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ReferralProblems) as refused:
        read_referral(text, today=TODAY)
    return refused.value.problems


def test_it_maps_the_patient_to_the_registration_fields():
    details = read_referral(as_text(fhir_patient()), today=TODAY).details
    assert details["mrn"] == "300456"
    assert (details["given_name"], details["family_name"]) == ("Ana María", "Ruiz-Calderón")
    assert details["preferred_name"] == "Anita"
    assert details["date_of_birth"] == datetime.date(1958, 3, 2)
    assert details["sex"] == Sex.FEMALE
    assert details["email"] == "ana.ruiz@example.test"
    assert details["mobile"] == "+1 617 555 0199"  # the mobile, not the home phone
    assert details["preferred_language"] == Language.SPANISH
    assert details["primary_condition"] == PainCondition.OTHER


def test_it_never_reads_consent_to_be_contacted_from_a_referral():
    details = read_referral(as_text(fhir_patient()), today=TODAY).details
    assert details["consents_to_email"] is False
    assert details["consents_to_sms"] is False


def test_it_lists_a_bundles_conditions_and_medications_as_sent_and_names_what_it_leaves_out():
    referral = read_referral(as_text(referral_bundle()), today=TODAY)
    [fibromyalgia] = referral.conditions
    assert (fibromyalgia.words, fibromyalgia.codes, fibromyalgia.status) == (
        "Fibromyalgia",
        "urn:example:referral-codes|FM-1",
        "active",
    )
    [duloxetine] = referral.medications
    assert (duloxetine.words, duloxetine.dosage, duloxetine.status) == (
        "Duloxetine 30 mg capsule",
        "1 capsule daily",
        "active",
    )
    assert referral.left_out == ["Practitioner"]


@pytest.mark.parametrize(
    ("gender", "sex"), [("male", Sex.MALE), ("female", Sex.FEMALE), ("other", Sex.UNKNOWN), ("unknown", Sex.UNKNOWN)]
)
def test_administrative_gender_becomes_the_sex_for_cut_offs_or_unknown(gender, sex):
    assert read_referral(as_text(fhir_patient(gender=gender)), today=TODAY).details["sex"] == sex


def test_no_gender_is_unknown():
    assert read_referral(as_text(fhir_patient(gender=None)), today=TODAY).details["sex"] == Sex.UNKNOWN


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("{not json", "This is not JSON"),
        ("", "Paste the FHIR JSON"),
        ("[1, 2]", "is not a FHIR resource"),
        ('"Patient"', "is not a FHIR resource"),
        (as_text({"resourceType": "Observation"}), 'The resourceType is "Observation"'),
        (as_text({"name": "no type"}), "The resourceType is none"),
        (as_text(fhir_patient(gender="mal")), 'gender "mal" is not a FHIR administrative gender code'),
        (as_text(fhir_patient(name=None)), "The Patient has no name"),
        (as_text(fhir_patient(name=[{"family": "Ruiz"}])), "has no given name"),
        (as_text(fhir_patient(name=[{"given": ["Ana"]}])), "has no family name"),
        (as_text(fhir_patient(name="Ana Ruiz")), "Patient (entry 1), name: Input should be a valid list"),
        (as_text(fhir_patient(birthDate=None)), "no birth date"),
        (as_text(fhir_patient(birthDate="1958-02-30")), "Patient (entry 1), birthDate"),
        (as_text(fhir_patient(birthDate="1958")), "birth date is partial"),
        (as_text(fhir_patient(birthDate="2030-01-01")), "Patient.birthDate: The date of birth cannot be in the future"),
        (as_text(fhir_patient(birthDate=19580302)), "Patient (entry 1), birthDate"),
        (as_text(fhir_patient(identifier=[{"value": "300456"}])), "no medical record number"),
        (
            as_text(fhir_patient(identifier=[{"type": MRN_TYPE, "value": "3-0"}])),
            "Patient.identifier (type MR): Enter the MRN",
        ),
        (as_text(fhir_patient(telecom=[{"system": "email", "value": "not-an-address"}])), "Patient.telecom (email)"),
        (as_text(fhir_patient(favouriteColour="blue")), "favouriteColour: Extra inputs are not permitted"),
        (
            as_text(fhir_patient(contained=[{"resourceType": "NoSuchThing"}])),
            "could not be read as a FHIR R4B resource",
        ),
        (as_text({"resourceType": "Bundle", "entry": "x"}), "no entry list"),
        (as_text({"resourceType": "Bundle", "entry": [7]}), "Bundle entry 1 has no resource"),
        (as_text(bundle(condition("Migraine"), patient=fhir_patient()) | {"entry": []}), "holds no Patient resource"),
        (as_text(bundle(fhir_patient())), "holds 2 Patient resources"),
        (
            as_text(bundle({"resourceType": "Condition", "code": {"text": "x"}})),
            "Condition (entry 2), subject: Field required",
        ),
        (as_text(bundle({**medication("Naproxen"), "status": None})), "MedicationStatement (entry 2), status"),
        ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
    ],
)
def test_a_bad_or_partial_resource_gets_a_message_naming_the_problem(text, named):
    problems = problems_of(text)
    assert any(named in problem for problem in problems), problems


def test_too_long_a_text_is_refused_before_it_is_parsed():
    text = as_text(fhir_patient(text={"status": "generated", "div": "x" * MAX_CHARACTERS}))
    assert problems_of(text) == [f"The text is too long: at most {MAX_CHARACTERS:,} characters (it has {len(text):,})."]


def test_every_problem_of_a_resource_is_named_at_once():
    problems = problems_of(as_text(fhir_patient(birthDate=None, identifier=None, gender="x")))
    assert len(problems) == 3


def test_a_name_missing_both_parts_names_each():
    problems = problems_of(as_text(fhir_patient(name=[{"use": "official", "text": "Ana Ruiz"}])))
    assert problems == [
        "The Patient's name has no given name (Patient.name.given).",
        "The Patient's name has no family name (Patient.name.family).",
    ]


def test_control_characters_in_the_referrals_words_are_kept_out():
    text = as_text(bundle(condition("Fibro\u0000myalgia\nwidespread"), medication("Dulox\u0000etine", "1\tdaily")))
    referral = read_referral(text, today=TODAY)
    assert referral.conditions[0].words == "Fibro myalgia widespread"
    assert (referral.medications[0].words, referral.medications[0].dosage) == ("Dulox etine", "1 daily")


def test_a_nul_in_a_name_is_a_problem_not_an_error():
    problems = problems_of(as_text(fhir_patient(name=[{"given": ["A\u0000na"], "family": "Ruiz"}])))
    assert any(problem.startswith("Patient.name.given:") for problem in problems), problems
