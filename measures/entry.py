"""Questionnaires entered in clinic: on a tablet handed to the patient (kiosk) or by staff on the
patient's behalf. Both go through the same services as the portal, so alerts fire the same way."""

from django.db import transaction

from measures.models import Instrument, Response
from measures.services import Submission, save_answer, start_response, submit_response


@transaction.atomic
def record_in_clinic(
    *, patient, instrument: Instrument, answers: dict, source: str, entered_by=None, context: dict | None = None
) -> Submission:
    """Start, answer and submit one response in one transaction.

    Preconditions: the caller may enter responses for this patient, and ``answers`` holds option
    values of the instrument's items (None for an item left unanswered). ``source`` is KIOSK or
    ON_BEHALF; ``entered_by`` is the member of staff who typed the answers (None for the kiosk).
    """
    assert source in (Response.Source.KIOSK, Response.Source.ON_BEHALF)
    response = start_response(patient=patient, instrument=instrument, source=source, entered_by=entered_by)
    for item_code, value in answers.items():
        if value is not None:
            response = save_answer(response=response, item_code=item_code, value=value)
    return submit_response(response=response, context=context)
