"""FHIR JSON responses: resources and Bundles, and the OperationOutcome every refusal and error answers with.

Every response says `application/fhir+json` and `Cache-Control: no-store` (patient data: no cache keeps a
copy). Diagnostics never name a patient or echo a token."""

import json

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json; charset=utf-8"

# FHIR's IssueType codes for the answers the API gives.
STATUS_ISSUE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    429: "throttled",
}


def fhir_response(resource: dict, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(resource, separators=(",", ":")), content_type=FHIR_JSON, status=status)
    response["Cache-Control"] = "no-store, private"
    return response


def operation_outcome(status: int, diagnostics: str) -> HttpResponse:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": STATUS_ISSUE[status], "diagnostics": diagnostics}],
    }
    response = fhir_response(outcome, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="fhir"'
    return response


class FhirRefusal(Exception):
    """A request the API refuses: the status and the words of its OperationOutcome, and, for the audit trail,
    the patient it concerned when that patient exists (never shown to the client)."""

    def __init__(self, status: int, diagnostics: str, *, patient=None):
        super().__init__(diagnostics)
        self.status = status
        self.diagnostics = diagnostics
        self.patient = patient

    def response(self) -> HttpResponse:
        return operation_outcome(self.status, self.diagnostics)
