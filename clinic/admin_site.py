from django.contrib import admin


class HavenAdminSite(admin.AdminSite):
    """The admin site, open to clinic admins only (not to every account with is_staff)."""

    site_header = "Haven administration"
    site_title = "Haven admin"
    index_title = "Clinic administration"

    def has_permission(self, request):
        return request.user.is_authenticated and request.user.is_clinic_admin
