from django.contrib import admin

from audit.models import AuditEvent
from clinic.admin_site import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only by design: the audit trail is append-only (also enforced in the database)."""

    list_display = ("at", "actor_label", "action", "target", "patient", "ip")
    list_filter = ("action", "at")  # no date_hierarchy: it scans years of rows for its year list
    list_select_related = ("patient",)
    show_full_result_count = False  # no COUNT(*) over years of audit rows per page
