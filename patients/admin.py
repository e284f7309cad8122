from django.contrib import admin

from audit.models import Action
from audit.services import record_access
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
        "other_conditions",
        "pronouns",
        "preferred_language",
        "preferred_language_other",
        "email",
        "consents_to_email",
        "mobile",
        "consents_to_sms",
        "preferred_channel",
        "referring_clinician",
    )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        patient = self.get_object(request, object_id)
        if patient is not None:
            record_access(request=request, patient=patient, action=Action.VIEW, target="admin: patient record")
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        obj.set_names(given=obj.given_name, family=obj.family_name, preferred=obj.preferred_name)
        super().save_model(request, obj, form, change)
        action = Action.UPDATE if change else Action.CREATE
        record_access(request=request, patient=obj, action=action, target="admin: patient record")
