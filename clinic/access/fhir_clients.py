"""FHIR API clients (interop/api/): who issues, lists and revokes them.

Only clinic admins (and superusers): a client reads patient data outside the clinic, which is a decision for
the people who answer for the whole record, like the admin site and staff accounts.
"""


def may_manage_fhir_clients(user) -> bool:
    return bool(user.is_authenticated and user.is_clinic_admin)
