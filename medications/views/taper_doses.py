"""The taper's doses a person can take: the prescriber sees each step's target and rounded daily dose (mg and
MME) and confirms the schedule, or works it out again from the medication list. Everyone with access reads;
prescribers confirm (the services check again and audit).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from clinic.access import get_patient_for_user
from clinic.access.medication_lines import PRESCRIBER_DECISION, may_prescribe
from clinic.access.refusals import refuse_unless
from medications.rules import taper_doses
from medications.selectors.tapers import stored_doses
from medications.services import StaleEdit
from medications.services.tapers import NothingToConfirm, confirm_doses, work_out_doses
from medications.views.common import page, refusals, seen
from medications.views.tapers import taper_for

CONFIRM, WORK_OUT = "confirm", "work_out"


class DosesForm(forms.Form):
    action = forms.ChoiceField(choices=[(CONFIRM, CONFIRM), (WORK_OUT, WORK_OUT)])
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def taper_doses_page(request: HttpRequest, public_id, taper_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    taper = taper_for(patient, taper_id)
    if request.method == "POST":
        refuse_unless(may_prescribe(request.user, patient), PRESCRIBER_DECISION)
        return _act(request, taper)
    seen(request, patient, "taper doses")
    context = {
        "taper": taper,
        "steps": stored_doses(taper),
        "problem": taper.doses.get("problem", ""),
        "may_prescribe": may_prescribe(request.user, patient),
        "liquid_measure": taper_doses.LIQUID_MEASURE_ML,
        "max_units": taper_doses.MAX_UNITS_PER_DOSE,
    }
    return page(request, "medications/taper/doses.html", patient, context)


def _act(request: HttpRequest, taper) -> HttpResponse:
    form = DosesForm(request.POST)
    here = redirect("medications:taper_doses", public_id=taper.patient.public_id, taper_id=taper.public_id)
    if not form.is_valid():
        messages.error(request, "Something was missing from the form: try again.")
        return here
    service = confirm_doses if form.cleaned_data["action"] == CONFIRM else work_out_doses
    try:
        service(taper=taper, by=request.user, audit=request.audit, expected_version=form.cleaned_data["version"])
    except StaleEdit:
        messages.error(request, "This taper changed while the page was open: check the doses below and try again.")
    except NothingToConfirm:
        messages.error(request, "There is no rounded schedule to confirm for this taper.")
    else:
        done = (
            "Schedule confirmed: the patient's print and portal page show it."
            if service is confirm_doses
            else ("Doses worked out again from the medication list: check and confirm them.")
        )
        messages.success(request, done)
    return here
