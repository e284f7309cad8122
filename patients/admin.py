from django.contrib import admin

from patients.models import Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("mrn", "family_name", "given_name", "date_of_birth", "primary_condition")
    search_fields = ("mrn", "search_name")
    fields = (
        "mrn",
        "given_name",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "primary_condition",
        "email",
        "mobile",
    )

    def save_model(self, request, obj, form, change):
        obj.set_names(given=obj.given_name, family=obj.family_name, preferred=obj.preferred_name)
        super().save_model(request, obj, form, change)
