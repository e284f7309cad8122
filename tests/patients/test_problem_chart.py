"""The chart's red-flag, problem-list, allergy, classification and complexity sections, and their query count."""

import pytest
from django.urls import reverse

from patients.allergy_services import end_allergy, record_allergy
from patients.models import RedFlag
from patients.problem_services import add_problem, classify_pain, rate_complexity, record_exam_red_flag
from tests.factories import ProblemFactory

#: Session, user, permissions, patient, audit, banner (alerts, red flags, the care plan's), the page's own rows.
PAGE_QUERIES = 16
CHART_QUERIES = 40


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def section(response, anchor: str) -> str:
    return response.content.decode().split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


def test_the_red_flags_come_first_on_the_chart(signed_in, physician, patient):
    page = signed_in(physician).get(chart_url(patient)).content.decode()
    main = page.split('id="main"', 1)[1]
    assert main.index('id="red-flags-heading"') < main.index('id="team-heading"') < main.index('id="problems-heading"')
    assert "No red flags recorded." in main
    assert "No problems listed yet." in main


def test_the_problem_list_is_grouped_by_domain_with_resolved_problems_collapsed(signed_in, physician, patient):
    add_problem(patient=patient, by=physician, domain="mood", title="Low mood", owner_discipline="psychologist")
    add_problem(patient=patient, by=physician, domain="pain", title="Back pain", notes="Worse when sitting.")
    add_problem(patient=patient, by=physician, domain="pain", title="Knee pain", status="resolved")
    shown = section(signed_in(physician).get(chart_url(patient)), "problems")
    assert shown.index("<h3") < shown.index(">Pain</h3>") < shown.index(">Mood</h3>")
    current, resolved = shown.split('<details class="problem-resolved', 1)
    assert "Back pain" in current and "Worse when sitting." in current and "Knee pain" not in current
    assert "1 resolved" in resolved and "Knee pain" in resolved
    assert "Psychologist" in shown
    assert "by Ada Okafor, MD" in shown


def test_the_classification_and_complexity_show_now_and_their_recent_history(signed_in, physician, patient):
    classify_pain(
        patient=patient, by=physician, pain_type="mixed", main_condition="fibromyalgia", other_conditions=["migraine"]
    )
    rate_complexity(patient=patient, by=physician, level="complex", reason="Declining despite three medicines.")
    response = signed_in(physician).get(chart_url(patient))
    classification = section(response, "classification")
    assert '<dd class="col-8">Mixed</dd>' in classification
    assert 'Fibromyalgia <span class="text-secondary">(main)</span>; Chronic migraine' in classification
    assert "Ada Okafor, MD: Mixed (Fibromyalgia; Chronic migraine)" in classification
    complexity = section(response, "complexity")
    assert "Complex: declining function despite escalating treatment, many providers" in complexity
    assert "Ada Okafor, MD: Complex. Declining despite three medicines." in complexity


@pytest.mark.parametrize(("who", "offered"), [("physician", True), ("psychologist", True), ("coordinator", False)])
def test_only_clinicians_who_chart_are_offered_the_changes(request, signed_in, patient, who, offered):
    problem = ProblemFactory(patient=patient)
    flag = RedFlag.objects.create(patient=patient, code="leg_weakness", level="emergency", source="intake")
    page = signed_in(request.getfixturevalue(who)).get(chart_url(patient)).content.decode()
    for url in (
        reverse("patients:problem_add", args=[patient.public_id]),
        reverse("patients:problem_edit", args=[patient.public_id, problem.public_id]),
        reverse("patients:red_flag_add", args=[patient.public_id]),
        reverse("patients:red_flag_acknowledge", args=[patient.public_id, flag.public_id]),
    ):
        assert (url in page) is offered, url
    assert reverse("patients:classification", args=[patient.public_id]) in page  # the history, for everyone


def test_the_chart_lists_red_flags_unacknowledged_first(signed_in, physician, psychologist, patient):
    seen = RedFlag.objects.create(patient=patient, code="saddle_numbness", level="emergency", source="intake")
    seen.acknowledge(by=physician, note="Known.")
    record_exam_red_flag(patient=patient, by=psychologist, code="history_of_cancer")
    shown = section(signed_in(physician).get(chart_url(patient)), "red-flags")
    assert shown.index("History of cancer") < shown.index("Numbness around the genitals")
    assert "1 not acknowledged" in shown


