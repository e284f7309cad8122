"""PatientQuerySet.search: name words (partial, case- and accent-free), MRN (exact), date of birth."""

import datetime

import pytest

from patients.models import Patient
from tests.factories import PatientFactory


def found(query):
    return set(Patient.objects.search(query).values_list("mrn", flat=True))


@pytest.fixture
def registry(patient, other_patient):
    """Maria Garcia-López ("Mari", 100234), Tom Becker (100777), and Lopez Becker born 1961-04-30."""
    born = PatientFactory(given_name="Ana", family_name="Lopez Becker", mrn="200001", born=True)
    return {"maria": patient.mrn, "tom": other_patient.mrn, "ana": born.mrn}


def test_it_finds_a_patient_from_the_start_of_two_names(registry):
    assert found("garcia lop") == {registry["maria"]}


def test_it_ignores_case_and_accents_in_the_query(registry):
    assert found("LÓPEZ") == {registry["maria"], registry["ana"]}
    assert found("lopez") == {registry["maria"], registry["ana"]}
    assert found("GARCÍA-LÓPEZ") == {registry["maria"]}


def test_it_matches_any_part_of_a_name(registry):
    assert found("arcia") == {registry["maria"]}


def test_it_finds_a_patient_by_preferred_name(registry):
    assert found("mari") == {registry["maria"]}


def test_it_requires_every_word_to_match(registry):
    assert found("lopez becker") == {registry["ana"]}
    assert found("maria becker") == set()


def test_it_matches_an_mrn_exactly_and_not_in_part(registry):
    assert found("100234") == {registry["maria"]}
    assert found("10023") == set()


def test_it_finds_a_date_of_birth_in_iso_form(registry):
    assert found("1961-04-30") == {registry["ana"]}


def test_it_finds_a_date_of_birth_in_us_form(registry):
    assert found("04/30/1961") == {registry["ana"]}


def test_it_returns_everyone_for_an_empty_query(registry):
    assert found("   ") == set(registry.values())


def test_it_finds_nothing_for_nonsense(registry):
    assert found("qzxvw") == set()


def test_it_treats_percent_and_underscore_as_plain_characters(registry):
    assert found("%") == set()
    assert found("_") == set()
    assert found("garc%a") == set()


def test_it_survives_a_nul_character_in_the_query(registry):
    assert found("garcia\x00") == {registry["maria"]}


@pytest.mark.django_db
def test_it_does_not_confuse_an_impossible_date_with_a_birthday():
    PatientFactory(date_of_birth=datetime.date(1980, 2, 28))
    assert found("02/30/1980") == set()


def test_a_hyphenated_name_is_found_typed_with_a_space_and_the_other_way_round(db):
    hyphenated = PatientFactory(given_name="Ana", family_name="Ruiz-Soto")
    spaced = PatientFactory(given_name="Luis", family_name="Peña Vidal")
    assert list(Patient.objects.search("ruiz soto")) == [hyphenated]
    assert list(Patient.objects.search("pena-vidal")) == [spaced]
