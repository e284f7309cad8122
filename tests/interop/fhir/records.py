"""A patient record with something of every kind the FHIR mapping reads, built with the factories and plain
model rows (setup only: no audit events, so a test sees only those of the export itself)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from careplans.models import CarePlan, DailyLog, Goal, Intervention, PlanChange, Tier
from clinic.models import AppointmentEvent, TeamTask, TeamTaskEvent
from clinic.roles import Discipline
from measures.models import Instrument, Response
from medications.models import Medication, MedicationChange
from patients.models import PatientAllergy
from tests.factories import (
    AppointmentFactory,
    CareTeamMemberFactory,
    EncounterFactory,
    PatientFactory,
    ProblemFactory,
    PsychotherapyNoteFactory,
    referral_in_state,
)

PSYCHOTHERAPY_WORDS = "Process note: the words that must never leave the clinic"


def full_record(lead, psychologist, **patient_fields):
    """One patient with a care team, problem, allergy, medication (changed), PHQ-9 response, daily log, care plan
    with a goal and a treatment, referral, task, appointment, signed and draft visits, and a psychotherapy note."""
    patient = PatientFactory(other_conditions=["migraine"], **patient_fields)
    CareTeamMemberFactory(patient=patient, member=lead, is_lead=True)
    CareTeamMemberFactory(patient=patient, member=psychologist)
    ProblemFactory(patient=patient, title="Poor sleep", domain="sleep", created_by=lead, notes="Wakes at 3am")
    PatientAllergy.objects.create(
        patient=patient, substance="Penicillin", reaction="Hives", severity="moderate", source="clinician_verified"
    )
    medication = Medication.objects.create(
        patient=patient,
        drug_code="oxycodone",
        drug_class="opioid",
        strength=Decimal("5"),
        form="tablet",
        route="oral",
        doses_per_day=Decimal("2"),
        prescriber=lead,
        started_on=timezone.localdate() - datetime.timedelta(days=90),
    )
    MedicationChange.objects.create(medication=medication, kind="added", by=lead)
    MedicationChange.objects.create(medication=medication, kind="changed", by=lead, reason="Taper step")
    answer_phq9(patient)
    DailyLog.objects.create(patient=patient, pain_interference=6, sleep_hours=Decimal("6.5"), steps=4200)
    plan = CarePlan.objects.create(patient=patient, lead=lead, tier=Tier.objects.get(number=1), created_by=lead)
    Goal.objects.create(
        plan=plan,
        words="Walk the dog again",
        metric="walking_minutes",
        baseline=Decimal("5"),
        target=Decimal("30"),
        target_date=timezone.localdate() + datetime.timedelta(days=60),
    )
    Intervention.objects.create(plan=plan, category="rehabilitation", name="Graded walking", owner_discipline="nurse")
    PlanChange.objects.create(plan=plan, kind="created", summary="Plan started", by=lead)
    referral_in_state("sent", patient=patient, by=lead)
    task = TeamTask.objects.create(title="Call about sleep", patient=patient, assignee=lead, source="other")
    TeamTaskEvent.objects.create(task=task, kind="created", by=lead)
    appointment = AppointmentFactory(patient=patient, clinician=lead)
    AppointmentEvent.objects.create(appointment=appointment, kind="booked", by=lead)
    EncounterFactory(patient=patient, author=lead, status="signed", signed_at=timezone.now())
    EncounterFactory(patient=patient, author=lead)  # a draft: never exported
    PsychotherapyNoteFactory(patient=patient, author=psychologist, text=PSYCHOTHERAPY_WORDS)
    return patient


def answer_phq9(patient) -> Response:
    instrument = Instrument.objects.filter(code="phq9", active=True).latest("loaded_at")
    answers = {f"phq9_{n}": 1 for n in range(1, 10)}
    return Response.objects.create(
        patient=patient,
        instrument=instrument,
        completed_at=timezone.now(),
        answers=answers,
        total=Decimal("9"),
        band="Mild",
        valid=True,
    )


def psychologist_staff():
    from tests.factories import StaffFactory

    return StaffFactory(discipline=Discipline.PSYCHOLOGIST, credentials="PhD")