def test_the_chart_runs_the_same_number_of_queries_with_one_or_thirty_of_everything(
    signed_in, physician, psychologist, patient, django_assert_max_num_queries
):
    def one_more(n):
        ProblemFactory(patient=patient, domain=["pain", "sleep", "mood"][n % 3], status=["active", "resolved"][n % 2])
        record_exam_red_flag(patient=patient, by=psychologist, code=["ankle_weakness", "history_of_cancer"][n % 2])
        classify_pain(patient=patient, by=physician, pain_type="mixed", main_condition="migraine")
        rate_complexity(patient=patient, by=[physician, psychologist][n % 2], level="complex", reason=f"Reason {n}")
        allergy = record_allergy(
            patient=patient, by=physician, values={"substance": f"Drug {n}", "severity": "mild", "source": "records"}
        )
        if n % 2:
            end_allergy(allergy=allergy, by=psychologist, reason="entered_in_error")

    client = signed_in(physician)
    one_more(0)
    client.get(chart_url(patient))
    # A bound with room for the chart's other sections (still being built); the equality below is the point.
    with django_assert_max_num_queries(CHART_QUERIES) as one:
        client.get(chart_url(patient))
    for n in range(1, 30):
        one_more(n)
    with django_assert_max_num_queries(CHART_QUERIES) as thirty:
        response = client.get(chart_url(patient))
    assert sum(len(g.current) + len(g.resolved) for g in response.context["problem_section"].groups) == 30
    assert len(response.context["red_flag_section"].red_flags) == 20  # the most pressing; the rest on their page
    assert response.context["red_flag_section"].more
    assert len(response.context["banner"].red_flags) == 10
    assert len(response.context["banner"].allergies) == len(response.context["allergy_section"].active) == 15
    assert len(response.context["allergy_section"].ended) == 15
    assert len(one) == len(thirty), [q["sql"][:80] for q in thirty.captured_queries]


def test_the_red_flag_page_runs_the_same_number_of_queries_with_one_or_thirty_flags(
    signed_in, physician, psychologist, patient, django_assert_max_num_queries
):
    client = signed_in(physician)
    url = reverse("patients:red_flags", args=[patient.public_id])
    record_exam_red_flag(patient=patient, by=psychologist, code="ankle_weakness")
    client.get(url)
    with django_assert_max_num_queries(PAGE_QUERIES) as one:
        client.get(url)
    for _ in range(29):
        record_exam_red_flag(patient=patient, by=psychologist, code="history_of_cancer")
    with django_assert_max_num_queries(PAGE_QUERIES) as thirty:
        response = client.get(url)
    assert len(response.context["red_flag_section"].red_flags) == 30
    assert len(one) == len(thirty), [q["sql"][:80] for q in thirty.captured_queries]


@pytest.mark.parametrize("page", ["patients:classification", "patients:complexity"])
def test_the_history_pages_run_the_same_number_of_queries_with_one_or_thirty_rows(
    signed_in, physician, patient, page, django_assert_max_num_queries
):
    client = signed_in(physician)
    url = reverse(page, args=[patient.public_id])
    classify_pain(patient=patient, by=physician, pain_type="mixed", main_condition="migraine")
    rate_complexity(patient=patient, by=physician, level="simple", reason="Functional.")
    client.get(url)
    with django_assert_max_num_queries(PAGE_QUERIES) as one:
        client.get(url)
    for n in range(29):
        classify_pain(patient=patient, by=physician, pain_type="nociceptive", main_condition="osteoarthritis")
        rate_complexity(patient=patient, by=physician, level="complex", reason=f"Reason {n}")
    with django_assert_max_num_queries(PAGE_QUERIES) as thirty:
        response = client.get(url)
    assert len(response.context["history"]) == 30
    assert len(one) == len(thirty), [q["sql"][:80] for q in thirty.captured_queries]
