"""The de-identified research export: one CSV row per completed questionnaire response, with its item-level answers
and scores, for the clinic's registry and research. What is in it and what never is: interop/research.py.

It streams: the rows are read with one server-side cursor (``.iterator()``) and written one by one, so memory stays
the same whatever the size of the clinic, and the number of queries too (the instruments, the responses, the audit
event). The reads run inside ``interop.replica.reading_from_replica()``: from the read replica when there is one.
"""

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.refusals import refuse_unless
from clinic.access.research import ADMINS_ONLY, may_run_research_export
from clinic.models import User
from interop.replica import reading_from_replica
from interop.research import age_group, day_shift, research_key, shifted, study_id
from measures.models import Instrument, Response

CHUNK = 2000
FIXED_COLUMNS = (
    "study_id",
    "response_number",
    "instrument",
    "instrument_version",
    "completed_on_shifted",
    "age_years",
    "sex",
    "main_condition",
    "answered_in",
    "answered_by",
    "total",
    "band",
    "positive",
    "valid",
)
RESPONSE_FIELDS = (
    "patient_id",
    "patient__public_id",
    "patient__date_of_birth",
    "patient__sex",
    "patient__primary_condition",
    "instrument__code",
    "instrument__version",
    "completed_at",
    "language",
    "source",
    "answers",
    "total",
    "band",
    "positive",
    "valid",
)


class Echo:
    """A file that hands back what is written to it, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def research_export_lines(*, by: User, audit: AuditContext | None = None) -> Iterator[str]:
    """The CSV, line by line (the header first), read from the replica when there is one.

    Refused unless `by` is a clinic admin. When the stream ends, one audit event (action "export") records the
    number of rows written, and whether the download stopped before the end.
    """
    refuse_unless(may_run_research_export(by), ADMINS_ONLY)  # now, not when the stream is first read
    return stream_lines(by=by, audit=audit)


def stream_lines(*, by: User, audit: AuditContext | None) -> Iterator[str]:
    writer = csv.writer(Echo())
    written, finished = 0, False
    try:
        with reading_from_replica():
            items = item_columns()
            yield writer.writerow([*FIXED_COLUMNS, *items])
            for row in research_rows(items):
                written += 1  # counted as handed to the server: a download stopped now had this row
                yield writer.writerow(row)
        finished = True
    finally:
        ending = "" if finished else ", stopped before the end"
        target = f"research export (de-identified CSV): {written} row{'' if written == 1 else 's'}{ending}"
        record_event(actor=by, context=audit, patient=None, action=Action.EXPORT, target=target)


def item_columns() -> list[str]:
    """Every item code of every instrument version loaded, in instrument order then item order (one query)."""
    columns: dict[str, None] = {}
    for definition in Instrument.objects.order_by("code", "version").values_list("definition", flat=True):
        for item in definition.get("items", []):
            columns[str(item.get("code"))] = None
    return list(columns)


def research_rows(items: list[str]) -> Iterator[list]:
    """One row per completed response, a patient's rows together in date order (one query, streamed)."""
    key = research_key()
    responses = (
        Response.objects.completed()
        .order_by("patient_id", "completed_at", "id")
        .values(*RESPONSE_FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    patient_id, number, person = None, 0, ("", 0)
    for response in responses:
        if response["patient_id"] != patient_id:
            patient_id, number = response["patient_id"], 0
            person = (study_id(key, response["patient__public_id"]), day_shift(key, response["patient__public_id"]))
        number += 1
        yield row_for(response, person, number, items)


def row_for(response: dict, person: tuple[str, int], number: int, items: list[str]) -> list:
    patient_study_id, shift = person
    completed_on = timezone.localdate(response["completed_at"])
    return [
        patient_study_id,
        number,
        response["instrument__code"],
        response["instrument__version"],
        shifted(completed_on, shift).isoformat(),
        age_group(response["patient__date_of_birth"], completed_on),
        response["patient__sex"],
        response["patient__primary_condition"],
        response["language"],
        response["source"],
        plain_number(response["total"]),
        response["band"],
        yes_no(response["positive"]),
        yes_no(response["valid"]),
        *item_answers(response["answers"], items),
    ]


def item_answers(answers, items: Iterable[str]) -> list:
    """Each item's answer when it is a number (every item of Haven's instruments); anything else is left out,
    so no free text can reach the export."""
    answers = answers if isinstance(answers, dict) else {}
    return [plain_number(value) if is_number(value) else "" for value in (answers.get(code) for code in items)]


def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def plain_number(value) -> str:
    if value is None:
        return ""
    return format(Decimal(str(value)).normalize(), "f")  # 4.0000 is "4", 4.5000 is "4.5"


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")
