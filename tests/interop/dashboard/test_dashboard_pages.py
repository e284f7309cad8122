"""The dashboard's pages: who may read them, what is audited, the lists behind the figures, the CSV, and a
number of queries that stays the same as the clinic grows."""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Action, AuditEvent
from interop.dashboard_snapshot import SNAPSHOT_KEY
from tests.factories import CareTeamMemberFactory
from tests.interop.dashboard import build

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"
NO_NALOXONE = "/dashboard/patients/mme-50-no-naloxone/"


def high_dose_patients(n):
    people = build.patients(n)
    for person in people:
        build.opioid(person, "morphine", "60", doses="1")
    return people


@pytest.mark.parametrize("who", ["clinic_admin", "medical_lead"])
def test_clinic_admins_and_the_medical_lead_read_the_dashboard(who, request, signed_in):
    client = signed_in(request.getfixturevalue(who))

    page = client.get(DASHBOARD)

    assert page.status_code == 200
    assert b"Outcomes and safety" in page.content
    assert b'href="/dashboard/">Outcomes</a>' in page.content


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "outsider"])
@pytest.mark.parametrize("path", [DASHBOARD, NO_NALOXONE, "/dashboard/figures.csv"])
def test_everyone_else_gets_the_404_page_and_the_attempt_is_audited(who, path, request, signed_in):
    person = request.getfixturevalue(who)
    client = signed_in(person)

    page = client.get(path)

    assert page.status_code == 404
    assert AuditEvent.objects.filter(actor=person, action=Action.REFUSED, path=path).count() == 1


def test_the_top_bar_offers_the_dashboard_only_to_its_readers(signed_in, clinic_admin, physician):
    assert b'href="/dashboard/"' in signed_in(clinic_admin).get("/patients/").content
    assert b'href="/dashboard/"' not in signed_in(physician).get("/patients/").content


def test_signed_out_visitors_are_sent_to_sign_in(client):
    page = client.get(DASHBOARD)

    assert page.status_code == 302
    assert "/accounts/sign-in/" in page["Location"]


def test_the_dashboard_links_each_gap_to_its_list(signed_in, clinic_admin):
    with_naloxone, *_without = high_dose_patients(3)
    build.naloxone(with_naloxone)

    page = signed_in(clinic_admin).get(DASHBOARD).content.decode()

    assert f'<a href="{NO_NALOXONE}">2 on 50 MME or more without naloxone</a>' in page


def test_the_list_shows_the_patients_behind_the_figure_and_links_to_each_chart(signed_in, clinic_admin):
    with_naloxone, *without = high_dose_patients(3)
    build.naloxone(with_naloxone)

    page = signed_in(clinic_admin).get(NO_NALOXONE).content.decode()

    assert "Patients on 50 MME or more without naloxone" in page
    for person in without:
        assert f'href="/patients/{person.public_id}/"' in page
    assert str(with_naloxone.public_id) not in page


def test_opening_a_list_is_audited_naming_everyone_on_it(signed_in, clinic_admin):
    people = high_dose_patients(2)
    client = signed_in(clinic_admin)

    client.get(NO_NALOXONE)

    event = AuditEvent.objects.get(actor=clinic_admin, target="dashboard list: mme-50-no-naloxone")
    assert event.action == Action.VIEW
    assert sorted(event.shown) == sorted(str(p.public_id) for p in people)


def test_the_dashboard_itself_is_audited_as_a_view_naming_nobody(signed_in, clinic_admin):
    high_dose_patients(1)

    signed_in(clinic_admin).get(DASHBOARD)

    event = AuditEvent.objects.get(actor=clinic_admin, target="outcomes and safety dashboard")
    assert (event.patient, event.shown) == (None, [])


def test_a_medical_lead_sees_in_a_list_only_the_patients_whose_charts_they_may_open(signed_in, medical_lead):
    mine, theirs = high_dose_patients(2)
    CareTeamMemberFactory(patient=mine, member=medical_lead, is_lead=True)

    page = signed_in(medical_lead).get(NO_NALOXONE).content.decode()

    assert str(mine.public_id) in page
    assert str(theirs.public_id) not in page
    assert "the dashboard's figure counts the whole clinic" in page


def test_an_unknown_list_is_a_404(signed_in, clinic_admin):
    assert signed_in(clinic_admin).get("/dashboard/patients/everyone/").status_code == 404


def test_the_csv_holds_the_figures_with_their_denominators(signed_in, clinic_admin):
    with_naloxone, *_ = high_dose_patients(4)
    build.naloxone(with_naloxone)

    response = signed_in(clinic_admin).get("/dashboard/figures.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "group", "measure", "count", "of", "percent"]
    assert ["Opioid safety", "Whole clinic", "of those on 50 MME/day or more have naloxone", "1", "4", "25.0"] in rows
    assert ["Opioid safety", "Whole clinic", "Patients on an opioid", "4", "", ""] in rows
    assert AuditEvent.objects.filter(actor=clinic_admin, action=Action.EXPORT).count() == 1


def test_the_charts_are_accessible_images_with_their_numbers_in_a_table(signed_in, clinic_admin):
    high_dose_patients(2)

    page = signed_in(clinic_admin).get(DASHBOARD).content.decode()

    assert 'role="img" aria-labelledby="safety-chart-title safety-chart-desc" aria-describedby="safety-table"' in page
    assert '<title id="safety-chart-title">Opioid safety, patients on an opioid</title>' in page
    assert '<table class="table table-sm dashboard-table" id="safety-table">' in page
    assert "<title>On 50 MME/day or more: 100% (2 of 2)</title>" in page


def queries_for(client, path):
    """The page's queries with its figures worked out afresh (not read from the last snapshot)."""
    cache.delete(SNAPSHOT_KEY)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def grow_the_clinic(n):
    for person in high_dose_patients(n):
        build.scores(person, "peg", (200, 8), (110, 5))
        build.agreement(person, review_in_days=30)
        build.taper(person)


@pytest.mark.parametrize("path", [DASHBOARD, NO_NALOXONE, "/dashboard/figures.csv"])
def test_the_number_of_queries_stays_the_same_as_the_clinic_grows(path, signed_in, clinic_admin):
    client = signed_in(clinic_admin)
    grow_the_clinic(2)
    small = queries_for(client, path)

    grow_the_clinic(25)

    assert queries_for(client, path) == small


@pytest.mark.parametrize("path", [DASHBOARD, NO_NALOXONE, "/dashboard/figures.csv"])
def test_without_postgres_the_pages_say_so_calmly(path, signed_in, clinic_admin, monkeypatch):
    """The embedded demo runs on SQLite, where the figures' SQL does not exist: a plain page, never a 500."""
    monkeypatch.setattr("interop.dashboard_views.figures_available", lambda: False)

    page = signed_in(clinic_admin).get(path)

    assert page.status_code == 200
    assert "the dashboard is not available here" in page.content.decode()
