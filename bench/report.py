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
    lines = [" ".join(f"{name:>{width}}" if i else f"{name:<{width}}" for i, (name, width) in enumerate(COLUMNS))]
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
                f"{c:>{w}}" if i else f"{c:<{w}}" for i, (c, (_, w)) in enumerate(zip(cells, COLUMNS, strict=True))
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
