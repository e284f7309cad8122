"""Trends for the clinician's chart: per instrument, the SVG chart and the change since baseline.

Reads are bounded and constant in queries: one query for the responses (the baseline and the latest
60 per instrument, see ``ResponseQuerySet.for_trends``) and one for their instruments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.safestring import SafeString, mark_safe

from measures.change import Change, change_with
from measures.definitions import InstrumentDefinition
from measures.models import Instrument, Response
from measures.trend_chart import trend_svg

LATEST_PER_INSTRUMENT = 60


@dataclass
class Trend:
    code: str
    definition: InstrumentDefinition
    responses: list[Response] = field(default_factory=list)  # oldest first
    change: Change | None = None
    svg: SafeString = field(default_factory=SafeString)

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def baseline(self) -> Response:
        return self.responses[0]

    @property
    def latest(self) -> Response:
        return self.responses[-1]

    @property
    def count(self) -> int:
        return len(self.responses)


def trends_for(patient, *, codes: list[str] | None = None, latest: int = LATEST_PER_INSTRUMENT) -> list[Trend]:
    """Trends of the patient's scored responses, by instrument name; two queries."""
    responses = Response.objects.filter(patient=patient)
    if codes is not None:
        responses = responses.filter(instrument__code__in=codes)
    rows = list(
        responses.for_trends(latest=latest).defer("answers", "context").prefetch_related(prefetch_instruments())
    )
    trends: dict[str, Trend] = {}
    for response in rows:
        code = response.instrument.code
        if code not in trends:
            trends[code] = Trend(code=code, definition=response.instrument.spec)
        trends[code].responses.append(response)
    for trend in trends.values():
        newest = max(trend.responses, key=lambda r: r.instrument.loaded_at).instrument
        trend.definition = newest.spec  # bands and rules of the newest version seen
        trend.change = change_with(trend.definition, trend.baseline.total, trend.latest.total)
        trend.svg = mark_safe(  # trend_svg escapes every piece of text it writes
            trend_svg(
                [(r.completed_at, r.total) for r in trend.responses],
                definition=trend.definition,
                id_prefix=f"trend-{code_for_id(trend.code)}",
            )
        )
    return sorted(trends.values(), key=lambda t: t.name.lower())


def prefetch_instruments() -> Prefetch:
    return Prefetch(
        "instrument", queryset=Instrument.objects.only("id", "code", "name", "definition", "checksum", "loaded_at")
    )


def code_for_id(code: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in code)
