"""The team's work for a patient: ServiceRequest (referrals), Task (team tasks), Appointment, and Encounter
(signed visits only).

An Encounter says that a visit happened, when, of what kind and with whom; the note's words stay in Haven.
Psychotherapy notes are a different table (patients.PsychotherapyNote) that no mapping reads: neither their
content nor their existence leaves the clinic.
"""

from django.db.models import QuerySet

from clinic.models import Appointment, Referral, TeamTask
from patients.models import Encounter, Patient

from .values import coding, concept, day, instant, patient_reference, practitioner_reference, reference, without_empty

# FHIR request-status for a referral's states: still under way is active; closed after its report is completed;
# declined, cancelled and not attended end it early (revoked). The app's own reading of its states.
REFERRAL_STATUS = {
    Referral.State.DRAFT: "draft",
    Referral.State.SENT: "active",
    Referral.State.ACKNOWLEDGED: "active",
    Referral.State.SCHEDULED: "active",
    Referral.State.ATTENDED: "active",
    Referral.State.REPORT_RECEIVED: "active",
    Referral.State.CLOSED: "completed",
    Referral.State.DECLINED: "revoked",
    Referral.State.CANCELLED: "revoked",
    Referral.State.NO_SHOW: "revoked",
}
# FHIR request-priority runs routine < urgent < asap < stat. Haven's top level is the safety net's "urgent",
# sent as asap; its middle level as urgent (the app's own mapping).
REFERRAL_PRIORITY = {
    Referral.Urgency.ROUTINE: "routine",
    Referral.Urgency.SOON: "urgent",
    Referral.Urgency.URGENT: "asap",
}
TASK_PRIORITY = {
    TeamTask.Priority.NORMAL: "routine",
    TeamTask.Priority.HIGH: "urgent",
    TeamTask.Priority.URGENT: "asap",
}
# A reassigned task was handed on as a new task: this one is over without being done (cancelled).
TASK_STATUS = {
    TeamTask.Status.OPEN: "requested",
    TeamTask.Status.DONE: "completed",
    TeamTask.Status.REASSIGNED: "cancelled",
}
APPOINTMENT_STATUS = {
    Appointment.Status.BOOKED: "booked",
    Appointment.Status.ATTENDED: "fulfilled",
    Appointment.Status.NO_SHOW: "noshow",
    Appointment.Status.CANCELLED_LATE: "cancelled",
    Appointment.Status.CANCELLED: "cancelled",
}
# HL7 v3 ActCode (http://terminology.hl7.org/CodeSystem/v3-ActCode), FHIR R4's Encounter.class value set:
# AMB ambulatory, VR virtual.
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
AMBULATORY = coding(ACT_CODE, "AMB", "ambulatory")
VIRTUAL = coding(ACT_CODE, "VR", "virtual")


def for_patients(rows: QuerySet, patients: QuerySet[Patient] | None) -> QuerySet:
    return (rows if patients is None else rows.filter(patient__in=patients)).order_by("pk")


# --------------------------------------------------------------------------- ServiceRequest (referrals)


def referral_rows(patients: QuerySet[Patient] | None) -> QuerySet[Referral]:
    return for_patients(Referral.objects.select_related("patient", "created_by"), patients)


def referral_service(referral: Referral) -> str:
    if referral.service == Referral.Service.OTHER and referral.service_other:
        return referral.service_other
    return referral.get_service_display()


def referral_performer(referral: Referral) -> list[dict]:
    if referral.receiving_provider:
        return [{"display": referral.receiving_provider}]
    return [{"display": "The clinic's own team"}] if referral.is_internal else []


def referral_to_fhir(referral: Referral) -> dict:
    return without_empty(
        {
            "resourceType": "ServiceRequest",
            "id": str(referral.public_id),
            "status": REFERRAL_STATUS[Referral.State(referral.state)],
            "intent": "order",
            "category": [concept("Referral")],
            "priority": REFERRAL_PRIORITY[Referral.Urgency(referral.urgency)],
            "code": concept(referral_service(referral)),
            "subject": patient_reference(referral.patient),
            "authoredOn": instant(referral.created_at),
            "requester": practitioner_reference(referral.created_by) if referral.created_by else None,
            "performer": referral_performer(referral),
            "reasonCode": [concept(referral.reason)] if referral.reason.strip() else [],
            "note": [{"text": f"Question: {referral.question}"}] if referral.question.strip() else [],
            "patientInstruction": referral.bridge_plan,
        }
    )


