"""Logging filters (pure: imported by the logging configuration, before the apps are ready).

A patient link carries its token in the path (/p/<token>/), and Django logs request paths in its
own warnings (404, 405, 429, CSRF failures) and the development server logs every request line.
`RedactPatientLinks` replaces the token segment with a marker before any handler sees the record.
"""

import logging
import re

# Portal paths under /p/ that are pages, not tokens (portal/urls.py and its includes).
PORTAL_PAGES = ("start", "q", "thanks", "later", "intake", "referrals", "plan")
REDACTED = "[redacted]"
# "/p/" followed by any segment that is not a portal page name: a token, a guess, or a part of one.
_PAGES = "|".join(PORTAL_PAGES)
PATIENT_LINK = re.compile(rf"/p/(?!(?:{_PAGES})(?:[/?#\s'\"]|$))[^/?#\s'\"<>]+")


def redact_patient_links(text: str) -> str:
    return PATIENT_LINK.sub(f"/p/{REDACTED}", text)


class RedactPatientLinks(logging.Filter):
    """Rewrite the record's message (with its args applied) and any traceback text without tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error reporting
            return True
        redacted = redact_patient_links(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_patient_links(record.exc_text)
        return True
