"""Care teams, the on-duty rota, time away and the clinic's medical lead: who changes them.

- Coordinators and clinic admins (and superusers) assign and change care teams and leads, and keep the rota.
- Anyone marks themselves away; coordinators and clinic admins mark others.
- Clinic admins name the medical lead.
"""

from clinic.models import User
from clinic.roles import Role


def may_manage_care_team(user) -> bool:
    """Coordinators and clinic admins (and superusers) assign and change care teams and leads."""
    return bool(
        user.is_authenticated and user.is_active and (user.role in (Role.COORDINATOR, Role.ADMIN) or user.is_superuser)
    )


def may_keep_rota(user) -> bool:
    return bool(user.is_active and (user.role in (Role.COORDINATOR, Role.ADMIN) or user.is_superuser))


def may_name_medical_lead(user) -> bool:
    return bool(user.is_active and user.is_clinic_admin)


def may_mark_away(user, staff: User) -> bool:
    return bool(user.is_active and (user.pk == staff.pk or may_keep_rota(user)))
