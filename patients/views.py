from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import Action
from audit.services import record_access
from clinic.access import get_patient_for_user, patients_visible_to
from clinic.access.appointments import may_book
from clinic.access.patients import may_chart, may_offer_registration
from clinic.access.schedules import may_enter_responses
from clinic.access.staff import may_manage_care_team
from clinic.appointment_views import chart_appointments
from clinic.care_team_services import CareTeamRefused
from clinic.referral_views import chart_referrals
from clinic.selectors import team_section_for
from measures.trends import trends_for
from medications.selectors.pages import chart_section as medication_chart_section
from patients.allergy_views import allergy_section
from patients.banner import patient_page
from patients.forms import PatientDetailsForm, RegistrationForm
from patients.models import clean_query, search_kind
from patients.problem_views import chart_sections as problem_chart_sections
from patients.selectors import timeline_for
from patients.services import MRNTaken, PossibleDuplicate, register_patient, update_patient_details
from patients.story import latest_intake_for

PAGE_SIZE = 50


@login_required
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    patients = patients_visible_to(request.user).search(query).for_listing()
    patients = patients.order_by("family_name", "given_name", "id")
    shown = list(patients[: PAGE_SIZE + 1])
    kind = search_kind(clean_query(query))
    target = f"patient list, search by {kind.label}" if kind else "patient list"
    record_access(request=request, patient=None, action=Action.VIEW, target=target, shown=shown[:PAGE_SIZE])
    context = {
        "query": query,
        "patients": shown[:PAGE_SIZE],
        "more": len(shown) > PAGE_SIZE,
        "may_register": may_offer_registration(request.user),
    }
    template = "patients/list.html#results" if request.htmx else "patients/list.html"
    return TemplateResponse(request, template, context)


@login_required
@require_GET
def patient_chart(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    record_access(request=request, patient=patient, action=Action.VIEW, target="chart")
    team = patient.care_team.select_related("member").order_by("-is_lead", "member__last_name")
    context = {
        "patient": patient,
        "team": list(team),
        "may_manage_care_team": may_manage_care_team(request.user),
        "trends": trends_for(patient),
        "may_enter_questionnaires": may_enter_responses(request.user, patient),
        "referrals": chart_referrals(patient),
        "appointments": chart_appointments(patient),  # upcoming and recent (issue 15)
        "may_book_appointments": may_book(request.user),
        **problem_chart_sections(patient, request.user),  # red_flag_section, problem_section
        "allergy_section": allergy_section(patient, may_chart=may_chart(request.user, patient)),
        "timeline": timeline_for(patient, request.user),
        "intake": latest_intake_for(patient),
        "team_section": team_section_for(patient, request.user),  # messages, early warning (clinic)
        "medication_section": medication_chart_section(patient, request.user),  # medications (issue 6)
    }
    return patient_page(request, "patients/chart.html", context)


@login_required
@permission_required("patients.register_patient", raise_exception=True)
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Register a patient (coordinators and admins); a possible duplicate needs a confirmation."""
    form = RegistrationForm(request.POST or None)
    refusal = {}
    if request.method == "POST" and form.is_valid():
        team = form.care_team()
        try:
            patient = register_patient(
                by=request.user,
                audit=request.audit,
                confirmed_new_person=form.cleaned_data["confirm_new_person"],
                **team,
                **form.details(),
            )
        except (MRNTaken, PossibleDuplicate) as refused:
            refusal = explain_refusal(request, form, refused, during="registration")
        except CareTeamRefused as refused:  # a clinician chosen was deactivated meanwhile: nothing was saved
            field = "lead_clinician" if team["lead"] and team["lead"].pk == refused.member_id else "team_members"
            form.add_error(field, f"{refused} Nothing was saved yet.")
        else:
            messages.success(request, f"{patient.full_name} is registered (MRN {patient.mrn}).")
            return redirect("patients:chart", public_id=patient.public_id)
    return TemplateResponse(request, "patients/register.html", {"form": form, **refusal})


@login_required
@permission_required("patients.register_patient", raise_exception=True)
@require_http_methods(["GET", "POST"])
def edit_details(request: HttpRequest, public_id) -> HttpResponse:
    """Change a patient's registry details, with the checks registration makes."""
    patient = get_patient_for_user(request.user, public_id)
    refusal = {}
    if request.method == "POST":
        form = PatientDetailsForm(request.POST)
        if form.is_valid():
            try:
                patient = update_patient_details(
                    patient=patient,
                    by=request.user,
                    audit=request.audit,
                    confirmed_new_person=form.cleaned_data["confirm_new_person"],
                    **form.details(),
                )
            except (MRNTaken, PossibleDuplicate) as refused:
                refusal = explain_refusal(request, form, refused, during="edit details")
            else:
                messages.success(request, f"{patient.full_name}'s details are saved.")
                return redirect("patients:chart", public_id=patient.public_id)
    else:
        form = PatientDetailsForm(initial=PatientDetailsForm.initial_for(patient))
        record_access(request=request, patient=patient, action=Action.VIEW, target="edit patient details")
    context = {"form": form, "patient": patient, **refusal}
    return patient_page(request, "patients/edit_details.html", context)


def explain_refusal(request: HttpRequest, form: PatientDetailsForm, refused, *, during: str) -> dict:
    """Mark the form for an MRN in use or a possible duplicate; the other patients shown are audited."""
    if isinstance(refused, MRNTaken):
        existing = refused.existing
        form.add_error(
            "mrn",
            f"MRN {existing.mrn} already belongs to {existing.full_name}, born "
            f"{existing.date_of_birth:%b} {existing.date_of_birth.day}, {existing.date_of_birth.year}. "
            "Check the number: each patient has their own MRN.",
        )
        shown = [existing]
        context = {"mrn_taken": existing}
        target = f"{during}: MRN already in use"
    else:
        shown = refused.matches
        context = {"duplicates": refused.matches}
        target = f"{during}: possible duplicate"
    visible = set(patients_visible_to(request.user).filter(pk__in=[p.pk for p in shown]).values_list("pk", flat=True))
    for patient in shown:
        patient.may_open = patient.pk in visible
        record_access(request=request, patient=patient, action=Action.VIEW, target=target)
    return context
