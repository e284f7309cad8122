"""The de-identified research export, /research-export/: clinic admins only, no identifier in the file, study ids
and date shifts stable across runs, intervals kept, 90 and over grouped, each run audited with its row count, and
the same number of queries whatever the number of rows."""

import csv
import datetime
import io
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.access.refusals import Refused
from interop import research_export
from interop.research import age_group, day_shift, research_key, study_id
from interop.research_export import research_export_lines
from measures.models import Response
from measures.services import latest_instrument
from patients.models import Sex
from tests.clock import clinic_time
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = reverse("research:export")


def answered(patient, code: str, day: datetime.date, answers: dict | None = None, total="7"):
    moment = clinic_time(day.year, day.month, day.day, 10, 0)
    return Response.objects.create(
        patient=patient,
        instrument=latest_instrument(code),
        started_at=moment,
        completed_at=moment,
        answers=answers or {},
        total=Decimal(total),
        band="Mild",
        valid=True,
    )


def exported(client) -> str:
    response = client.post(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="haven-research-export-')
    return b"".join(response.streaming_content).decode()


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def identified(db):
    """A patient with every identifier Haven keeps filled in, and two responses (one with a typed answer)."""
    person = PatientFactory(
        mrn="XY884211",
        given_name="Philippa",
        family_name="Wexford-Quayle",
        preferred_name="Pippa",
        pronouns="she/her",
        date_of_birth=datetime.date(1961, 4, 30),
        email="pippa.wexford@example.test",
        mobile="+1 617 555 0147",
        referring_clinician="Dr. Okonkwo-Barrett, Lakeside Practice",
        sex=Sex.FEMALE,
    )
    answered(person, "phq9", datetime.date(2026, 3, 1), {"phq9_1": 2, "phq9_2": 1})
    answered(person, "peg", datetime.date(2026, 3, 31), {"peg_1": 6, "peg_2": "called on 617 555 0147, Philippa"})
    return person


# Who may


@pytest.mark.parametrize("who", ["coordinator", "physician", "outsider"])
def test_only_clinic_admins_may_open_or_run_it_and_refusals_are_audited(request, signed_in, who, identified):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert AuditEvent.objects.filter(actor=user, action=Action.REFUSED).count() == 2
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_the_service_refuses_before_the_stream_is_read(coordinator):
    with pytest.raises(Refused):
        research_export_lines(by=coordinator)


def test_the_admin_page_explains_what_is_in_and_out_and_downloads_by_post(signed_in, clinic_admin):
    page = signed_in(clinic_admin).get(URL).text
    assert "What is in it" in page and "What is never in it" in page and "Safe Harbor" in page
    assert '<form method="post">' in page
    assert "Download the research export (CSV)" in page


def test_the_top_bar_links_admins_to_it(signed_in, clinic_admin, coordinator):
    assert URL in signed_in(clinic_admin).get(reverse("patients:list")).text
    assert URL not in signed_in(coordinator).get(reverse("patients:list")).text


# What is in it


def test_no_identifier_reaches_the_file(signed_in, clinic_admin, identified):
    text = exported(signed_in(clinic_admin))
    never = [
        "Philippa",
        "Wexford",
        "Pippa",
        "XY884211",
        "pippa.wexford@example.test",
        "617 555 0147",
        "555",
        "she/her",
        "Okonkwo",
        "1961-04-30",
        "1961",
        str(identified.public_id),
        *(str(pk) for pk in Response.objects.values_list("public_id", flat=True)),
        "called on",
    ]
    for identifier in never:
        assert identifier not in text, identifier


def test_one_row_per_completed_response_with_item_answers_and_scores(signed_in, clinic_admin, identified):
    Response.objects.create(patient=identified, instrument=latest_instrument("gad7"))  # started, never completed
    rows = rows_of(exported(signed_in(clinic_admin)))
    assert [row["instrument"] for row in rows] == ["phq9", "peg"]
    phq9, peg = rows
    assert (phq9["phq9_1"], phq9["phq9_2"], phq9["phq9_3"], phq9["peg_1"]) == ("2", "1", "", "")
    assert (phq9["total"], phq9["band"], phq9["valid"], phq9["positive"]) == ("7", "Mild", "yes", "")
    assert (peg["peg_1"], peg["peg_2"]) == ("6", "")  # a typed answer is never exported
    assert [row["response_number"] for row in rows] == ["1", "2"]
    assert phq9["sex"] == "female" and phq9["answered_by"] == "portal"


def test_study_ids_are_stable_across_runs_and_differ_between_patients(signed_in, clinic_admin, identified):
    other = PatientFactory()
    answered(other, "phq9", datetime.date(2026, 5, 5))
    client = signed_in(clinic_admin)
    first, second = rows_of(exported(client)), rows_of(exported(client))
    assert [row["study_id"] for row in first] == [row["study_id"] for row in second]
    assert first == second
    ids = {row["study_id"] for row in first}
    assert len(ids) == 2
    assert study_id(research_key(), identified.public_id) in ids


def test_the_study_id_depends_on_the_secret_key(settings, identified):
    settings.RESEARCH_EXPORT_KEY = "one key"
    first = study_id(research_key(), identified.public_id)
    settings.RESEARCH_EXPORT_KEY = "another key"
    assert study_id(research_key(), identified.public_id) != first


def test_dates_are_shifted_per_patient_and_intervals_are_kept(signed_in, clinic_admin, identified):
    rows = rows_of(exported(signed_in(clinic_admin)))
    first, second = (datetime.date.fromisoformat(row["completed_on_shifted"]) for row in rows)
    assert (second - first).days == 30  # March 1 and March 31
    shift = day_shift(research_key(), identified.public_id)
    assert 1 <= shift <= 365
    assert first == datetime.date(2026, 3, 1) - datetime.timedelta(days=shift)
    assert "2026-03-01" not in {row["completed_on_shifted"] for row in rows}


def test_shifts_differ_between_patients():
    import uuid

    key = b"a research key"
    shifts = {day_shift(key, uuid.uuid4()) for _ in range(50)}
    assert len(shifts) > 10


def test_age_is_in_years_at_the_response_and_90_and_over_is_grouped(signed_in, clinic_admin):
    older = PatientFactory(date_of_birth=datetime.date(1935, 6, 1))
    younger = PatientFactory(date_of_birth=datetime.date(1936, 6, 2))
    answered(older, "peg", datetime.date(2026, 6, 1))  # 91
    answered(younger, "peg", datetime.date(2026, 6, 1))  # 89, a day short of 90
    ages = sorted(row["age_years"] for row in rows_of(exported(signed_in(clinic_admin))))
    assert ages == ["89", "90+"]


@pytest.mark.parametrize(
    ("born", "on", "group"),
    [
        (datetime.date(1936, 6, 1), datetime.date(2026, 6, 1), "90+"),
        (datetime.date(1936, 6, 2), datetime.date(2026, 6, 1), "89"),
        (datetime.date(1920, 1, 1), datetime.date(2026, 6, 1), "90+"),
        (datetime.date(2000, 2, 29), datetime.date(2026, 2, 28), "25"),
    ],
)
def test_age_group(born, on, group):
    assert age_group(born, on) == group


# The run


def test_each_run_is_audited_with_its_row_count(signed_in, clinic_admin, identified):
    exported(signed_in(clinic_admin))
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == clinic_admin
    assert event.patient is None
    assert event.target == "research export (de-identified CSV): 2 rows"
    assert event.path == URL


def test_a_download_stopped_early_is_audited_as_stopped(clinic_admin, identified):
    lines = research_export_lines(by=clinic_admin)
    next(lines), next(lines)  # the header and one row
    lines.close()
    assert AuditEvent.objects.get(action=Action.EXPORT).target.endswith(": 1 row, stopped before the end")


def test_it_reads_inside_the_replica_block(monkeypatch, clinic_admin, identified):
    entered = []

    @contextmanager
    def replica_block():
        entered.append(True)
        yield

    monkeypatch.setattr(research_export, "reading_from_replica", replica_block)
    assert len(list(research_export_lines(by=clinic_admin))) == 3
    assert entered == [True]


def test_the_number_of_queries_does_not_grow_with_the_rows(clinic_admin, django_assert_num_queries):
    one = PatientFactory()
    answered(one, "peg", datetime.date(2026, 1, 5))
    with django_assert_num_queries(3):  # the instruments, the responses (one cursor), the audit event
        list(research_export_lines(by=clinic_admin))
    for _ in range(6):
        person = PatientFactory()
        for day in (1, 15, 29):
            answered(person, "phq9", datetime.date(2026, 1, day))
    with django_assert_num_queries(3):
        assert len(list(research_export_lines(by=clinic_admin))) == 1 + 1 + 18


def test_rows_are_read_in_chunks_whatever_the_chunk_size(monkeypatch, clinic_admin, identified):
    monkeypatch.setattr(research_export, "CHUNK", 1)
    assert len(list(research_export_lines(by=clinic_admin))) == 3


def test_the_clinic_day_of_a_late_answer_is_used(signed_in, clinic_admin):
    person = PatientFactory()
    late = clinic_time(2026, 12, 1, 23, 30)
    Response.objects.create(
        patient=person, instrument=latest_instrument("peg"), started_at=late, completed_at=late, valid=True
    )
    [row] = rows_of(exported(signed_in(clinic_admin)))
    shift = day_shift(research_key(), person.public_id)
    assert row["completed_on_shifted"] == (datetime.date(2026, 12, 1) - datetime.timedelta(days=shift)).isoformat()
