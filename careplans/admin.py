"""The care plan's clinic data in the admin (clinic admins only): the tiers of stepped care.

Tier names and descriptions are the clinic's words (issue 5); their numbers are the steps themselves
(step up and down move between them), so the numbers and the set of tiers are fixed: an admin edits the
name and the description, and cannot add or delete a tier. Patient data (plans, goals, sprints) is not
in the admin: it is read and changed on the audited plan pages.
"""

from django.contrib import admin

from careplans.models import Tier


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "description")
    list_display_links = ("number", "name")
    ordering = ("number",)
    fields = ("number", "name", "description")
    readonly_fields = ("number",)

    def has_module_permission(self, request):
        return request.user.is_authenticated and request.user.is_clinic_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
