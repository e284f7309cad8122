"""The clinic's written opioid policy (clinic admins): the current version, earlier ones, and a new version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from clinic.access.refusals import refuse_unless
from medications.forms import POLICY_SECTIONS, PolicyForm
from medications.models import AgreementPolicy
from medications.selectors.monitoring import current_policy, policy_or_defaults
from medications.services.opioid_safety import publish_policy
from medications.views.common import refusals

POLICY_VERSIONS_SHOWN = 50


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def policy_edit(request: HttpRequest) -> HttpResponse:
    """The clinic's written opioid policy: the current version, earlier versions, and a new version (admins)."""
    refuse_unless(request.user.is_clinic_admin, "Clinic admins edit the clinic's opioid policy.")
    current = current_policy()
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_for(current or policy_or_defaults()))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        policy = publish_policy(
            by=request.user,
            sections=form.sections(),
            drug_screen_every_days=data["drug_screen_every_days"],
            pdmp_every_days=data["pdmp_every_days"],
            agreement_review_every_days=data["agreement_review_every_days"],
            taper_reason_above_mme=data["taper_reason_above_mme"],
        )
        messages.success(request, f"Policy version {policy.version} published. Earlier agreements keep their version.")
        return redirect("medications:opioid_policy")
    versions = list(AgreementPolicy.objects.select_related("created_by").order_by("-version")[:POLICY_VERSIONS_SHOWN])
    context = {"form": form, "current": current, "versions": versions, "sections": POLICY_SECTIONS}
    return TemplateResponse(
        request, "medications/opioids/policy_edit.html", context, status=400 if form.errors else 200
    )
