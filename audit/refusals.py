"""Refused attempts: every 404 or 403 a signed-in person gets from a view is audited, in this one place.

The access helpers (``clinic.access.get_patient_for_user`` and the object helpers built on the same rule)
raise ``NotVisible``: to the person it is the plain 404 page, the same whether the object exists or not, so
nothing is revealed; to the audit trail it says what was asked for (the kind of object and its public id).

``RefusedAccessMiddleware`` writes one REFUSED event for every ``Http404`` or ``PermissionDenied`` a view
raises for a signed-in person: who, when, from where, the path (never a patient link's token), the outcome
(403 or 404) and what was asked for: the exception's object, then the ids in the URL (a patient, a
referral, a task, a questionnaire response...). When the object exists, the event names its patient, so
the attempt shows on that patient's access report; an unknown id is recorded as tried, with no patient.
Targets hold kinds, public ids and the page's URL name: never a patient's name.

A view that turns a refusal into its own 403 page (no exception reaches the middleware) calls
``record_refusal`` itself.
"""

import re
import uuid

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from audit.models import Action, AuditEvent
from audit.services import record_access


class NotVisible(Http404):
    """A 404 to the person; for the audit trail, the object that was asked for."""

    def __init__(self, kind: str, public_id, message: str = "Not found."):
        super().__init__(message)
        self.kind = kind
        self.public_id = public_id


# What a URL's keyword names (the patient pages all start /patients/<public_id>/).
URL_KINDS = {
    "public_id": "patient",
    "referral_id": "referral",
    "task_id": "team task",
    "response_id": "questionnaire response",
    "visit_id": "visit note",
    "note_id": "psychotherapy note",
    "conference_id": "case conference",
    "goal_id": "goal",
    "intervention_id": "treatment",
    "sprint_id": "sprint",
    "pacing_id": "pacing plan",
    "medication_id": "medication line",
    "trial_id": "opioid trial",
    "taper_id": "taper plan",
    "absence_id": "time away",
    "problem_id": "problem",
    "flag_id": "red flag",
    "appointment_id": "appointment",
    "object_id": "admin object",
}
# The kinds whose row says which patient it is about: (app label, model, the patient's column).
PATIENT_OF = {
    "patient": ("patients", "Patient", "pk"),
    "referral": ("clinic", "Referral", "patient_id"),
    "team task": ("clinic", "TeamTask", "patient_id"),
    "questionnaire response": ("measures", "Response", "patient_id"),
    "visit note": ("patients", "Encounter", "patient_id"),
    "psychotherapy note": ("patients", "PsychotherapyNote", "patient_id"),
    "appointment": ("clinic", "Appointment", "patient_id"),
}
NEVER_RECORDED = {"token"}  # a patient link's token is never written anywhere
PLAIN_VALUE = re.compile(r"[\w.-]{1,40}")
TARGET_LENGTH = 200


class RefusedAccessMiddleware:
    """After AuthenticationMiddleware: audit the 404s and 403s views raise; the response is unchanged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404 | PermissionDenied):
            record_refusal(request=request, exception=exception)
        return None  # Django answers with its usual 404 or 403 page


def record_refusal(*, request: HttpRequest, exception: Exception) -> AuditEvent | None:
    """One REFUSED event for a signed-in person's refused request (two queries at most: the patient, the row)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None  # staff pages sign in first; the portal answers unknown links with its own calm page
    status = 404 if isinstance(exception, Http404) else 403
    asked = asked_for(request, exception)
    match = getattr(request, "resolver_match", None)
    page = f" at {match.view_name}" if match and match.view_name else ""
    what = ", ".join(f"{kind} {value}" for kind, value in asked) or "a page"
    target = f"refused ({status}){page}: {what}"
    return record_access(
        request=request, patient=patient_concerned(asked), action=Action.REFUSED, target=target[:TARGET_LENGTH]
    )


def asked_for(request: HttpRequest, exception: Exception) -> list[tuple[str, str]]:
    """(kind, public id) pairs: the exception's object first, then the URL's ids, each once."""
    pairs: list[tuple[str, str]] = []
    if isinstance(exception, NotVisible):
        pairs.append((exception.kind, plain(exception.public_id)))
    match = getattr(request, "resolver_match", None)
    for name, value in match.kwargs.items() if match else ():
        if name in NEVER_RECORDED:
            continue
        pair = (URL_KINDS.get(name, name.removesuffix("_id").replace("_", " ")), plain(value))
        if pair not in pairs:
            pairs.append(pair)
    return pairs


def plain(value) -> str:
    """An id or a short code as text; anything else (free text, a path) is not recorded."""
    if isinstance(value, uuid.UUID | int):
        return str(value)
    text = str(value)
    return text if PLAIN_VALUE.fullmatch(text) else "(not recorded)"


def patient_concerned(asked: list[tuple[str, str]]) -> int | None:
    """The patient the refused object is about, if it exists (one query), else None."""
    for kind, value in asked:
        if kind not in PATIENT_OF:
            continue
        try:
            public_id = uuid.UUID(value)
        except ValueError:
            continue
        app_label, model_name, column = PATIENT_OF[kind]
        model = apps.get_model(app_label, model_name)
        return model.objects.filter(public_id=public_id).values_list(column, flat=True).first()
    return None
