"""The clinic's outcomes and opioid-safety dashboard (interop/dashboard_*.py): who may read it.

Clinic admins (and superusers) answer for the whole record, and the clinic's medical lead (clinic.models.User
.is_medical_lead) answers for its clinical safety: they read the clinic-wide figures. Everyone else gets the
404 page (audited as a refused attempt), so the page does not announce itself.

The lists of patients behind a figure follow the patients rule (``patients_visible_to``): a clinic admin sees
every patient in them; a medical lead who is a clinician sees those whose charts they may open.
"""

from django.http import Http404


def may_see_dashboard(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_clinic_admin or user.is_medical_lead))


def refuse_unless_dashboard_reader(user) -> None:
    if not may_see_dashboard(user):
        raise Http404("No such page.")
