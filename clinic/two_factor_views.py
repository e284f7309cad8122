"""The two-step sign-in pages (clinic/two_factor.py has the rules): the second step after the password,
setting up an authenticator app, the recovery codes shown once, and the person's own two-step settings."""

from __future__ import annotations

from base64 import b32encode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic import two_factor
from clinic.sign_in import landing_url
from clinic.two_factor import SESSION_NEW_CODES, SESSION_NEXT, SESSION_STATE


class AppCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        help_text="6 digits. A new code appears every 30 seconds.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label="Recovery code",
        max_length=24,
        help_text="One of the codes you saved when you set up two-step sign-in. Each works once.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )


def next_url(request: HttpRequest) -> str:
    """Where to go after the second step: the page asked for, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return wanted
    return landing_url(request.user)


def paused_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes" if minutes < 120 else f"{-(-minutes // 60)} hours"


def refused(form: forms.Form, result: two_factor.CodeCheck) -> int:
    """Explain a refused code at the top of the form (which keeps what was typed); returns the status."""
    if result.paused:
        form.add_error(
            None,
            f"Too many wrong codes. To keep accounts safe, please wait {paused_words(result.wait_seconds)} "
            "before you try again.",
        )
        return 429
    form.add_error(None, "That code did not work. Please check it and try again.")
    return 400


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password: a code from the app, or a recovery code."""
    user = request.user
    go_to = next_url(request)
    if user.is_verified():
        return redirect(go_to)
    if two_factor.app_device(user) is None:
        if two_factor.required_for(user):
            return redirect(f"{reverse('two_step:set_up')}?{request.GET.urlencode()}")
        request.session[SESSION_STATE] = "none"  # a clinic admin reset it during this sign-in
        return redirect(go_to)
    code_form, recovery_form, status = AppCodeForm(), RecoveryCodeForm(), 200
    if request.method == "POST":
        using_recovery = "recovery_code" in request.POST
        form = RecoveryCodeForm(request.POST) if using_recovery else AppCodeForm(request.POST)
        field = "recovery_code" if using_recovery else "code"
        if form.is_valid():
            result = two_factor.check_sign_in_code(user=user, code=form.cleaned_data[field], audit=request.audit)
            if result.ok:
                two_factor.pass_second_step(request, result.device)
                if result.by_recovery_code:
                    left = two_factor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        f"You signed in with a recovery code; it will not work again. You have {left} left. "
                        "Lost your phone? Ask a clinic admin to reset your two-step sign-in.",
                    )
                return redirect(go_to)
            status = refused(form, result)
        else:
            status = 400
        if using_recovery:
            recovery_form = form
        else:
            code_form = form
    context = {"form": code_form, "recovery_form": recovery_form, "next": go_to}
    return TemplateResponse(request, "registration/two_step_verify.html", context, status=status)


def qr_svg(url: str) -> str:
    """The otpauth:// address as an inline SVG QR code (no image request, no script, no style attribute)."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=5, border=2, svgclass="two-step-qr", title="QR code for your authenticator app")
    return mark_safe(svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1))


@never_cache
@login_required
def set_up(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then give a code from the app."""
    user = request.user
    go_to = next_url(request)
    if two_factor.app_device(user) is not None:
        if user.is_verified():
            return redirect("two_step:settings")
        return redirect(f"{reverse('two_step:verify')}?{urlencode({'next': go_to})}")
    device = two_factor.pending_app_device(user)
    form, status = AppCodeForm(request.POST or None), 200
    if request.method == "POST":
        if form.is_valid():
            result, codes = two_factor.confirm_app_device(
                user=user, code=form.cleaned_data["code"], audit=request.audit
            )
            if result.ok:
                two_factor.pass_second_step(request, result.device)
                request.session[SESSION_NEW_CODES] = codes
                request.session[SESSION_NEXT] = go_to
                return redirect("two_step:recovery_codes")
            status = refused(form, result)
        else:
            status = 400
    context = {
        "form": form,
        "next": go_to,
        "required": two_factor.required_for(user),
        "qr": qr_svg(device.config_url),
        "secret": two_factor.grouped(b32encode(device.bin_key).decode()),
    }
    return TemplateResponse(request, "registration/two_step_set_up.html", context, status=status)


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once (a reload shows them no more: new ones can be made in settings)."""
    codes = request.session.pop(SESSION_NEW_CODES, None)
    go_to = request.session.pop(SESSION_NEXT, None) or reverse("two_step:settings")
    if not codes:
        messages.info(request, "Recovery codes are shown only once. You can make new ones here.")
        return redirect("two_step:settings")
    context = {"codes": codes, "next": go_to}
    return TemplateResponse(request, "registration/two_step_recovery_codes.html", context)


@never_cache
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """The person's own two-step sign-in: on or off, when the app was last used, recovery codes left."""
    user = request.user
    if not two_factor.second_step_done(request):  # the middleware sends them to the second step first
        raise PermissionDenied
    device = two_factor.app_device(user)
    context = {
        "device": device,
        "required": two_factor.required_for(user),
        "codes_left": two_factor.recovery_codes_left(user) if device else 0,
        "code_count": two_factor.RECOVERY_CODE_COUNT,
    }
    return TemplateResponse(request, "registration/two_step_settings.html", context)


@never_cache
@login_required
@require_POST
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    if not two_factor.second_step_done(request):
        raise PermissionDenied
    codes = two_factor.regenerate_recovery_codes(by=request.user, audit=request.audit)
    request.session[SESSION_NEW_CODES] = codes
    request.session[SESSION_NEXT] = reverse("two_step:settings")
    return redirect("two_step:recovery_codes")
