from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from clinic.sign_in import BoundedSignInMixin


class ClinicAdminAuthenticationForm(BoundedSignInMixin, AdminAuthenticationForm):
    """The admin's sign-in form: for clinic admins (role), whatever their is_staff flag says."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Please enter the correct username and password for a clinic admin account.",
    }

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)  # refuses inactive accounts
        if not user.is_clinic_admin:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class HavenAdminSite(admin.AdminSite):
    """The admin site, open to clinic admins only (not to every account with is_staff), and only once they have
    passed the second step of sign-in."""

    site_header = "Haven administration"
    site_title = "Haven admin"
    index_title = "Clinic administration"
    login_form = ClinicAdminAuthenticationForm

    def has_permission(self, request):
        """A clinic admin who has passed the second step of sign-in (clinic/two_factor.py)."""
        user = request.user
        return user.is_authenticated and user.is_clinic_admin and getattr(user, "is_verified", lambda: False)()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows kept elsewhere with their history (care teams) or never changed at all (the audit trail, the
    outbox): the admin shows them and offers no add, change or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
