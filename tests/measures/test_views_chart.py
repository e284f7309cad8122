"""The chart's Questionnaires section: a trend per instrument, baseline vs latest in words, a link to
the responses, and a constant number of queries whatever the length of the history."""

import pytest
from django.urls import reverse

from tests.measures.responses import gad7, peg, phq9


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def questionnaires(response) -> str:
    return response.content.decode().split('id="questionnaires-heading"', 1)[1]


def test_it_shows_a_trend_per_instrument_with_change_since_baseline_in_words(signed_in, physician, patient):
    peg(patient, 8, days_ago=70)
    peg(patient, 5, days_ago=7)
    gad7(patient, 2, days_ago=30)
    response = signed_in(physician).get(chart_url(patient))
    section = questionnaires(response)
    assert [t.code for t in response.context["trends"]] == ["gad7", "peg"]
    assert section.count("<svg") == 2
    assert 'class="baseline-marker"' in section
    assert "PEG 8.0 \N{RIGHTWARDS ARROW} 5.0 (\N{MINUS SIGN}38%): responder" in section
    assert "Responding: at least 30% better than baseline." in section
    assert "One response so far: this is the baseline." in section  # GAD-7
    assert reverse("measures:detail", args=[patient.public_id, "peg"]) in section


def test_it_says_in_words_when_the_patient_is_not_responding_yet(signed_in, physician, patient):
    peg(patient, 8, days_ago=70)
    peg(patient, 7, days_ago=7)
    section = questionnaires(signed_in(physician).get(chart_url(patient)))
    assert "not a responder" in section
    assert "Not responding yet: less than 30% better than baseline (improved)." in section


def test_it_says_when_no_questionnaire_has_been_completed(signed_in, physician, patient):
    section = questionnaires(signed_in(physician).get(chart_url(patient)))
    assert "No questionnaires completed yet." in section


def test_it_leaves_out_another_patients_responses(signed_in, physician, patient, other_patient):
    peg(other_patient, 9)
    response = signed_in(physician).get(chart_url(patient))
    assert response.context["trends"] == []


@pytest.mark.parametrize(("who", "offered"), [("physician", True), ("coordinator", True), ("clinic_admin", False)])
def test_it_offers_entering_a_questionnaire_to_the_team_and_coordinators_only(
    request, signed_in, patient, who, offered
):
    response = signed_in(request.getfixturevalue(who)).get(chart_url(patient))
    assert (reverse("measures:choose", args=[patient.public_id]).encode() in response.content) is offered


def test_it_runs_the_same_number_of_queries_for_one_response_or_forty(
    signed_in, physician, patient, django_assert_max_num_queries
):
    phq9(patient, 2, days_ago=300)
    client = signed_in(physician)
    client.get(chart_url(patient))
    # 27: the allergies are two (the banner's active ones, the chart section's with history); the appointments one.
    with django_assert_max_num_queries(27) as one:
        client.get(chart_url(patient))
    for n in range(39):
        peg(patient, n % 11, days_ago=290 - n * 7) if n % 2 else phq9(patient, n % 4, days_ago=290 - n * 7)
    with django_assert_max_num_queries(27) as forty:
        response = client.get(chart_url(patient))
    assert sum(t.count for t in response.context["trends"]) == 40
    assert len(one) == len(forty), [q["sql"][:80] for q in forty.captured_queries]


def test_it_charts_the_baseline_and_only_the_latest_sixty_of_a_long_history(signed_in, physician, patient):
    for n in range(65):
        peg(patient, 10 - n % 5, days_ago=700 - n * 7)
    trend = signed_in(physician).get(chart_url(patient)).context["trends"][0]
    assert trend.count == 61
    assert float(trend.baseline.total) == 10.0  # the very first PEG, however long ago
