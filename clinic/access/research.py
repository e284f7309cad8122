"""The research export (interop/research_export.py): who may release the clinic's de-identified data.

Clinic admins only (the clinic's registry and research are theirs to release); everyone else is refused, and the
refusal is audited like any other (audit.refusals). There is no per-object rule: the export is the whole clinic's.
"""

ADMINS_ONLY = "Only clinic admins run the research export."


def may_run_research_export(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_clinic_admin)
