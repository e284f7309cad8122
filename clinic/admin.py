from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from clinic.admin_site import ReadOnlyAdmin
from clinic.models import CareTeamMember, OutboxMessage, User
from clinic.two_factor_admin import TwoStepStaffAdminMixin


@admin.register(User)
class StaffAdmin(TwoStepStaffAdminMixin, UserAdmin):
    """Staff accounts. Permissions follow role and discipline, so groups are not edited here."""

    list_display = ("username", "first_name", "last_name", "role", "discipline", "is_active", "two_step", "last_login")
    list_filter = ("role", "discipline", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "credentials", "email")}),
        ("Role in the clinic", {"fields": ("role", "discipline", "is_active", "is_medical_lead")}),
        ("Urgent tasks reach them by", {"fields": ("notify_by", "mobile_phone")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        ("Person", {"fields": ("first_name", "last_name", "credentials", "email")}),
        ("Role in the clinic", {"fields": ("role", "discipline")}),
    )
    readonly_fields = ("last_login", "date_joined")


@admin.register(CareTeamMember)
class CareTeamMemberAdmin(ReadOnlyAdmin):
    """Read-only: care teams change on the patient's Care team page, which keeps who, when and why."""

    list_display = ("patient", "member", "is_lead", "added_at")
    list_select_related = ("patient", "member")
    raw_id_fields = ("patient", "member")
    search_fields = ("patient__mrn", "member__username", "member__last_name")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Read-only: operators can see that messages flow, not their content."""

    list_display = ("public_id", "channel", "state", "attempts", "created_at", "sent_at", "last_error")
    list_filter = ("state", "channel")
    fields = ("public_id", "channel", "state", "attempts", "created_at", "next_attempt_at", "sent_at", "last_error")
    readonly_fields = fields
