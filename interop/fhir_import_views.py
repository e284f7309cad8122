"""Register from a FHIR referral (coordinators and clinic admins): paste or upload, see what would be created and
who may already be registered, confirm. One page, three steps, each a POST; nothing is saved before the last."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from audit.models import Action
from audit.services import record_access, record_access_each
from clinic.access import patients_visible_to
from interop.fhir_import import IncomingReferral, ReferralProblems, read_referral
from interop.fhir_import_forms import ConfirmReferralForm, ReferralTextForm
from interop.fhir_import_services import register_from_referral
from patients.models import Language, PainCondition, Patient, Sex
from patients.services import MRNTaken, PossibleDuplicate, find_possible_duplicates, patient_with_mrn

PASTE_TEMPLATE = "interop/import/paste.html"
PREVIEW_TEMPLATE = "interop/import/preview.html"


@login_required
@permission_required("patients.register_patient", raise_exception=True)
@require_http_methods(["GET", "POST"])
def register_from_fhir(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("step") == "register":
        return confirm(request)
    form = ReferralTextForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return paste_page(request, form)
    text = form.cleaned_data["json"]
    try:
        referral = read_referral(text)
    except ReferralProblems as refused:
        return paste_page(request, ReferralTextForm(initial={"text": text}), problems=refused.problems)
    return preview_page(request, referral, ConfirmReferralForm(initial={"text": text}))


def confirm(request: HttpRequest) -> HttpResponse:
    """Read the confirmed JSON again (never trusting what came back from the page) and register."""
    form = ConfirmReferralForm(request.POST)
    valid = form.is_valid()
    text = request.POST.get("text", "")
    chosen = form.cleaned_data.get("primary_condition") or PainCondition.OTHER
    try:
        referral = read_referral(text, primary_condition=chosen)
    except ReferralProblems as refused:
        return paste_page(request, ReferralTextForm(initial={"text": text}), problems=refused.problems)
    if not valid:
        return preview_page(request, referral, form)
    try:
        patient = register_from_referral(
            referral=referral,
            by=request.user,
            audit=request.audit,
            confirmed_new_person=form.cleaned_data["confirm_new_person"],
        )
    except (MRNTaken, PossibleDuplicate):  # someone registered them since the preview: show who, save nothing
        return preview_page(request, referral, form)
    messages.success(request, f"{patient.full_name} is registered (MRN {patient.mrn}) from the FHIR referral.")
    return redirect("patients:chart", public_id=patient.public_id)


def paste_page(request: HttpRequest, form: ReferralTextForm, *, problems=()) -> HttpResponse:
    """The form again, with the problems named and the text kept (200, as the registration form answers)."""
    context = {"form": form, "problems": list(problems)}
    return TemplateResponse(request, PASTE_TEMPLATE, context)


def preview_page(request: HttpRequest, referral: IncomingReferral, form: ConfirmReferralForm) -> HttpResponse:
    """What registration would create, and anyone already registered who may be this person (audited)."""
    mrn_taken = patient_with_mrn(referral.mrn)
    details = referral.details
    duplicates = find_possible_duplicates(
        given_name=details["given_name"], family_name=details["family_name"], date_of_birth=details["date_of_birth"]
    )
    mark_who_may_open(request, [p for p in (mrn_taken, *duplicates) if p is not None])
    record_access(request=request, patient=None, action=Action.VIEW, target="FHIR referral: preview")
    context = {
        "referral": referral,
        "details": details,
        "form": form,
        "mrn_taken": mrn_taken,
        "duplicates": [p for p in duplicates if mrn_taken is None or p.pk != mrn_taken.pk],
        "sex_label": dict(Sex.choices)[details["sex"]],
        "language_label": dict(Language.choices)[details["preferred_language"]],
    }
    return TemplateResponse(request, PREVIEW_TEMPLATE, context)


def mark_who_may_open(request: HttpRequest, shown: list[Patient]) -> None:
    """Link only the patients the user may open; every patient shown is audited, as registration's refusals are."""
    if not shown:
        return
    ids = [patient.pk for patient in shown]
    visible = set(patients_visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    for patient in shown:
        patient.may_open = patient.pk in visible
    target = "FHIR referral: possible match shown"
    record_access_each(
        request=request, patients=list({p.pk: p for p in shown}.values()), action=Action.VIEW, target=target
    )
