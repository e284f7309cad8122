"""The patient list and search page, /patients/?q= (full page and the htmx results partial)."""

import pytest
from django.urls import reverse

from tests.factories import CareTeamMemberFactory, PatientFactory

URL = reverse("patients:list")
EMPTY_SEARCH = b"No patient matches that search"
MORE_NOTE = b"Showing the first"


def names_in(response):
    return {patient.mrn for patient in response.context["patients"]}


def test_it_finds_a_patient_by_part_of_two_names_without_accents(signed_in, coordinator, patient, other_patient):
    response = signed_in(coordinator).get(URL, {"q": "garcia lop"})
    assert response.status_code == 200
    assert names_in(response) == {patient.mrn}
    assert "Garcia-López".encode() in response.content


def test_it_finds_a_patient_by_an_upper_case_accented_name(signed_in, coordinator, patient, other_patient):
    response = signed_in(coordinator).get(URL, {"q": "LÓPEZ"})
    assert names_in(response) == {patient.mrn}


def test_it_requires_every_word_of_the_query_to_match(signed_in, coordinator, patient, other_patient):
    response = signed_in(coordinator).get(URL, {"q": "maria becker"})
    assert names_in(response) == set()


def test_it_finds_a_patient_by_exact_mrn(signed_in, coordinator, patient, other_patient):
    response = signed_in(coordinator).get(URL, {"q": "100777"})
    assert names_in(response) == {other_patient.mrn}


@pytest.mark.parametrize("typed", ["1961-04-30", "04/30/1961"])
def test_it_finds_a_patient_by_date_of_birth(signed_in, coordinator, patient, typed):
    born = PatientFactory(born=True)
    response = signed_in(coordinator).get(URL, {"q": typed})
    assert names_in(response) == {born.mrn}


def test_it_answers_nonsense_with_the_kind_empty_message(signed_in, coordinator, patient):
    response = signed_in(coordinator).get(URL, {"q": "qzxvw"})
    assert response.status_code == 200
    assert EMPTY_SEARCH in response.content
    assert b"Check the spelling, or try the MRN or date of birth." in response.content


def test_it_cuts_a_very_long_query_to_a_safe_length(signed_in, coordinator, patient):
    response = signed_in(coordinator).get(URL, {"q": "garcia " + "x" * 5000})
    assert response.status_code == 200
    assert len(response.context["query"]) == 100
    assert EMPTY_SEARCH in response.content


def test_it_returns_only_the_results_to_an_htmx_request(signed_in, coordinator, patient):
    response = signed_in(coordinator).get(URL, {"q": "garcia"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "Garcia-López" in body
    assert "<html" not in body
    assert 'id="patient-search"' not in body


def test_it_returns_the_full_page_without_htmx(signed_in, coordinator, patient):
    response = signed_in(coordinator).get(URL, {"q": "garcia"})
    assert b"<html" in response.content
    assert b'id="patient-search"' in response.content
    assert b'value="garcia"' in response.content


def test_it_shows_at_most_fifty_and_says_so_when_there_are_more(signed_in, coordinator):
    PatientFactory.create_batch(51, family_name="Smith")
    response = signed_in(coordinator).get(URL, {"q": "smith"})
    assert len(response.context["patients"]) == 50
    assert response.content.count(b"/patients/") >= 50
    assert MORE_NOTE in response.content


def test_it_says_nothing_about_more_when_exactly_fifty_match(signed_in, coordinator):
    PatientFactory.create_batch(50, family_name="Smith")
    response = signed_in(coordinator).get(URL, {"q": "smith"})
    assert len(response.context["patients"]) == 50
    assert MORE_NOTE not in response.content


def test_it_shows_a_clinician_on_no_team_no_patients(signed_in, outsider, patient, other_patient):
    response = signed_in(outsider).get(URL)
    assert names_in(response) == set()
    assert patient.family_name.encode() not in response.content


def test_it_hides_a_matching_patient_from_a_clinician_on_no_team(signed_in, outsider, patient):
    response = signed_in(outsider).get(URL, {"q": patient.mrn})
    assert names_in(response) == set()
    assert EMPTY_SEARCH in response.content


def test_it_shows_a_clinician_only_their_team_patients(signed_in, physician, patient, other_patient):
    response = signed_in(physician).get(URL)
    assert names_in(response) == {patient.mrn}
    assert other_patient.family_name.encode() not in response.content


def test_it_shows_a_coordinator_every_patient(signed_in, coordinator, patient, other_patient):
    response = signed_in(coordinator).get(URL)
    assert names_in(response) == {patient.mrn, other_patient.mrn}


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_runs_the_same_number_of_queries_for_one_patient_or_sixty(
    signed_in, coordinator, patient, django_assert_max_num_queries
):
    client = signed_in(coordinator)
    client.get(URL)  # the first page after sign-in also notes the session's start
    with django_assert_max_num_queries(5) as one:
        client.get(URL)
    PatientFactory.create_batch(59)
    with django_assert_max_num_queries(5) as sixty:
        response = client.get(URL)
    assert len(response.context["patients"]) == 50
    assert len(one) == len(sixty), [q["sql"][:80] for q in sixty.captured_queries]


def test_it_runs_the_same_number_of_queries_for_a_clinician_with_one_patient_or_sixty(
    signed_in, physician, patient, django_assert_max_num_queries
):
    client = signed_in(physician)
    client.get(URL, {"q": "a"})
    with django_assert_max_num_queries(5) as one:
        client.get(URL, {"q": "a"})
    for other in PatientFactory.create_batch(59, given_name="Jana"):
        CareTeamMemberFactory(patient=other, member=physician)
    with django_assert_max_num_queries(5) as sixty:
        response = client.get(URL, {"q": "a"})
    assert len(response.context["patients"]) == 50
    assert len(one) == len(sixty), [q["sql"][:80] for q in sixty.captured_queries]


@pytest.mark.parametrize(
    "odd",
    [
        "O'Brien",
        '"Garcia"',
        "'; DROP TABLE patients_patient; --",
        "100%",
        "%",
        "_",
        "\\",
        "García_López%",
        "<script>alert(1)</script>",
        "ガルシア",
        "😀",
        "\u0301",
        "\x00",
        "garcia\x00lopez",
        "13/45/2020",
        "0000-00-00",
        "12345678901234567890123",
    ],
)
def test_it_answers_odd_input_calmly_and_never_with_an_error(signed_in, coordinator, patient, odd):
    response = signed_in(coordinator).get(URL, {"q": odd})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_it_treats_percent_and_underscore_as_plain_characters(signed_in, coordinator, patient, other_patient):
    client = signed_in(coordinator)
    assert names_in(client.get(URL, {"q": "%"})) == set()
    assert names_in(client.get(URL, {"q": "_"})) == set()


def test_it_records_one_audit_event_per_list_view_naming_the_kind_of_search_not_the_words(
    signed_in, coordinator, patient
):
    from audit.models import AuditEvent

    client = signed_in(coordinator)
    client.get("/patients/", {"q": "garcia"})
    client.get("/patients/", {"q": "100234"})
    client.get("/patients/")
    targets = list(AuditEvent.objects.filter(actor=coordinator).order_by("id").values_list("target", flat=True))
    assert targets == ["patient list, search by name", "patient list, search by MRN", "patient list"]
    assert not AuditEvent.objects.filter(target__icontains="garcia").exists()
