"""The latest questionnaire scores shown while writing a visit note (patients.selectors.latest_scores_for):
latest value, band, date, and the change since baseline in words, in a constant number of queries."""

import re

from django.urls import reverse

from measures.models import MeasureSummary
from patients.selectors import latest_scores_for
from tests.measures.responses import gad7, peg, phq9

# A page's ceiling: the banner and top bar (other parts of the chart) take most of it. What these tests
# assert is that the count stays the same however long the history.
PAGE_QUERIES = 30


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_it_has_nothing_to_show_before_any_questionnaire(patient, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert latest_scores_for(patient) == []


def test_it_shows_the_latest_score_band_and_change_since_baseline(patient, other_patient):
    phq9(patient, 2, days_ago=60)  # 16
    phq9(patient, 1)  # 8
    gad7(patient, 1)  # 7, the baseline only
    phq9(other_patient, 3)
    lines = {line.code: line for line in latest_scores_for(patient)}
    assert set(lines) == {"phq9", "gad7"}
    depression = lines["phq9"]
    assert (depression.name, depression.latest, depression.baseline, depression.count) == ("PHQ-9", "8", "16", 2)
    assert depression.band == "mild"
    assert depression.change_words.startswith("PHQ-9 16 \N{RIGHTWARDS ARROW} 8")
    anxiety = lines["gad7"]
    assert (anxiety.latest, anxiety.count, anxiety.band) == ("7", 1, "mild")
    assert anxiety.change_words == "One response so far: this is the baseline."


def test_it_orders_instruments_by_name(patient):
    phq9(patient, 1)
    peg(patient, 5)
    gad7(patient, 1)
    assert [line.name for line in latest_scores_for(patient)] == ["GAD-7", "PEG", "PHQ-9"]


def test_it_shows_peg_with_its_decimals(patient):
    peg(patient, 7, days_ago=40)
    peg(patient, 4)
    (line,) = latest_scores_for(patient)
    assert (line.baseline, line.latest) == ("7.0", "4.0")
    assert "responder" in line.change_words


def test_it_runs_two_queries_however_long_the_history(patient, django_assert_num_queries):
    peg(patient, 7, days_ago=90)
    with django_assert_num_queries(2):
        latest_scores_for(patient)
    for days in range(80, 0, -8):
        peg(patient, 6, days_ago=days)
        phq9(patient, 1, days_ago=days)
    gad7(patient, 2)
    with django_assert_num_queries(2):
        assert len(latest_scores_for(patient)) == 3
    assert MeasureSummary.objects.get(patient=patient, instrument_code="peg").responses_count == 11


def test_the_new_visit_page_shows_them_beside_the_form(signed_in, physician, patient):
    phq9(patient, 2, days_ago=60)
    phq9(patient, 1)
    page = text_of(signed_in(physician).get(reverse("patients:new_visit", args=[patient.public_id])))
    panel = page.split('aria-labelledby="scores-heading"', 1)[1].split("</aside>", 1)[0]
    assert '<strong>PHQ-9</strong> 8 <span class="text-secondary">(mild)</span>' in panel
    assert "baseline 16 on" in panel
    assert "PHQ-9 16 \N{RIGHTWARDS ARROW} 8" in panel


def test_the_visit_form_runs_the_same_number_of_queries_however_long_the_history(
    signed_in, physician, patient, django_assert_max_num_queries
):
    address = reverse("patients:new_visit", args=[patient.public_id])
    peg(patient, 7, days_ago=90)
    client = signed_in(physician)
    client.get(address)
    with django_assert_max_num_queries(PAGE_QUERIES) as short:
        client.get(address)
    for days in range(80, 0, -4):
        peg(patient, 6, days_ago=days)
        gad7(patient, 1, days_ago=days)
    with django_assert_max_num_queries(PAGE_QUERIES) as long:
        client.get(address)
    assert len(short) == len(long), [q["sql"][:90] for q in long.captured_queries]
