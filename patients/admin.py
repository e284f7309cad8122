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

    def changelist_view(self, request, extra_context=None):
        """The admin's patient list (and its search): one audit event naming the patients on the page."""
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) and response.context_data.get("cl")
        if changelist is not None:
            # The page's rows, read once here; the template then reads the same cached rows (no query more).
            shown = list(changelist.result_list)
            target = "admin: patient list, search" if changelist.query else "admin: patient list"
            record_access(request=request, patient=None, action=Action.VIEW, target=target, shown=shown)
        return response

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
