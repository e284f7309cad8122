from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only by design: the audit trail is append-only (also enforced in the database)."""

    list_display = ("at", "actor_label", "action", "target", "patient", "ip")
    list_filter = ("action",)
    list_select_related = ("patient",)
    date_hierarchy = "at"
    show_full_result_count = False  # no COUNT(*) over years of audit rows per page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
