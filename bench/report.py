"""Summaries, the printed table, the machine description and the JSON file."""

import json
import math
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from bench.load import PageRun
from bench.pages import Page


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share 0.5 for p50, 0.95 for p95); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def spread(values: list[float]) -> dict[str, float | None]:
    return {"p50": rounded(percentile(values, 0.5)), "p95": rounded(percentile(values, 0.95))}


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summarise(page: Page, run: PageRun, floor: list[float] | None) -> dict:
    queries = sorted({s.queries for s in run.samples if s.queries is not None})
    return {
        "page": page.key,
        "label": page.label,
        "who": page.who,
        "path": page.path,
        "requests": len(run.samples),
        "failures": run.failures,
        "timed_out": run.timed_out,
        "requests_per_second": round(run.requests_per_second, 1),
        "server_ms": spread([s.server_ms for s in run.samples if s.server_ms is not None]),
        "client_ms": spread([s.client_ms for s in run.samples]),
        "queries": {"min": queries[0], "max": queries[-1]} if queries else None,
        "floor_sql": page.floor_sql,
        "floor_ms": spread(floor) if floor is not None else None,
    }


COLUMNS = (
    ("Page", 34),
    ("req", 5),
    ("req/s", 7),
    ("srv p50", 8),
    ("srv p95", 8),
    ("cli p50", 8),
    ("cli p95", 8),
    ("SQL", 5),
    ("floor p50", 10),
    ("floor p95", 10),
)


def table(rows: list[dict]) -> str:
    label_width = max([COLUMNS[0][1], *(len(row["label"]) + 2 for row in rows)])
    columns = (("Page", label_width), *COLUMNS[1:])
    lines = [" ".join(f"{name:>{width}}" if i else f"{name:<{width}}" for i, (name, width) in enumerate(columns))]
    lines.append("-" * len(lines[0]))
    for row in rows:
        floor = row["floor_ms"] or {"p50": None, "p95": None}
        queries = row["queries"]
        sql = (
            "-"
            if not queries
            else str(queries["min"])
            if queries["min"] == queries["max"]
            else "{min}-{max}".format(**queries)
        )
        cells = [
            row["label"] + (" !" if row["failures"] or row["timed_out"] else ""),
            str(row["requests"]),
            f"{row['requests_per_second']:.0f}",
            ms(row["server_ms"]["p50"]),
            ms(row["server_ms"]["p95"]),
            ms(row["client_ms"]["p50"]),
            ms(row["client_ms"]["p95"]),
            sql,
            ms(floor["p50"]),
            ms(floor["p95"]),
        ]
        lines.append(
            " ".join(
                f"{c:>{w}}" if i else f"{c:<{w}}" for i, (c, (_, w)) in enumerate(zip(cells, columns, strict=True))
            )
        )
    lines.append("Times in ms. srv: Server-Timing app dur; cli: client round trip; SQL: queries per request;")
    lines.append("floor: the same rows by one hand-written SQL query over psycopg2. '!' = failures or time limit hit.")
    return "\n".join(lines)


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def machine(postgres_version: str, *, load_before: tuple[float, ...]) -> dict:
    """The machine, and how busy it was (other processes share the cores and skew the figures)."""
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_gb": memory_gb(),
        "postgres": postgres_version,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"date": datetime.now(UTC).isoformat(timespec="seconds"), **payload}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")


# --- Two clinic sizes side by side (issue 16's goals) -------------------------------------------

#: The goals the comparison marks (README, Performance): staff pages p95 <= 100 ms with the usual client
#: threads and p50 <= 40 ms with one; the patient's pages p95 <= 30 ms; no page slower at the largest clinic
#: than 1.25 times the smallest, with the same queries.
STAFF_P95_MS, STAFF_P50_ONE_THREAD_MS, PORTAL_P95_MS, MAX_RATIO = 100.0, 40.0, 30.0, 1.25


def compare(clinics: list[dict]) -> list[dict]:
    """Per page: each size's server p50/p95 and queries, the ratio of the largest clinic's p50 to the
    smallest's, the one-thread figures at the largest, and which goals it misses."""
    smallest, largest = clinics[0], clinics[-1]
    one_thread = {row["page"]: row for row in largest["runs"].get("one_thread", [])}
    rows = []
    for page in largest["runs"]["threads"]:
        by_size = {
            clinic["patients"]: next((r for r in clinic["runs"]["threads"] if r["page"] == page["page"]), None)
            for clinic in clinics
        }
        small = by_size[smallest["patients"]]
        single = one_thread.get(page["page"])
        row = {
            "page": page["page"],
            "label": page["label"],
            "who": page["who"],
            # Keyed by the size as text, as the JSON file keeps it.
            "sizes": {
                str(size): None if r is None else {**r["server_ms"], "queries": r["queries"]}
                for size, r in by_size.items()
            },
            "ratio": ratio(page["server_ms"]["p50"], small["server_ms"]["p50"] if small else None),
            # The steady state: a worker's first requests also fill its caches (content types, permissions).
            "same_queries": len({(r["queries"] or {}).get("min") for r in by_size.values() if r is not None}) == 1,
            "one_thread": single["server_ms"] if single else None,
        }
        row["misses"] = misses(row, page["server_ms"])
        rows.append(row)
    return rows


