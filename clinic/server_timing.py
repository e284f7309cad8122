"""Benchmarks only (SERVER_TIMING=true): how long each request took and how many SQL queries it ran.

Adds two headers, with numbers only and never patient data:

    Server-Timing: app;dur=12.3, db;dur=4.1;desc="7 queries"
    X-Queries: 7

`app` is the whole time spent below this middleware (views, templates, other middleware), `db`
the time spent inside the database driver. Settings put this middleware first so that it sees
every query of the request.
"""

import time
from contextlib import ExitStack

from django.db import connections


class QueryTally:
    """An execute wrapper (see Django's "Database instrumentation") that counts and times queries."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tally = QueryTally()
        started = time.perf_counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(tally))
            response = self.get_response(request)
        app_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = server_timing(app_ms=app_ms, db_ms=tally.seconds * 1000, queries=tally.count)
        response["X-Queries"] = str(tally.count)
        return response


def server_timing(*, app_ms: float, db_ms: float, queries: int) -> str:
    return f'app;dur={app_ms:.1f}, db;dur={db_ms:.1f};desc="{queries} queries"'
