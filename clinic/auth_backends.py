from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from clinic.roles import groups_for


class RoleBackend(ModelBackend):
    """Django's model backend, with group membership derived from role and discipline."""

    def _get_group_permissions(self, user_obj):
        return Permission.objects.filter(group__name__in=groups_for(user_obj.role, user_obj.discipline))
