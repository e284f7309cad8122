"""Referrals: a referral is visible with its patient; coordinators and clinicians write and move them on,
clinic admins only read them."""

from audit.refusals import NotVisible
from clinic.access.patients import may_see_patient, patients_visible_to
from clinic.models import Referral
from clinic.models.referrals import ReferralQuerySet

WRITERS_ONLY = "Coordinators and clinicians write referrals and move them on; clinic admins read them."


def referrals_visible_to(user) -> ReferralQuerySet:
    return Referral.objects.filter(patient__in=patients_visible_to(user))


def may_see_referral(user, referral: Referral) -> bool:
    return may_see_patient(user, referral.patient)


def may_write_referrals(user) -> bool:
    """The role half of the rule (the list offers "new referral" before a patient is chosen)."""
    return bool(
        user.is_active and (user.has_perm("clinic.coordinate_care") or user.has_perm("clinic.chart_clinical_notes"))
    )


def may_change_referral(user, referral: Referral) -> bool:
    """Write a referral for its patient, or move one on."""
    return may_write_referrals(user) and may_see_referral(user, referral)


def may_refer(user, patient) -> bool:
    return may_write_referrals(user) and may_see_patient(user, patient)


def get_referral_for_user(user, referral_id) -> Referral:
    try:
        return (
            referrals_visible_to(user)
            .with_overdue()
            .select_related("patient", "state_changed_by")
            .get(public_id=referral_id)
        )
    except Referral.DoesNotExist:
        raise NotVisible("referral", referral_id, "No such referral.") from None
