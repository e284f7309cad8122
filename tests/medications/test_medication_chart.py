"""The chart's medications section and the banner's MME: what they show, and a constant number of queries however
many lines, changes, acknowledgements and records the patient has."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from medications.models import DrugScreen, MedicationChange, OpioidFlagAcknowledgement, OpioidTrial, PdmpCheck
from medications.selectors.pages import ON_CHART, chart_section
from tests.medications.medkit import add_line, days_ago, oxycodone_60


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def section(page: str) -> str:
    return page.split('id="medications"', 1)[1].split("</section>", 1)[0]


def test_the_chart_lists_current_lines_with_their_mme_and_the_total(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    add_line(patient, physician, "duloxetine", 30, doses=1)
    shown = section(signed_in(physician).get(chart_url(patient)).content.decode())
    assert "Oxycodone</a>, 5 mg x 2, 4 times a day" in shown and "60 MME/day" in shown
    assert "Duloxetine</a>, 30 mg, once a day" in shown
    assert "<dt>Total</dt><dd>60 MME/day</dd>" in shown
    assert "<dt>Safety flags</dt><dd>1 to acknowledge</dd>" in shown
    assert "Urine drug screen overdue since" in shown and "PDMP check overdue since" in shown


def test_the_chart_section_is_calm_when_there_is_nothing(signed_in, patient, physician):
    shown = section(signed_in(physician).get(chart_url(patient)).content.decode())
    assert "No current medications recorded." in shown
    assert "Total" not in shown and "Opioid safety" not in shown


def test_the_chart_shows_the_first_lines_and_the_total_of_all(patient, physician):
    for n in range(ON_CHART + 3):
        add_line(patient, physician, "hydrocodone", 1 + n, doses=1)
    found = chart_section(patient, physician)
    assert len(found.lines) == ON_CHART and found.more
    assert found.summary.total == sum(1 + n for n in range(ON_CHART + 3))


def grow_history(patient, physician, count, *, start=0):
    from medications.models import Medication

    line = Medication.objects.filter(patient=patient, drug_code="oxycodone").first() or oxycodone_60(patient, physician)
    if start == 0:
        add_line(patient, physician, "lorazepam", 1, doses=2)
    for n in range(start, start + count):
        add_line(patient, physician, "ibuprofen", 200 + n, doses=3)
        MedicationChange.objects.create(medication=line, kind="annotated", reason=f"note {n}", by=physician)
        OpioidFlagAcknowledgement.objects.create(
            patient=patient,
            flag="naloxone",
            reason="x",
            review_on=timezone.localdate() + datetime.timedelta(days=n + 1),
            by=physician,
        )
        DrugScreen.objects.create(patient=patient, collected_on=days_ago(n), recorded_by=physician)
        PdmpCheck.objects.create(patient=patient, checked_on=days_ago(n), recorded_by=physician)
        OpioidTrial.objects.create(patient=patient, medication=line, review_on=days_ago(n), started_by=physician)


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_chart_and_the_medication_pages_run_the_same_queries_with_one_line_or_many(signed_in, patient, physician):
    client = signed_in(physician)
    grow_history(patient, physician, 1)  # one of everything
    urls = [
        chart_url(patient),
        reverse("medications:medications", args=[patient.public_id]),
        reverse("medications:opioid_safety", args=[patient.public_id]),
    ]
    client.get(urls[0])
    before = [queries_for(client, url) for url in urls]
    grow_history(patient, physician, 30, start=1)
    after = [queries_for(client, url) for url in urls]
    assert after == before


def test_the_chart_section_itself_takes_at_most_six_queries(patient, physician, django_assert_max_num_queries):
    grow_history(patient, physician, 5)
    with django_assert_max_num_queries(6):
        found = chart_section(patient, physician)
    assert found.summary.has_opioid and found.summary.has_benzodiazepine
