"""Every type the mapping makes, through the API, on a full record: $everything pages through all of it once,
each resource in it reads back by its own URL (types made from several tables included: Condition,
Observation, Provenance), everything validates as R4B, and the psychotherapy note never leaves."""

from urllib.parse import urlsplit

from interop.fhir.registry import type_names
from tests.interop.fhir.records import PSYCHOTHERAPY_WORDS, answer_phq9, full_record
from tests.interop.fhir.validation import validate


def get(client, url: str, token: str):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}", headers={"Authorization": f"Bearer {token}"})


def walk_everything(client, patient, token: str, count: int) -> list[dict]:
    entries, url = [], f"/fhir/Patient/{patient.public_id}/$everything?_count={count}"
    while url:
        bundle = get(client, url, token).json()
        entries += bundle.get("entry", [])
        url = next((item["url"] for item in bundle["link"] if item["relation"] == "next"), None)
    return entries


def test_everything_of_a_full_record_walks_every_resource_once_and_each_reads_back(
    issue, client, physician, psychologist
):
    record = full_record(physician, psychologist)
    issued = issue(type_names(), patients=[record])

    entries = walk_everything(client, record, issued.token, count=4)

    urls = [entry["fullUrl"] for entry in entries]
    assert urls == [entry["fullUrl"] for entry in walk_everything(client, record, issued.token, count=200)]
    assert len(urls) == len(set(urls))
    assert {"Condition", "Observation", "Provenance", "QuestionnaireResponse"} <= {
        entry["resource"]["resourceType"] for entry in entries
    }
    for entry in entries:
        validate(entry["resource"])
        assert get(client, entry["fullUrl"], issued.token).json() == entry["resource"]
    assert PSYCHOTHERAPY_WORDS not in str(entries)


def test_a_search_pages_across_the_tables_one_type_is_made_from(issue, client, physician, psychologist):
    record = full_record(physician, psychologist)
    issued = issue(["Observation"], patients=[record])
    whole = get(client, "/fhir/Observation", issued.token).json()["entry"]

    pages, url = [], "/fhir/Observation?_count=1"
    while url:
        bundle = get(client, url, issued.token).json()
        pages.append([entry["fullUrl"] for entry in bundle.get("entry", [])])
        url = next((item["url"] for item in bundle["link"] if item["relation"] == "next"), None)

    assert [url for page in pages for url in page] == [entry["fullUrl"] for entry in whole]
    assert all(len(page) == 1 for page in pages) and len(pages) >= 2  # a score and a daily check-in at least


def test_everythings_queries_do_not_grow_with_the_record(
    issue, fhir, physician, psychologist, django_assert_num_queries
):
    small, large = full_record(physician, psychologist), full_record(physician, psychologist)
    for _ in range(3):
        answer_phq9(large)
    issued = issue(type_names(), patients=[small, large])
    with django_assert_num_queries(60, exact=False) as measured:  # one or two per table, whatever it holds
        fhir(f"/fhir/Patient/{small.public_id}/$everything", issued.token, _count="200")

    with django_assert_num_queries(len(measured.captured_queries)):
        fhir(f"/fhir/Patient/{large.public_id}/$everything", issued.token, _count="200")


def test_previous_links_walk_back_across_the_tables_to_the_first_page(issue, client, physician, psychologist):
    record = full_record(physician, psychologist)
    issued = issue(type_names(), patients=[record])
    forward, url, bundle = [], f"/fhir/Patient/{record.public_id}/$everything?_count=3", None
    while url:
        bundle = get(client, url, issued.token).json()
        forward.append([entry["fullUrl"] for entry in bundle["entry"]])
        url = next((item["url"] for item in bundle["link"] if item["relation"] == "next"), None)

    backward, url = [], next(item["url"] for item in bundle["link"] if item["relation"] == "previous")
    while url:
        bundle = get(client, url, issued.token).json()
        backward.append([entry["fullUrl"] for entry in bundle["entry"]])
        url = next((item["url"] for item in bundle["link"] if item["relation"] == "previous"), None)

    assert len(forward) >= 4
    assert backward == list(reversed(forward[:-1]))


def test_a_page_never_splits_the_resources_one_row_makes(issue, client, physician, psychologist):
    """A patient's pain conditions (primary and other) are Conditions made from the patient's one row."""
    record = full_record(physician, psychologist)  # a problem, low back pain and migraine: three Conditions
    issued = issue(["Condition"], patients=[record])

    for count in (1, 2):
        pages, url = [], f"/fhir/Condition?_count={count}"
        while url:
            bundle = get(client, url, issued.token).json()
            pages.append([entry["fullUrl"] for entry in bundle.get("entry", [])])
            url = next((item["url"] for item in bundle["link"] if item["relation"] == "next"), None)

        assert sorted(url for page in pages for url in page) == sorted(
            entry["fullUrl"] for entry in get(client, "/fhir/Condition", issued.token).json()["entry"]
        )
        assert len([url for page in pages for url in page]) == 3
