"""The bulk FHIR export (interop/fhir/export.py): who may take the clinic's records out in bulk.

Only clinic admins (and superusers), active: a bulk export carries every patient's record (or one whole record)
out of Haven, which is the admin's to answer for, as the research export is.
"""


def may_run_bulk_export(user) -> bool:
    return bool(user is not None and user.is_active and user.is_clinic_admin)
