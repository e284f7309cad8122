"""Registering a referred patient from FHIR, in one transaction: the registration itself, through
patients.services.register_patient (its checks, its refusals and its audit event), and a team task to bring the
referral's conditions and medications into the chart.

Why a task and not problem-list and medication lines: those are clinical records that only a clinician on the
patient's care team may write (patients.problem_services.add_problem and medications.services.lines.add_medication
refuse anyone else), while coordinators and clinic admins register patients. So the referral's conditions and
medications, as the referral words them, go into one task's details for the clinicians; a clinician who may see
the patient (their care team, once named) charts them with the usual forms. The task is the app's own follow-up of
the import (``by=None``, as the sweeps' tasks are), so an import by a clinic admin, who gives no tasks by hand,
leaves it too; who imported is in the audit trail.
"""

from django.db import transaction
from django.urls import reverse

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.patients import REGISTRARS_ONLY, may_register_patients
from clinic.access.refusals import refuse_unless
from clinic.models import TeamTask, User
from clinic.roles import Role
from clinic.services import create_task
from interop.fhir_import import IncomingReferral
from patients.models import Patient
from patients.services import register_patient

REVIEW_TITLE = "Review the referral's conditions and medications into the chart"
AUDIT_TARGET = "patient registration: from a FHIR referral"


@transaction.atomic
def register_from_referral(
    *, referral: IncomingReferral, by: User, audit: AuditContext | None = None, confirmed_new_person: bool = False
) -> Patient:
    """Register the referral's patient; with conditions or medications, leave a task to chart them.

    Refused unless `by` may register patients (coordinators and clinic admins). Preconditions: `referral` was
    read by interop.fhir_import.read_referral from the text the user confirmed (read again on confirmation).
    Raises patients.services.MRNTaken and PossibleDuplicate (unless `confirmed_new_person`) as registration does;
    any failure saves nothing at all (one transaction).
    """
    refuse_unless(may_register_patients(by), REGISTRARS_ONLY)
    patient = register_patient(by=by, audit=audit, confirmed_new_person=confirmed_new_person, **referral.details)
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target=AUDIT_TARGET)
    if referral.conditions or referral.medications:
        create_task(
            title=REVIEW_TITLE,
            source=TeamTask.Source.REFERRAL,
            source_key=f"fhir-import:{patient.public_id}",
            patient=patient,
            assignee_role=Role.CLINICIAN,
            details=review_details(referral),
            link=reverse("patients:chart", args=[patient.public_id]),
        )
    return patient


def review_details(referral: IncomingReferral) -> str:
    """The task's details: the conditions and medications as the referral gave them, codes as sent."""
    lines = ["From the referral's FHIR resources, as sent (not yet on the problem list or the medication list)."]
    if referral.conditions:
        lines += ["", "Conditions:"]
        lines += [
            f"- {c.words}" + (f" [{c.codes}]" if c.codes else "") + (f" ({c.status})" if c.status else "")
            for c in referral.conditions
        ]
    if referral.medications:
        lines += ["", "Medications:"]
        lines += [
            f"- {m.words}"
            + (f": {m.dosage}" if m.dosage else "")
            + (f" [{m.codes}]" if m.codes else "")
            + (f" ({m.status})" if m.status else "")
            for m in referral.medications
        ]
    return "\n".join(lines)
