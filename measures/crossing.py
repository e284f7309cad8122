"""Whether a score crossed a line between two moments (the last visit and now). Pure: no ORM.

The lines are the instrument definition's own: its responder rule (``change``, judged against the baseline by
measures.change) and its severity bands. Nothing here sets a threshold of its own.

    >>> from measures.definitions import get_definition
    >>> crossing(get_definition("peg"), baseline=7, before=6, latest=4).split(":")[0]
    'PEG crossed its responder threshold'
"""

from __future__ import annotations

from typing import Any

from measures.change import change_with
from measures.instrument import InstrumentDefinition


def crossing(definition: InstrumentDefinition, *, baseline: Any, before: Any, latest: Any) -> str | None:
    """Words for the line crossed between ``before`` (the score at the last visit) and ``latest``, against
    ``baseline``; None when nothing was crossed or a score is missing (a first score has nothing to cross)."""
    if baseline is None or before is None or latest is None:
        return None
    then = change_with(definition, baseline, before)
    now = change_with(definition, baseline, latest)
    if then.responder is not None and now.responder is not None and then.responder != now.responder:
        verb = "crossed its responder threshold" if now.responder else "fell back across its responder threshold"
        return f"{definition.name} {verb}: {now.clinician_words}"
    band_then, band_now = definition.band_for(before), definition.band_for(latest)
    if band_then and band_now and band_then != band_now:
        return f"{definition.name} moved from {band_then} to {band_now} ({now.latest})"
    return None
