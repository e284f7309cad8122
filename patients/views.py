from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from audit.models import Action
from audit.services import record_access
from clinic.access import get_patient_for_user, patients_visible_to
from measures.permissions import may_enter_responses
from measures.templatetags.measures_banner import banner_for
from measures.trends import trends_for
from patients.models import clean_query, search_kind

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
    record_access(request=request, patient=None, action=Action.VIEW, target=target)
    context = {"query": query, "patients": shown[:PAGE_SIZE], "more": len(shown) > PAGE_SIZE}
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
        "trends": trends_for(patient),
        "banner": banner_for(patient, request.user),
        "may_enter_questionnaires": may_enter_responses(request.user, patient),
    }
    return TemplateResponse(request, "patients/chart.html", context)
