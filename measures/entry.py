"""Questionnaires entered in clinic: on a tablet handed to the patient (kiosk) or by staff on the
patient's behalf. Both go through the same services as the portal, so alerts fire the same way: a PHQ-9
item 9 answer above 0 raises its safety alert and urgent task as the answer is saved, in the transaction
of the entry, and the submission says it needs crisis resources (``Submission.needs_crisis_resources``).

``not_asked`` is the gate rule the portal and the in-clinic forms share: after "No" to the PC-PTSD-5
exposure question the screen stops, so its items are neither asked nor stored nor counted as missing.
"""

from collections.abc import Mapping

from django.db import transaction

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.refusals import refuse_unless
from clinic.access.schedules import ENTRY_ONLY, may_enter_responses
from measures.definitions import InstrumentDefinition
from measures.models import Instrument, Response
from measures.scoring_context import scoring_context
from measures.services import Submission, save_answer, start_response, submit_response

# Audit targets: where the answers came from and the instrument, never the answers.
ENTRY_TARGETS: dict[str, str] = {
    Response.Source.ON_BEHALF: "questionnaire entered on behalf: {code}",
    Response.Source.KIOSK: "questionnaire on clinic tablet: {code}",
}


def not_asked(definition: InstrumentDefinition, answers: Mapping) -> frozenset[str]:
    """The items a gate skips for these answers (pure): every item but the gate once the gate's answer is its
    stop value (PC-PTSD-5, REFERENCE.md 1.5: "If No, the screen total is 0 and the screen stops"); else none.
    """
    gate = definition.gate
    if gate is None:
        return frozenset()
    value = answers.get(gate.item)
    if value is None or isinstance(value, bool):
        return frozenset()
    option = definition.item(gate.item).option_for(value)
    if option is None or option.value != gate.stop_when:
        return frozenset()
    return frozenset(item.code for item in definition.items if item.code != gate.item)


@transaction.atomic
def record_in_clinic(
    *,
    patient,
    instrument: Instrument,
    answers: dict,
    source: str,
    by,
    audit: AuditContext | None = None,
    context: dict | None = None,
) -> Submission:
    """Start, answer and submit one response in one transaction, with its audit event (actor ``by``).

    ``by`` is the member of staff responsible: who typed the answers (ON_BEHALF, kept as the response's
    ``entered_by``) or who handed the tablet over (KIOSK: the patient typed them, so nobody is kept as having
    entered them). Refused unless ``by`` may enter questionnaires for this patient (``may_enter_responses``).
    Preconditions: ``answers`` holds option values of the instrument's items (None for an item left
    unanswered); ``source`` is KIOSK or ON_BEHALF. Answers to items a gate skipped (``not_asked``) are not
    stored. ``context`` is the scoring context chosen on the form (the sex an AUDIT-C cut-off needs); without
    one, the patient's record gives it (``scoring_context``). The portal's answers (a patient's link, no staff)
    go through measures.services directly.
    """
    assert source in (Response.Source.KIOSK, Response.Source.ON_BEHALF)
    refuse_unless(may_enter_responses(by, patient), ENTRY_ONLY)
    entered_by = by if source == Response.Source.ON_BEHALF else None
    response = start_response(patient=patient, instrument=instrument, source=source, entered_by=entered_by)
    skipped = not_asked(instrument.spec, answers)
    for item_code, value in answers.items():
        if value is not None and item_code not in skipped:
            response = save_answer(response=response, item_code=item_code, value=value)
    submission = submit_response(response=response, context=context or scoring_context(patient))
    target = ENTRY_TARGETS[source].format(code=instrument.code)
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target=target)
    return submission
