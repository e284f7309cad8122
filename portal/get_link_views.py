"""The public "Get my link" page (portal/get_link.py does the work): the same words whatever happened."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from portal.get_link import ask_for_link, normalise
from portal.views import portal_page

DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"]


class GetMyLinkForm(forms.Form):
    contact = forms.CharField(
        label=_("Your email or mobile number"),
        max_length=254,
        error_messages={"required": _("Please type the email or mobile number we have for you.")},
    )
    date_of_birth = forms.DateField(
        label=_("Your date of birth"),
        input_formats=DATE_FORMATS,
        error_messages={
            "required": _("Please type your date of birth."),
            "invalid": _("Please type your date of birth as month/day/year, for example 04/23/1980."),
        },
    )

    def clean_contact(self) -> str:
        typed = self.cleaned_data["contact"]
        if normalise(typed) is None:
            raise forms.ValidationError(
                _("Please type an email address (like name@example.com) or a mobile number (like 555-010-0123).")
            )
        return typed


@portal_page
@require_http_methods(["GET", "POST"])
def get_my_link(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = GetMyLinkForm(request.POST)
        if form.is_valid():
            ask_for_link(
                typed=form.cleaned_data["contact"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                address=request.META.get("REMOTE_ADDR", ""),
                context=request.audit,
            )
            # The same words whether or not anything matched: the page reveals nothing about who is a patient.
            return TemplateResponse(request, "portal/get_my_link_sent.html", {})
        return TemplateResponse(request, "portal/get_my_link.html", {"form": form}, status=400)
    return TemplateResponse(request, "portal/get_my_link.html", {"form": GetMyLinkForm()})
