"""Two-step sign-in in the admin site: a "two-step" column and the reset action on the staff list
(clinic/admin.py). django-otp's own device admins are taken off the site: they would show other people's
secret keys and QR codes, and delete devices without an audit event."""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import two_factor

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.action(description="Reset two-step sign-in (lost or new phone)")
def reset_two_step_sign_in(modeladmin, request, queryset):
    reset = [
        person for person in queryset if two_factor.reset_two_step(user=person, by=request.user, audit=request.audit)
    ]
    if reset:
        names = ", ".join(person.display_name for person in reset)
        modeladmin.message_user(
            request,
            f"Two-step sign-in was reset for {names}. They set it up again when they next sign in.",
            messages.SUCCESS,
        )
    if len(reset) < len(queryset):
        modeladmin.message_user(request, "Staff without two-step sign-in had nothing to reset.", messages.INFO)


class TwoStepStaffAdminMixin:
    """For the staff admin: whether each person has two-step sign-in (one EXISTS in the list's query)."""

    actions = [reset_two_step_sign_in]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_step=Exists(confirmed))

    @admin.display(description="two-step sign-in", boolean=True, ordering="has_two_step")
    def two_step(self, person) -> bool:
        return person.has_two_step
