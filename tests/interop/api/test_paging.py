"""Searchset Bundles are paged by keyset: following `next` from the first page reads every row exactly once,
`previous` walks back, the page size is bounded, a forged page link is refused, and a page costs the same
number of queries whatever it holds."""

from urllib.parse import urlsplit

from fhir.resources.R4B.bundle import Bundle

from interop.api.paging import MAX_COUNT
from tests.factories import CareTeamMemberFactory, PatientFactory


def relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def link(bundle: dict, relation: str) -> str | None:
    return next((relative(item["url"]) for item in bundle["link"] if item["relation"] == relation), None)


def walk(client, first: str, token: str, relation: str) -> list[list[str]]:
    pages, url = [], first
    while url:
        bundle = client.get(url, headers={"Authorization": f"Bearer {token}"}).json()
        pages.append([entry["resource"]["id"] for entry in bundle.get("entry", [])])
        url = link(bundle, relation)
    return pages


def test_next_links_walk_every_row_exactly_once(issue, client, db):
    patients = PatientFactory.create_batch(7)
    issued = issue(["Patient"])

    pages = walk(client, "/fhir/Patient?_count=3", issued.token, "next")

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [row for page in pages for row in page] == [str(patient.public_id) for patient in patients]


def test_previous_links_walk_back_to_the_first_page(issue, client, db):
    PatientFactory.create_batch(7)
    issued = issue(["Patient"])
    forward = walk(client, "/fhir/Patient?_count=3", issued.token, "next")
    last_page = client.get("/fhir/Patient?_count=3", headers={"Authorization": f"Bearer {issued.token}"}).json()
    last_page = client.get(link(last_page, "next"), headers={"Authorization": f"Bearer {issued.token}"}).json()
    last_page = client.get(link(last_page, "next"), headers={"Authorization": f"Bearer {issued.token}"}).json()
    assert link(last_page, "next") is None

    backward = walk(client, link(last_page, "previous"), issued.token, "previous")

    assert backward == [forward[1], forward[0]]


def test_the_first_page_has_no_previous_and_the_last_no_next(issue, fhir, db):
    PatientFactory.create_batch(2)
    issued = issue(["Patient"])

    bundle = fhir("/fhir/Patient", issued.token).json()

    assert link(bundle, "previous") is None and link(bundle, "next") is None
    assert link(bundle, "self")


def test_a_page_is_a_valid_searchset_bundle(issue, fhir, db):
    PatientFactory.create_batch(2)
    issued = issue(["Patient"])

    bundle = Bundle.model_validate(fhir("/fhir/Patient", issued.token).json())

    assert bundle.type == "searchset"
    assert all(entry.fullUrl.endswith(f"/fhir/Patient/{entry.resource.id}") for entry in bundle.entry)


def test_count_is_bounded(issue, fhir, db):
    issued = issue(["Patient"])

    response = fhir("/fhir/Patient", issued.token, _count=str(MAX_COUNT * 10))

    assert response.status_code == 200
    assert "_count=2000" in response.json()["link"][0]["url"]  # the self link says what was asked


def test_a_count_that_is_not_a_positive_number_gets_400(issue, fhir, db):
    issued = issue(["Patient"])

    statuses = {value: fhir("/fhir/Patient", issued.token, _count=value).status_code for value in ("0", "-1", "ten")}

    assert statuses == {"0": 400, "-1": 400, "ten": 400}


def test_a_forged_page_link_gets_400(issue, fhir, db):
    issued = issue(["Patient"])

    response = fhir("/fhir/Patient", issued.token, _page='["Patient", 1, "next"]')

    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_page_link_of_another_type_gets_400(issue, client, fhir, physician, patient):
    PatientFactory.create_batch(3)
    issued = issue(["Patient", "CareTeam"])
    patient_page = fhir("/fhir/Patient", issued.token, _count="1").json()
    page_token = dict(item.split("=", 1) for item in urlsplit(link(patient_page, "next")).query.split("&"))["_page"]

    response = client.get(f"/fhir/CareTeam?_page={page_token}", headers={"Authorization": f"Bearer {issued.token}"})

    assert response.status_code == 400


def test_a_page_costs_the_same_queries_whatever_it_holds(issue, fhir, db, django_assert_num_queries):
    PatientFactory.create_batch(2)
    issued = issue(["Patient"])
    with django_assert_num_queries(3):  # the client by its token, the page, the audit events (one INSERT)
        fhir("/fhir/Patient", issued.token)
    PatientFactory.create_batch(30)

    with django_assert_num_queries(3):
        bundle = fhir("/fhir/Patient", issued.token).json()

    assert len(bundle["entry"]) == 32


def test_a_listed_clients_care_teams_cost_the_same_queries_whatever_they_hold(
    issue, fhir, db, django_assert_num_queries
):
    few = PatientFactory.create_batch(2)
    many = PatientFactory.create_batch(20)
    for person in few + many:
        CareTeamMemberFactory.create_batch(2, patient=person)
    small, large = issue(["CareTeam"], patients=few, name="Small"), issue(["CareTeam"], patients=many, name="Large")
    with django_assert_num_queries(4) as measured:  # the client, the page, its members, the audit events
        fhir("/fhir/CareTeam", small.token)

    with django_assert_num_queries(len(measured.captured_queries)):
        bundle = fhir("/fhir/CareTeam", large.token).json()

    assert len(bundle["entry"]) == 20
