from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from clinic.roles import groups_for


class RoleBackend(ModelBackend):
    """Django's model backend, with group membership derived from role and discipline."""

    def _get_group_permissions(self, user_obj):
        return Permission.objects.filter(group__name__in=groups_for(user_obj.role, user_obj.discipline))

    def get_all_permissions(self, user_obj, obj=None):
        """The person's own and their role's permissions in one query per request, not one for each (every staff
        page asks at least once); the result is kept on the user object for the rest of the request, as Django
        keeps each half."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                permissions = Permission.objects.all()
            else:
                groups = groups_for(user_obj.role, user_obj.discipline)
                permissions = Permission.objects.filter(Q(group__name__in=groups) | Q(user=user_obj))
            rows = permissions.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
