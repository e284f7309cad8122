"""The FHIR read API: /fhir/metadata, read, search and Patient/$everything.

Bearer tokens, not cookies: the endpoints are CSRF-exempt, read no session and only answer GET. Every answer
is FHIR JSON; every refusal an OperationOutcome (interop/api/outcomes.py), audited (interop/api/reads.py).
"""

from collections.abc import Callable, Sequence
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from interop.api import reads
from interop.api.bearer import calling_client
from interop.api.capability import capability_statement
from interop.api.outcomes import FhirRefusal, fhir_response, operation_outcome
from interop.api.paging import Page, Position, Source, page_of, page_size
from interop.fhir import registry
from interop.models import FhirClient
from patients.models import Patient

PAGING_PARAMETERS = frozenset({"_count", "_page", "_format"})
ONLY_GET = "This API only reads: use GET."
NOT_SUPPORTED = "This server only reads and searches resources; /fhir/metadata lists what it supports."
BAD_PAGE = "That page link is not valid for this search; start again from the first page."


def fhir_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only, no CSRF (no cookies), the calling client found by its token, refusals answered and audited."""

    @csrf_exempt
    @wraps(view)
    def endpoint(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return operation_outcome(405, ONLY_GET)
        client = None
        try:
            client = calling_client(request)
            return view(request, client, *args, **kwargs)
        except FhirRefusal as refusal:
            reads.audit_refusal(request, client, refusal)
            return refusal.response()

    return endpoint


@csrf_exempt
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: no token needed, no patient data."""
    if request.method not in ("GET", "HEAD"):
        return operation_outcome(405, ONLY_GET)
    return fhir_response(capability_statement(base_url=api_base(request)))


@fhir_endpoint
def read(request: HttpRequest, client: FhirClient, type_name: str, fhir_id: str) -> HttpResponse:
    entry, row = reads.visible_row(client, reads.resource_type(client, type_name), fhir_id)
    patient = entry.patient_of(row) if entry.patient_of else None
    reads.audit_read(request, client, [patient] if patient else [], f"read {type_name}")
    return fhir_response(entry.to_fhir(row))


@fhir_endpoint
def search(request: HttpRequest, client: FhirClient, type_name: str) -> HttpResponse:
    resource = reads.resource_type(client, type_name)
    patient_parameters = search_parameters(resource)
    refuse_unknown_parameters(request, allowed=PAGING_PARAMETERS | patient_parameters, type_name=type_name)
    patients = patients_searched(request, client, patient_parameters)
    page = requested_page(request, resource.sources(patients))
    reads.audit_read(request, client, reads.patients_of((s.name, row) for s, row in page.rows), f"search {type_name}")
    return fhir_response(searchset(request, page))


@fhir_endpoint
def everything(request: HttpRequest, client: FhirClient, fhir_id: str) -> HttpResponse:
    """Every resource about one patient that the client may read (the types in its scopes, Patient first), and
    the practitioners they name, paged. The client needs the Patient scope to ask."""
    patient_type = reads.resource_type(client, "Patient")
    refuse_unknown_parameters(request, allowed=PAGING_PARAMETERS, type_name="Patient/$everything")
    _, patient = reads.visible_row(client, patient_type, fhir_id)
    only_them = Patient.objects.filter(pk=patient.pk)
    sources = [  # the registry's order: Patient first, then the people its resources name, then the rest
        Source(key, entry.rows(only_them))
        for key, entry in registry.RESOURCE_TYPES.items()
        if client.may_read(entry.name)
    ]
    page = requested_page(request, sources)
    reads.audit_read(request, client, [patient], "Patient $everything")
    return fhir_response(searchset(request, page))


@fhir_endpoint
def not_supported(request: HttpRequest, client: FhirClient, rest: str = "") -> HttpResponse:
    """Any other path under /fhir/ (history, system search, operations other than $everything)."""
    raise FhirRefusal(404, NOT_SUPPORTED)


def search_parameters(resource: reads.FhirType) -> frozenset[str]:
    """The parameters naming a patient: `patient` for a type about one patient, `_id` too for Patient."""
    if not resource.about_one_patient:
        return frozenset()
    return frozenset({"patient", "_id"}) if resource.name == "Patient" else frozenset({"patient"})


def patients_searched(request: HttpRequest, client: FhirClient, parameters: frozenset[str]):
    """The client's patients, narrowed to the one the search names (a 404 when it may not read them). Naming
    two different patients (repeated parameters mean "and") finds nothing."""
    named = {
        reads.patient_named(client, value).pk for name in sorted(parameters) for value in request.GET.getlist(name)
    }
    if not named:
        return client.readable_patients()
    return Patient.objects.filter(pk=named.pop()) if len(named) == 1 else Patient.objects.none()


def refuse_unknown_parameters(request: HttpRequest, *, allowed: frozenset[str], type_name: str) -> None:
    """An unsupported parameter is refused, not ignored: ignoring a filter would hand back more than was asked."""
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        shown = ", ".join(name[:40] for name in unknown[:5])
        raise FhirRefusal(400, f"{type_name} cannot be searched by {shown}; /fhir/metadata lists what can.")


def requested_page(request: HttpRequest, sources: Sequence[Source]) -> Page:
    try:
        count = page_size(request.GET.get("_count"))
    except ValueError:
        raise FhirRefusal(400, "_count must be a whole number of 1 or more.") from None
    try:
        at = Position.unsigned(request.GET["_page"]) if "_page" in request.GET else None
        return page_of(sources, at=at, count=count)
    except ValueError:
        raise FhirRefusal(400, BAD_PAGE) from None


def searchset(request: HttpRequest, page: Page) -> dict:
    base = api_base(request)
    entries = []
    for source, row in page.rows:
        resource = registry.RESOURCE_TYPES[source.name]  # the registry entry that made this row
        entries.append(
            {
                "fullUrl": f"{base}{resource.name}/{resource.fhir_id(row)}",
                "resource": resource.to_fhir(row),
                "search": {"mode": "match"},
            }
        )
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    links += [
        {"relation": relation, "url": page_link(request, position)}
        for relation, position in (("next", page.next), ("previous", page.previous))
        if position is not None
    ]
    bundle = {"resourceType": "Bundle", "type": "searchset", "timestamp": timezone.now().isoformat(), "link": links}
    if entries:
        bundle["entry"] = entries
    return bundle


def page_link(request: HttpRequest, position: Position) -> str:
    query = request.GET.copy()
    query["_page"] = position.sign()
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def api_base(request: HttpRequest) -> str:
    """The API's base address, ending in a slash (http://host/fhir/)."""
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata")
