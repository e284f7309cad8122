"""Demo referrals: one in every state, some of them late, written through the real services and
model methods and then dated back, so the referral list, the chart, the tracking sweep's tasks and
the demo patient's portal all have something to show.

Idempotent: a patient who already has a referral is left alone.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from clinic import referrals as rules
from clinic.access.referrals import may_refer
from clinic.models import Referral, ReferralEvent
from clinic.referral_services import create_referral, take_referral_step, track_referrals
from clinic.roles import Role

BRIDGE_PLAN = (
    "Walk for 10 minutes each morning, and a little longer each week if it feels okay\n"
    "Use your pacing plan on busy days: short breaks before the pain builds\n"
    "Keep doing the stretches from your care plan"
)
BRIDGE_CONTACT = "Sofia Rossi, care coordinator, 555-0100 (weekdays 8 to 5)"


@dataclass(frozen=True)
class DemoReferral:
    """A referral to make: its state, when it was written and how many days each step took after
    that (in order), and its details."""

    state: str
    written_days_ago: int
    step_days: tuple[int, ...] = ()
    appointment_in_days: int | None = None  # from today; negative: in the past
    reason_why: str = ""  # declined, cancelled or did not attend
    details: dict = field(default_factory=dict)


def details(service: str, provider: str, reason: str, question: str = "", **more) -> dict:
    return {"service": service, "receiving_provider": provider, "reason": reason, "question": question, **more}


# The demo patient's own (first patient): a booked physical therapy visit after a long wait, with a
# plan for the wait she sees in her portal, and a sleep clinic referral finished last spring.
DEMO_PATIENT_REFERRALS = (
    DemoReferral(
        "scheduled",
        written_days_ago=24,
        step_days=(1, 3, 6),
        appointment_in_days=9,
        details=details(
            "physical_therapy",
            "Harbourview Physical Therapy",
            "Graded activity and pacing for widespread pain; deconditioned after months off work.",
            "Please assess and start a graded activity programme; goal: walk the dog again.",
            expected_wait_days=35,
            bridge_plan=BRIDGE_PLAN,
            bridge_contact=BRIDGE_CONTACT,
            prior_authorisation="approved",
            authorisation_reference="PA-2231-884",
            visits_authorised=12,
        ),
    ),
    DemoReferral(
        "closed",
        written_days_ago=160,
        step_days=(1, 4, 10, 31, 45, 47),
        appointment_in_days=-129,
        details=details(
            "sleep_medicine", "Northside Sleep Clinic", "Poor sleep with daytime fatigue.", "Sleep study needed?"
        ),
    ),
)
# The other patients': every state, several late for the tracking sweep.
OTHER_REFERRALS = (
    DemoReferral(
        "sent",
        written_days_ago=12,
        step_days=(1,),
        details=details(
            "pain_psychology", "Lakeside Psychology Group", "Fear of movement; pain-related distress.", "CBT for pain?"
        ),
    ),  # not acknowledged after more than 5 business days: late
    DemoReferral(
        "sent",
        written_days_ago=2,
        step_days=(1,),
        details=details("occupational_therapy", "", "Return-to-work planning.", urgency="soon", is_internal=True),
    ),
    DemoReferral(
        "acknowledged",
        written_days_ago=15,
        step_days=(1, 3),
        details=details(
            "interventional",
            "Eastgate Pain Procedures",
            "Facet-mediated pain suspected; conservative care not enough so far.",
            "Assessment for medial branch blocks.",
            prior_authorisation="requested",
            expected_wait_days=45,
            bridge_plan="Keep up the home exercise programme\nUse heat and pacing on bad days",
            bridge_contact="The clinic front desk, 555-0100",
        ),
    ),
    DemoReferral(
        "scheduled",
        written_days_ago=30,
        step_days=(1, 2, 5),
        appointment_in_days=-3,
        details=details("sleep_medicine", "Northside Sleep Clinic", "Snoring and unrefreshing sleep."),
    ),  # the appointment has passed with no attendance recorded: late
    DemoReferral(
        "attended",
        written_days_ago=60,
        step_days=(1, 3, 8, 40),
        appointment_in_days=-20,
        details=details(
            "physical_therapy",
            "Harbourview Physical Therapy",
            "Knee osteoarthritis: strength and walking tolerance.",
            prior_authorisation="approved",
            authorisation_reference="PA-1907-112",
            visits_authorised=12,
            visits_used=9,
        ),
    ),  # no report 14 days after the visit: late; 10 of 12 visits used: the insurance warning
    DemoReferral(
        "attended",
        written_days_ago=90,
        step_days=(1, 2, 5, 86),
        appointment_in_days=-4,
        details=details(
            "physical_therapy",
            "Harbourview Physical Therapy",
            "Post-surgical shoulder: range of motion.",
            prior_authorisation="approved",
            authorisation_reference="PA-1654-020",
            visits_authorised=8,
            visits_used=7,
        ),
    ),  # the visit uses the last authorised one: the insurance task
    DemoReferral(
        "report_received",
        written_days_ago=70,
        step_days=(1, 2, 10, 40, 52),
        appointment_in_days=-30,
        details=details("pain_medicine", "University Pain Medicine", "Second opinion on neuropathic pain treatment."),
    ),
    DemoReferral(
        "closed",
        written_days_ago=120,
        step_days=(1, 2, 6, 20, 25, 26),
        appointment_in_days=-100,
        details=details("social_work", "", "Help applying for disability benefits.", is_internal=True),
    ),
    DemoReferral(
        "declined",
        written_days_ago=40,
        step_days=(1, 9),
        reason_why="Not a surgical candidate at this time; the surgeon advises conservative care first.",
        details=details("surgery", "Riverbend Orthopaedics", "Lumbar stenosis symptoms.", "Surgical opinion?"),
    ),
    DemoReferral(
        "cancelled",
        written_days_ago=25,
        step_days=(5,),
        reason_why="The patient chose to start with the clinic's own pain group first.",
        details=details("behavioural_health", "Harbour Counselling", "Low mood and stress."),
    ),
    DemoReferral(
        "no_show",
        written_days_ago=35,
        step_days=(1, 3, 6, 28),
        appointment_in_days=-8,
        reason_why="Could not get a ride that day; wants to rebook.",
        details=details("physical_therapy", "Harbourview Physical Therapy", "Fibromyalgia: graded exercise."),
    ),
    DemoReferral(
        "draft",
        written_days_ago=1,
        details=details(
            "other", "Valley Rheumatology", "Joint swelling with morning stiffness.", service_other="Rheumatology"
        ),
    ),
)


def moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


@transaction.atomic
def make_referral(patient, plan: DemoReferral, *, by, today: date) -> Referral:
    """Write the referral and take its steps with the real methods, then date them back."""
    appointment = today + timedelta(days=plan.appointment_in_days or 7)
    referral = create_referral(patient=patient, by=by, details=plan.details)
    for action in rules.PATHS[plan.state]:
        take_referral_step(
            referral=referral,
            action=action,
            by=by,
            expected_version=referral.version,
            on=appointment,
            reason=plan.reason_why,
        )
    written = today - timedelta(days=plan.written_days_ago)
    times = [moment(written)] + [moment(written + timedelta(days=days)) for days in plan.step_days]
    stamps = {"created_at": times[0], "state_changed_at": times[-1]}
    for action, at in zip(rules.PATHS[plan.state], times[1:], strict=False):
        if action in Referral.STAMPS:
            stamps[Referral.STAMPS[action]] = at
    if referral.bridge_updated_at:
        stamps["bridge_updated_at"] = times[0]
    Referral.objects.filter(pk=referral.pk).update(**stamps)
    for event_id, at in zip(referral.events.order_by("id").values_list("id", flat=True), times, strict=False):
        ReferralEvent.objects.filter(pk=event_id).update(at=at)
    return referral


def seed_referrals(patients: Sequence, staff: Iterable, *, today: date) -> int:
    """Give the first patients the demo referrals (the first patient, the demo patient, gets hers);
    a patient who has any referral already is skipped. Then run the tracking sweep once, so the
    late ones have their coordinator tasks. Returns how many referrals were written."""
    staff = list(staff)
    coordinator = next(person for person in staff if person.role == Role.COORDINATOR)
    clinician = next(person for person in staff if person.role == Role.CLINICIAN)
    has_referrals = set(Referral.objects.filter(patient__in=patients).values_list("patient_id", flat=True).distinct())
    plans = [DEMO_PATIENT_REFERRALS, *((plan,) for plan in OTHER_REFERRALS)]
    written = 0
    for patient, patient_plans in zip(patients, plans, strict=False):
        if patient.pk in has_referrals:
            continue
        # Every other one by the clinician where they may refer the patient (on the care team), else the coordinator.
        clinician_refers = may_refer(clinician, patient)
        for number, plan in enumerate(patient_plans):
            writer = clinician if number % 2 and clinician_refers else coordinator
            make_referral(patient, plan, by=writer, today=today)
            written += 1
    if written:
        track_referrals(now=moment(today))
    return written