# --------------------------------------------------------------------------- Task (team tasks about a patient)


def task_rows(patients: QuerySet[Patient] | None) -> QuerySet[TeamTask]:
    # Tasks about no patient are the team's own work, not part of anyone's record.
    rows = TeamTask.objects.filter(patient__isnull=False).select_related("patient", "assignee")
    return for_patients(rows, patients)


def task_owner(task: TeamTask) -> dict | None:
    if task.assignee is not None:
        return practitioner_reference(task.assignee)
    if task.assignee_role:
        return {"display": f"Any {task.get_assignee_role_display().lower()}"}
    return None


def task_to_fhir(task: TeamTask) -> dict:
    return without_empty(
        {
            "resourceType": "Task",
            "id": str(task.public_id),
            "status": TASK_STATUS[TeamTask.Status(task.status)],
            "businessStatus": concept(task.get_source_display()),
            "intent": "order",
            "priority": TASK_PRIORITY[TeamTask.Priority(task.priority)],
            "description": task.title,
            "for": patient_reference(task.patient),
            "authoredOn": instant(task.created_at),
            "executionPeriod": {"end": instant(task.done_at)} if task.done_at else None,
            "owner": task_owner(task),
            "restriction": {"period": {"end": day(task.due_on)}},
            "note": [{"text": task.details}] if task.details.strip() else [],
        }
    )


# --------------------------------------------------------------------------- Appointment


def appointment_rows(patients: QuerySet[Patient] | None) -> QuerySet[Appointment]:
    rows = Appointment.objects.select_related("patient", "clinician", "referral").defer("referral__reason")
    return for_patients(rows, patients)


def appointment_participants(appointment: Appointment) -> list[dict]:
    people = [{"actor": patient_reference(appointment.patient), "status": "accepted"}]
    if appointment.clinician is not None:
        people.append({"actor": practitioner_reference(appointment.clinician), "status": "accepted"})
    return people


def appointment_to_fhir(appointment: Appointment) -> dict:
    what = appointment.get_kind_display()
    if appointment.group_name:
        what = f"{what}: {appointment.group_name}"
    return without_empty(
        {
            "resourceType": "Appointment",
            "id": str(appointment.public_id),
            "status": APPOINTMENT_STATUS[Appointment.Status(appointment.status)],
            "cancelationReason": concept(appointment.cancel_reason) if appointment.cancel_reason.strip() else None,
            "serviceType": [concept(appointment.get_discipline_display())],
            "appointmentType": concept(appointment.get_kind_display()),
            "description": what,
            "start": instant(appointment.starts_at),
            "end": instant(appointment.ends_at),
            "created": instant(appointment.created_at),
            "patientInstruction": appointment.note_for_patient,
            "basedOn": [reference("ServiceRequest", str(appointment.referral.public_id))]
            if appointment.referral
            else [],
            "participant": appointment_participants(appointment),
        }
    )


# --------------------------------------------------------------------------- Encounter (signed visits)


def encounter_rows(patients: QuerySet[Patient] | None) -> QuerySet[Encounter]:
    rows = (
        Encounter.objects.signed()
        .select_related("patient", "author", "appointment")
        # What the mapping reads: never the note's words.
        .only(
            "public_id",
            "kind",
            "discipline",
            "occurred_on",
            "signed_at",
            "patient",
            "author",
            "appointment__public_id",
            *(f"author__{name}" for name in ("username", "first_name", "last_name", "credentials")),
        )
    )
    return for_patients(rows, patients)


def encounter_to_fhir(encounter: Encounter) -> dict:
    remote = encounter.kind == Encounter.Kind.REMOTE
    return without_empty(
        {
            "resourceType": "Encounter",
            "id": str(encounter.public_id),
            "status": "finished",
            "class": VIRTUAL if remote else AMBULATORY,
            "type": [concept(encounter.get_kind_display())],
            "serviceType": concept(encounter.get_discipline_display()),
            "subject": patient_reference(encounter.patient),
            "participant": [{"individual": practitioner_reference(encounter.author)}],
            "period": {"start": day(encounter.occurred_on)},
            "appointment": [reference("Appointment", str(encounter.appointment.public_id))]
            if encounter.appointment
            else [],
        }
    )
