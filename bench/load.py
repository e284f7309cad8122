"""Concurrent load on one page: warm-ups, then a fixed number of requests over a few threads,
bounded in time; every answer is checked (status 200 and the expected fragment)."""

import os
import threading
import time
from dataclasses import dataclass, field

from bench.client import Browser, Sample


@dataclass
class PageRun:
    samples: list[Sample] = field(default_factory=list)
    failures: int = 0
    seconds: float = 0.0
    timed_out: bool = False

    @property
    def requests_per_second(self) -> float:
        return len(self.samples) / self.seconds if self.seconds else 0.0


def drive(
    browser: Browser,
    path: str,
    *,
    expect: bytes,
    requests: int,
    warmup: int,
    threads: int,
    max_seconds: float,
    form: dict | None = None,
    expect_status: int = 200,
) -> PageRun:
    def one() -> Sample:
        return browser.submit(path, form) if form is not None else browser.get(path)

    for _ in range(warmup):
        one()
    run, lock = PageRun(), threading.Lock()
    remaining = [requests]
    deadline = time.monotonic() + max_seconds

    def take_one() -> bool:
        with lock:
            if remaining[0] <= 0:
                return False
            if time.monotonic() > deadline:
                run.timed_out = True
                return False
            remaining[0] -= 1
            return True

    def worker() -> None:
        while take_one():
            try:
                sample = one()
            except OSError:
                with lock:
                    run.failures += 1
                continue
            good = sample.status == expect_status and expect in sample.body
            with lock:
                if good:
                    run.samples.append(sample)
                else:
                    run.failures += 1
                    if os.environ.get("BENCH_DEBUG"):
                        print("bench: failed", sample.status, sample.body[sample.body.find(b"<main") :][:600])

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    run.seconds = time.perf_counter() - started
    return run


def time_floor(cursor, sql: str, params: dict | None, *, runs: int, warmup: int) -> list[float]:
    """The same data by one query, one connection, one after another (ms per run)."""
    timings = []
    for number in range(warmup + runs):
        started = time.perf_counter()
        cursor.execute(sql, params)
        if cursor.description is not None:  # an UPDATE (the floor of saving an answer) returns no rows
            cursor.fetchall()
        if number >= warmup:
            timings.append((time.perf_counter() - started) * 1000)
    return timings
