"""The bench's comparison of two clinic sizes: the ratio, the query check and the goals it marks missed."""

from bench import report


def page_run(page: str, who: str, p50: float, p95: float, queries: int) -> dict:
    return {
        "page": page,
        "label": page.title(),
        "who": who,
        "server_ms": {"p50": p50, "p95": p95},
        "queries": {"min": queries, "max": queries + 2},
        "failures": 0,
    }


def clinic(patients: int, rows: list[dict], one_thread: list[dict] | None = None) -> dict:
    runs = {"threads": rows} | ({"one_thread": one_thread} if one_thread else {})
    return {"patients": patients, "runs": runs}


def test_a_page_within_every_goal_misses_none():
    small = clinic(5000, [page_run("chart", "clinician", 30.0, 60.0, 33)])
    large = clinic(
        50000, [page_run("chart", "clinician", 36.0, 90.0, 33)], [page_run("chart", "clinician", 20, 25, 33)]
    )
    (row,) = report.compare([small, large])
    assert row["ratio"] == 1.2
    assert row["same_queries"]
    assert row["misses"] == []


def test_a_page_that_grows_with_the_clinic_is_marked_on_every_goal_it_misses():
    small = clinic(5000, [page_run("worklist", "coordinator", 20.0, 30.0, 13)])
    large = clinic(
        50000,
        [page_run("worklist", "coordinator", 120.0, 190.0, 14)],
        [page_run("worklist", "coordinator", 95, 99, 14)],
    )
    (row,) = report.compare([small, large])
    assert row["ratio"] == 6.0
    assert not row["same_queries"]
    assert row["misses"] == ["p95>100", "1-thread p50>40", "ratio>1.25", "queries differ"]


def test_the_patients_pages_answer_to_the_portal_goal_of_30_ms_at_p95():
    small = clinic(5000, [page_run("portal", "patient", 10.0, 20.0, 6)])
    large = clinic(50000, [page_run("portal", "patient", 11.0, 31.0, 6)])
    (row,) = report.compare([small, large])
    assert row["misses"] == ["p95>30"]


def test_the_table_shows_both_sizes_the_ratio_and_the_misses():
    small = clinic(5000, [page_run("chart", "clinician", 30.0, 60.0, 33)])
    large = clinic(50000, [page_run("chart", "clinician", 45.0, 120.0, 33)])
    table = report.comparison_table(report.compare([small, large]), [5000, 50000])
    line = next(line for line in table.splitlines() if line.startswith("Chart"))
    assert line.split()[1:5] == ["30.0", "45.0", "1.50", "120.0"]
    assert line.endswith("p95>100, ratio>1.25")


def test_the_readme_table_names_the_machine_and_its_load_and_every_page():
    small = clinic(5000, [page_run("chart", "clinician", 30.0, 60.0, 33)])
    large = clinic(50000, [page_run("chart", "clinician", 45.0, 120.0, 33)])
    machine = {
        "nproc": 2,
        "cpu_model": "AMD EPYC",
        "memory_gb": 23.5,
        "postgres": "15.20",
        "python": "3.12.1",
        "load_average_before": [0.4, 0.3, 0.2],
        "load_average_after": [2.1, 1.0, 0.5],
    }
    text = report.markdown(report.compare([small, large]), [5000, 50000], machine)
    assert text.startswith("2 cores (AMD EPYC), 23.5 GB, Postgres 15.20, Python 3.12.1; load average before 0.4")
    assert "| Chart | 30.0 | 45.0 | 1.50 | 120.0 | - | 33 | p95>100, ratio>1.25 |" in text


def test_the_lighthouse_table_has_every_page_and_a_later_view_only_for_the_portal():
    pages = [
        {"label": "Portal home", "form_factor": "mobile", "lcp_ms": 772, "fcp_ms": 700, "score": 100,
         "transfer_kb": 11.7, "later_view_kb": 3.4},
        {"label": "Chart (staff)", "form_factor": "desktop", "lcp_ms": 378, "fcp_ms": 300, "score": 100,
         "transfer_kb": 101.8, "later_view_kb": None},
    ]  # fmt: skip
    text = report.lighthouse_markdown(pages)
    assert "| Portal home | mobile | 772 | 700 | 100 | 11.7 | 3.4 |" in text
    assert "| Chart (staff) | desktop | 378 | 300 | 100 | 101.8 | - |" in text