def ratio(large: float | None, small: float | None) -> float | None:
    return None if not large or not small else round(large / small, 2)


def misses(row: dict, largest: dict) -> list[str]:
    """The goals this page misses, in words for the table."""
    missed = []
    patient_page = row["who"] == "patient"
    limit = PORTAL_P95_MS if patient_page else STAFF_P95_MS
    if largest["p95"] is not None and largest["p95"] > limit:
        missed.append(f"p95>{limit:.0f}")
    if not patient_page and row["one_thread"] and (row["one_thread"]["p50"] or 0) > STAFF_P50_ONE_THREAD_MS:
        missed.append(f"1-thread p50>{STAFF_P50_ONE_THREAD_MS:.0f}")
    if row["ratio"] is not None and row["ratio"] > MAX_RATIO:
        missed.append(f"ratio>{MAX_RATIO}")
    if not row["same_queries"]:
        missed.append("queries differ")
    return missed


def comparison_table(rows: list[dict], sizes: list[int]) -> str:
    small, large = sizes[0], sizes[-1]
    width = max([len("Page"), *(len(row["label"]) for row in rows)]) + 1
    head = (
        f"{'Page':<{width}} {f'p50 {small:,}':>11} {f'p50 {large:,}':>12} {'ratio':>6} {f'p95 {large:,}':>12} "
        f"{'1-thr p50':>10} {'SQL':>7}  goals missed"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        first, last = row["sizes"].get(str(small)) or {}, row["sizes"].get(str(large)) or {}
        queries = last.get("queries")
        sql = "-" if not queries else str(queries["min"]) + ("" if row["same_queries"] else "*")
        lines.append(
            f"{row['label']:<{width}} {ms(first.get('p50')):>11} {ms(last.get('p50')):>12} "
            f"{'-' if row['ratio'] is None else format(row['ratio'], '.2f'):>6} {ms(last.get('p95')):>12} "
            f"{ms((row['one_thread'] or {}).get('p50')):>10} {sql:>7}  {', '.join(row['misses']) or 'none'}"
        )
    lines.append(
        f"Server time in ms (Server-Timing). p50/p95 with the usual client threads; ratio: p50 at {large:,} over p50 "
        f"at {small:,};"
    )
    lines.append(
        "1-thr: one client thread at the largest clinic. SQL: queries per request at the largest ('*': not the same "
        "at every size)."
    )
    return "\n".join(lines)


def markdown(rows: list[dict], sizes: list[int], machine_facts: dict) -> str:
    """The comparison as the README's table (bench/results/latest.md), with the machine and its load."""
    small, large = sizes[0], sizes[-1]
    load = machine_facts["load_average_before"], machine_facts["load_average_after"]
    lines = [
        f"{machine_facts['nproc']} cores ({machine_facts['cpu_model']}), {machine_facts['memory_gb']} GB, Postgres "
        f"{machine_facts['postgres']}, Python {machine_facts['python']}; load average before {load[0][0]}, after "
        f"{load[1][0]}.",
        "",
        f"| page | p50 at {small:,} | p50 at {large:,} | ratio | p95 at {large:,} | one-thread p50 | SQL "
        "| goals missed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        first, last = row["sizes"].get(str(small)) or {}, row["sizes"].get(str(large)) or {}
        queries = last.get("queries")
        sql = "-" if not queries else str(queries["min"]) + ("" if row["same_queries"] else " (differs)")
        ratio_text = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(
            f"| {row['label']} | {ms(first.get('p50'))} | {ms(last.get('p50'))} | {ratio_text} | {ms(last.get('p95'))} "
            f"| {ms((row['one_thread'] or {}).get('p50'))} | {sql} | {', '.join(row['misses']) or 'none'} |"
        )
    return "\n".join(lines) + "\n"


def lighthouse_markdown(pages: list[dict]) -> str:
    """Lighthouse's figures (bench/lighthouse.py) as the README's table."""
    lines = [
        "| page | form | LCP ms | FCP ms | score | transfer KB | later view KB |",
        "|---|---|---|---|---|---|---|",
    ]
    for page in pages:
        later = page.get("later_view_kb")
        lines.append(
            f"| {page['label']} | {page['form_factor']} | {page['lcp_ms']:.0f} | {page['fcp_ms']:.0f} | "
            f"{page['score']:.0f} | {page['transfer_kb']:.1f} | {'-' if later is None else f'{later:.1f}'} |"
        )
    return "\n".join(lines) + "\n"
