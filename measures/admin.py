"""Instruments in the admin (clinic admins only): the library, read-only, and "Load a licensed instrument"; and
the clinic's visit protocol (questionnaires timed to appointments), which clinic admins edit.

Every rule lives in measures/importer.py; this module reads the upload and calls it. Nothing here is
editable in place: a definition changes only by loading a new version, so every stored response keeps
the definition it was scored with. Permissions follow the admin site's rule (clinic admins), not model
permissions, so the library cannot drift from who may open the admin.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from clinic.models import Appointment
from measures.importer import MAX_FILE_BYTES, ImportRefused, import_instrument, read_definition_file
from measures.importer import set_instrument_active as set_active
from measures.models import Instrument, VisitProtocol

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class LoadInstrumentForm(forms.Form):
    definition_file = forms.FileField(
        label="Definition file (JSON)",
        help_text=(
            f"A definition in Haven's instrument format, UTF-8 JSON, at most {MAX_FILE_BYTES // 1024} KB. "
            "The licence holder and licence reference are required."
        ),
    )

    def clean_definition_file(self):
        upload = self.cleaned_data["definition_file"]
        if upload.size > MAX_FILE_BYTES:  # refused before reading it into memory
            raise forms.ValidationError(
                f"The file is too large ({upload.size // 1024} KB); "
                f"a definition file is at most {MAX_FILE_BYTES // 1024} KB."
            )
        try:
            self.cleaned_data["data"] = read_definition_file(upload.read(MAX_FILE_BYTES + 1))
        except ImportRefused as refused:
            raise forms.ValidationError(str(refused)) from refused
        return upload


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "code", "origin", "active", "loaded_by", "loaded_at")
    list_filter = ("shipped", "active")
    list_select_related = ("loaded_by",)
    search_fields = ("name", "code", "version")
    ordering = ("name", "-loaded_at")
    actions = ["deactivate", "reactivate"]
    change_list_template = "admin/measures/instrument/change_list.html"
    fieldsets = (
        (None, {"fields": ("name", "title", "code", "version", "origin", "active", "loaded_by", "loaded_at")}),
        ("Licence", {"fields": ("licence_holder", "licence_reference", "licence_terms", "attribution", "source")}),
        ("Questions", {"fields": ("items",)}),
        ("Scoring", {"fields": ("scoring", "checksum")}),
    )
    readonly_fields = (
        "name",
        "title",
        "code",
        "version",
        "origin",
        "active",
        "loaded_by",
        "loaded_at",
        "licence_holder",
        "licence_reference",
        "licence_terms",
        "attribution",
        "source",
        "items",
        "scoring",
        "checksum",
    )

    # --- who may do what: clinic admins look and load; nobody edits; shipped ones are never removed.

    def has_module_permission(self, request):
        return request.user.is_authenticated and request.user.is_clinic_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False  # loading goes through the upload form (load_view), never the model form

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        """Only a clinic-loaded instrument nobody has answered yet (responses keep their instrument)."""
        if obj is None or obj.shipped or not self.has_module_permission(request):
            return False
        return not obj.responses.exists()

    def has_activate_permission(self, request):
        return self.has_module_permission(request)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # one at a time, from the detail page, with its own check
        return actions

    # --- list and detail

    @admin.display(description="Origin", ordering="shipped")
    def origin(self, obj):
        return "Shipped with Haven" if obj.shipped else "Loaded by the clinic"

    @admin.display(description="Title")
    def title(self, obj):
        return obj.spec.title or "-"

    @admin.display(description="Licence holder")
    def licence_holder(self, obj):
        return obj.spec.licence.holder

    @admin.display(description="Licence reference")
    def licence_reference(self, obj):
        return obj.spec.licence.reference

    @admin.display(description="Licence terms")
    def licence_terms(self, obj):
        licence = obj.spec.licence
        parts = [licence.terms or ""]
        if licence.expires:
            parts.append(f"Expires {licence.expires.isoformat()}.")
        if licence.no_modification:
            parts.append("The wording may not be modified.")
        return " ".join(p for p in parts if p) or "-"

    @admin.display(description="Attribution")
    def attribution(self, obj):
        return obj.spec.attribution_text

    @admin.display(description="Source")
    def source(self, obj):
        return obj.spec.source_citation

    @admin.display(description="Items")
    def items(self, obj):
        spec = obj.spec
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    item.code,
                    item.text,
                    "scored" if item.scored else "not scored",
                    "; ".join(f"{option.value} = {option.label}" for option in item.options),
                )
                for item in spec.items
            ),
        )
        stem = format_html("<p>{}</p>", spec.stem) if spec.stem else ""
        return format_html(
            '{}<table class="instrument-items"><thead><tr><th>Code</th><th>Question</th><th>Scoring</th>'
            "<th>Answers</th></tr></thead><tbody>{}</tbody></table>",
            stem,
            rows,
        )

    @admin.display(description="Scoring")
    def scoring(self, obj):
        spec = obj.spec
        bands = ", ".join(f"{band.label} {band.min}-{band.max}" for band in spec.bands) or "no bands"
        return f"{spec.method} of the scored items, {spec.min_total} to {spec.max_total}; {bands}"

    # --- deactivate / reactivate

    @admin.action(
        permissions=["activate"], description="Deactivate (not offered for new questionnaires)", location=BOTH_LOCATIONS
    )
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, active=False)

    @admin.action(permissions=["activate"], description="Reactivate", location=BOTH_LOCATIONS)
    def reactivate(self, request, queryset):
        self._set_active(request, queryset, active=True)

    def _set_active(self, request, queryset, *, active: bool) -> None:
        changed = []
        for instrument in queryset:
            try:
                if set_active(instrument=instrument, active=active):
                    changed.append(str(instrument))
            except ImportRefused as refused:
                self.message_user(request, str(refused), messages.WARNING)
        if changed:
            verb = "Reactivated" if active else "Deactivated"
            self.message_user(request, f"{verb}: {', '.join(changed)}.", messages.SUCCESS)

    # --- loading

    def get_urls(self):
        load = path("load/", self.admin_site.admin_view(self.load_view), name="measures_instrument_load")
        return [load, *super().get_urls()]

    def load_view(self, request):
        if not self.has_module_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = LoadInstrumentForm(request.POST, request.FILES) if posted else LoadInstrumentForm()
        if posted and form.is_valid():
            try:
                instrument = import_instrument(data=form.cleaned_data["data"], by=request.user)
            except ImportRefused as refused:
                form.add_error("definition_file", str(refused))
            else:
                self.message_user(
                    request,
                    f"Loaded {instrument.name} ({instrument.version}). It is active and scores like the "
                    "instruments shipped with Haven.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:measures_instrument_change", args=[instrument.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Load a licensed instrument",
            "form": form,
            "max_kb": MAX_FILE_BYTES // 1024,
        }
        return TemplateResponse(request, "admin/measures/instrument/load.html", context)


class VisitProtocolForm(forms.ModelForm):
    """A protocol line with its instruments and appointment kinds checked against what the clinic has."""

    instrument_codes = forms.MultipleChoiceField(
        label="Instruments", widget=forms.CheckboxSelectMultiple, help_text="Asked before the visit."
    )
    appointment_kinds = forms.MultipleChoiceField(
        label="Appointment kinds", widget=forms.CheckboxSelectMultiple, choices=Appointment.Kind.choices
    )

    class Meta:
        model = VisitProtocol
        fields = ("name", "days_before", "instrument_codes", "appointment_kinds", "with_due_schedules", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = Instrument.objects.filter(active=True).order_by("name").values_list("code", "name")
        self.fields["instrument_codes"].choices = list(dict(codes).items())


@admin.register(VisitProtocol)
class VisitProtocolAdmin(admin.ModelAdmin):
    """The clinic's visit protocol (measures/visits.py): clinic admins add, change and switch off lines. A line is
    switched off rather than deleted while visits it asked for may still be open."""

    form = VisitProtocolForm
    list_display = ("name", "days_before", "instrument_codes", "appointment_kinds", "with_due_schedules", "active")

    def has_module_permission(self, request):
        return request.user.is_authenticated and request.user.is_clinic_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
