from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    default = True
    name = "clinic"
    verbose_name = "Clinic and team"

    def ready(self):
        from clinic import two_factor  # noqa: F401  (connects the sign-in hook of two-step sign-in)


class HavenAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "clinic.admin_site.HavenAdminSite"
