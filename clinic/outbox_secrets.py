"""No raw patient-link token at rest in the outbox: a message's body is forgotten once it is done.

Links are written into the message body when the message is queued (the token itself is never
stored anywhere else, only its hash). Once the message has been sent, or given up on, the body has
no further use, so the body of a patient message is replaced by a short token-free note, and any
other message keeps its words with any patient link redacted.
"""

from clinic.log_filters import redact_patient_links
from clinic.models import OutboxMessage

SENT_NOTE = "[sent; the link is not kept]"
GAVE_UP_NOTE = "[not sent; the link is not kept]"


def forget_secrets(message: OutboxMessage, *, note: str = SENT_NOTE) -> dict[str, str]:
    """The field values that forget a message's link, for the UPDATE that marks it sent or given up on
    (one statement: the body is forgotten exactly when, and only if, the message is done)."""
    body = note if message.patient_id is not None else redact_patient_links(message.body)
    return {"body": body, "subject": redact_patient_links(message.subject)}
