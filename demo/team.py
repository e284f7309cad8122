"""Demo team coordination: tasks with their history, team messages with a mention, a past case
conference (and the next one, with its candidates), and one patient matching the early-warning pattern
(function not improving while specialist referrals pile up), flagged by the real sweep.

Written through the real services and model methods (create_task, post_team_message, the conference
services, sweep_escalations), then dated back where a history needs it. Idempotent: tasks have fixed
source keys, and the messages, conferences and referrals are only written when missing.

At benchmark size (more than CHART_PATIENTS patients) every SCALE_EVERY-th further patient also gets
an open task (for their lead or for any coordinator) and a closed one, in bulk, so the worklists are
measured against a realistic task table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clinic import conferences
from clinic.escalation import peg_facts, window_start
from clinic.escalation_services import sweep_escalations
from clinic.models import CareTeamMember, CaseConference, ConferenceItem, Referral, TeamMessage, TeamTask, User
from clinic.roles import Role
from clinic.services import create_task
from clinic.team_services import post_team_message
from demo.charts import CHART_PATIENTS
from demo.clinic import DEMO_PATIENT, demo_mrn
from measures.models import Response
from patients.models import Complexity, Patient

PAST_CONFERENCE = "Case conference"
NEXT_CONFERENCE = "Case conference (next)"
ESCALATION_FROM = 13  # the referral demo (demo/referrals.py) uses the first 13 patients
SCALE_EVERY = 25
LEAD = "amara.okonkwo"
PSYCHOLOGIST = "leila.haddad"
PHYSIO = "marcus.bell"
COORDINATOR = "sofia.rossi"

# The escalation patient's specialist referrals: (service, provider, reason, state, written days ago).
ESCALATION_REFERRALS = (
    ("pain_medicine", "University Pain Medicine", "Second opinion on widespread pain.", "report_received", 150),
    ("interventional", "Eastgate Pain Procedures", "Assessment for injections.", "attended", 110),
    ("surgery", "Riverbend Orthopaedics", "Surgical opinion on the lower back.", "acknowledged", 70),
    ("other", "Valley Neurology", "Numbness in both feet.", "sent", 30),
)


@dataclass
class TeamSeedResult:
    tasks: int = 0
    messages: int = 0
    conferences: int = 0
    referrals: int = 0
    flagged: int = 0


def seed_team(count: int) -> TeamSeedResult:
    """Add the demo's team coordination for the first ``count`` demo patients (see the module docstring)."""
    staff = {
        user.username: user for user in User.objects.filter(username__in=[LEAD, PSYCHOLOGIST, PHYSIO, COORDINATOR])
    }
    maria = Patient.objects.filter(mrn=DEMO_PATIENT["mrn"]).first()
    if maria is None or len(staff) < 4:
        return TeamSeedResult()
    result = TeamSeedResult()
    result.tasks += seed_tasks(maria, staff)
    result.messages += seed_messages(maria, staff)
    result.referrals += seed_escalation_patient(count, staff)
    result.flagged += len(sweep_escalations().flagged)
    result.conferences += seed_conferences(count, staff)
    result.tasks += seed_scale_tasks(count)
    return result


# --- Tasks and messages about the demo patient ---------------------------------------------------


@transaction.atomic
def seed_tasks(maria: Patient, staff: dict[str, User]) -> int:
    lead, psychologist, physio, coordinator = (staff[k] for k in (LEAD, PSYCHOLOGIST, PHYSIO, COORDINATOR))
    if TeamTask.objects.filter(source_key__startswith="demo:team:").exists():
        return 0
    today = timezone.localdate()
    chart = f"/patients/{maria.public_id}/"
    create_task(
        title="Confirm the start date of the pain self-management group with Mari",
        source=TeamTask.Source.OTHER,
        source_key="demo:team:group-start",
        patient=maria,
        assignee=coordinator,
        due_on=today + datetime.timedelta(days=2),
        link=chart,
        by=lead,
    )
    create_task(
        title="Review the physical therapy progress note when it arrives",
        source=TeamTask.Source.REFERRAL,
        source_key="demo:team:pt-note",
        patient=maria,
        assignee=lead,
        priority=TeamTask.Priority.HIGH,
        due_on=today - datetime.timedelta(days=1),
        link=chart + "#referrals",
        by=coordinator,
    )
    create_task(
        title="Book an interpreter for Thursday's group session",
        source=TeamTask.Source.OTHER,
        source_key="demo:team:interpreter",
        assignee_role=Role.COORDINATOR,
        due_on=today + datetime.timedelta(days=1),
        by=psychologist,
    )
    handout = create_task(
        title="Print the updated flare-up plan for Mari's next visit",
        source=TeamTask.Source.OTHER,
        source_key="demo:team:flare-handout",
        patient=maria,
        assignee=psychologist,
        due_on=today - datetime.timedelta(days=3),
        by=lead,
    )
    handout.reassign(to=physio, by=psychologist, note="Marcus sees her first on Monday.")
    handout.mark_done(by=physio, note="Printed and gone through it with her.")
    back = timezone.now() - datetime.timedelta(days=4)
    TeamTask.objects.filter(pk=handout.pk).update(created_at=back, done_at=back + datetime.timedelta(days=2))
    for hours, event in zip((0, 20, 48), handout.events.order_by("id"), strict=False):
        event.at = back + datetime.timedelta(hours=hours)
        event.save(update_fields=["at"])
    return 4


@transaction.atomic
def seed_messages(maria: Patient, staff: dict[str, User]) -> int:
    if TeamMessage.objects.filter(patient=maria).exists():
        return 0
    first = post_team_message(
        patient=maria,
        author=staff[PHYSIO],
        body="Mari managed 12 minutes on the treadmill today without a flare the next day. Pacing is working.",
        mentions=[],
    )
    second = post_team_message(
        patient=maria,
        author=staff[LEAD],
        body="Sleep is still broken (about 5 hours). Leila, could we start CBT for insomnia before her next visit?",
        mentions=[staff[PSYCHOLOGIST]],
    )
    now = timezone.now()
    TeamMessage.objects.filter(pk=first.pk).update(created_at=now - datetime.timedelta(days=2, hours=3))
    TeamMessage.objects.filter(pk=second.pk).update(created_at=now - datetime.timedelta(hours=5))
    return 2


# --- The early-warning patient -------------------------------------------------------------------


def seed_escalation_patient(count: int, staff: dict[str, User]) -> int:
    """Give one patient of the lead's team whose PEG has not improved four specialist referrals in the
    last five months (the sweep then flags them); returns how many referrals were written."""
    patient = escalation_patient(count, staff[LEAD])
    if patient is None or Referral.objects.filter(patient=patient).exists():
        return 0
    from demo.referrals import DemoReferral, make_referral  # the referral demo's real-service writer

    today = timezone.localdate()
    steps = {"sent": (1,), "acknowledged": (1, 4), "attended": (1, 3, 8, 30), "report_received": (1, 2, 9, 30, 45)}
    for service, provider, reason, state, days_ago in ESCALATION_REFERRALS:
        plan = DemoReferral(
            state,
            written_days_ago=days_ago,
            step_days=steps[state],
            appointment_in_days=-(days_ago - 30) if state in ("attended", "report_received") else None,
            details={
                "service": service,
                "receiving_provider": provider,
                "reason": reason,
                "question": "",
                **({"service_other": provider.split()[-1]} if service == "other" else {}),
            },
        )
        make_referral(patient, plan, by=staff[COORDINATOR], today=today)
    return len(ESCALATION_REFERRALS)


def escalation_patient(count: int, lead: User) -> Patient | None:
    """The first demo patient from ESCALATION_FROM on, led by ``lead``, whose PEG over the last six
    months the rule judges not improving (the same patient on every run)."""
    numbers = range(ESCALATION_FROM, min(count, CHART_PATIENTS))
    led = list(
        Patient.objects.filter(
            mrn__in=[demo_mrn(n) for n in numbers], care_team__member=lead, care_team__is_lead=True
        ).order_by("mrn")
    )
    if not led:
        return None
    today = timezone.localdate()
    since = timezone.make_aware(datetime.datetime.combine(window_start(today), datetime.time.max))
    pegs: dict[int, list] = {}
    for patient_id, completed_at, total in (
        Response.objects.scored()
        .filter(patient__in=led, instrument__code="peg", completed_at__gt=since)
        .values_list("patient", "completed_at", "total")
    ):
        pegs.setdefault(patient_id, []).append((timezone.localdate(completed_at), total))
    for patient in led:
        if peg_facts(pegs.get(patient.pk, []), start=window_start(today), today=today):
            return patient
    return None


# --- Case conferences ------------------------------------------------------------------------------


@transaction.atomic
def seed_conferences(count: int, staff: dict[str, User]) -> int:
    if CaseConference.objects.filter(title__in=[PAST_CONFERENCE, NEXT_CONFERENCE]).exists():
        return 0
    lead, psychologist, physio, coordinator = (staff[k] for k in (LEAD, PSYCHOLOGIST, PHYSIO, COORDINATOR))
    attendees = [lead, psychologist, physio, coordinator]
    now = timezone.localtime()
    held_at = (now - datetime.timedelta(days=14)).replace(hour=12, minute=30, second=0, microsecond=0)
    past = conferences.schedule_conference(
        title=PAST_CONFERENCE, scheduled_for=held_at, attendees=attendees, by=coordinator
    )
    complex_patients = list(
        Patient.objects.filter(
            mrn__in=[demo_mrn(n) for n in range(1, min(count, CHART_PATIENTS))],
            complexity=Complexity.COMPLEX,
            care_team__member=lead,
        ).order_by("mrn")[:2]
    )
    for number, patient in enumerate(complex_patients):
        item, _ = conferences.add_to_agenda(
            conference=past, patient=patient, reason=ConferenceItem.Reason.COMPLEX, by=coordinator
        )
        conferences.record_discussion(
            item=item,
            discussion=(
                "Several providers and treatments over the past year; daily function about the same. "
                "Sleep and low mood are holding back the activity goals."
            ),
            decisions="One lead clinician coordinates all referrals. Start group CBT for pain; graded walking plan.",
            by=lead,
        )
        task = conferences.decision_task(
            item=item,
            title="Offer a place in the next CBT-for-pain group",
            assignee=psychologist,
            assignee_role="",
            due_on=held_at.date() + datetime.timedelta(days=7),
            priority=TeamTask.Priority.NORMAL,
            by=coordinator,
        )
        if number == 0:
            task.mark_done(by=psychologist, note="Starts on the 3rd; she said yes.")
    past.mark_held()
    upcoming = (now + datetime.timedelta(days=5)).replace(hour=12, minute=30, second=0, microsecond=0)
    conferences.schedule_conference(title=NEXT_CONFERENCE, scheduled_for=upcoming, attendees=attendees, by=coordinator)
    return 2


# --- Benchmark scale ---------------------------------------------------------------------------


def seed_scale_tasks(count: int) -> int:
    """Every SCALE_EVERY-th patient past CHART_PATIENTS: an open task (for the lead, or for any
    coordinator) and a closed one; bulk inserts of 5,000, skipping tasks that exist."""
    numbers = list(range(CHART_PATIENTS, count, SCALE_EVERY))
    if not numbers:
        return 0
    today, now = timezone.localdate(), timezone.now()
    created = 0
    for start in range(0, len(numbers), 5000):
        chunk = numbers[start : start + 5000]
        ids = dict(Patient.objects.filter(mrn__in=[demo_mrn(n) for n in chunk]).values_list("mrn", "id"))
        leads = dict(
            CareTeamMember.objects.filter(patient__in=ids.values(), is_lead=True).values_list("patient", "member")
        )
        rows = []
        for number in chunk:
            patient_id = ids.get(demo_mrn(number))
            if patient_id is None:
                continue
            for_lead = number % 2 == 0 and patient_id in leads
            rows.append(
                TeamTask(
                    title="Review the latest questionnaires" if for_lead else "Call the patient to book a review",
                    source=TeamTask.Source.OTHER,
                    source_key=f"demo:scale:{number}:open",
                    patient_id=patient_id,
                    assignee_id=leads.get(patient_id) if for_lead else None,
                    assignee_role="" if for_lead else Role.COORDINATOR,
                    priority=(TeamTask.Priority.HIGH, TeamTask.Priority.NORMAL, TeamTask.Priority.NORMAL)[number % 3],
                    due_on=today + datetime.timedelta(days=number % 15 - 5),
                    created_at=now,
                )
            )
            rows.append(
                TeamTask(
                    title="Send the welcome pack",
                    source=TeamTask.Source.OTHER,
                    source_key=f"demo:scale:{number}:done",
                    patient_id=patient_id,
                    assignee_role=Role.COORDINATOR,
                    status=TeamTask.Status.DONE,
                    due_on=today - datetime.timedelta(days=30),
                    created_at=now - datetime.timedelta(days=31),
                    done_at=now - datetime.timedelta(days=30),
                )
            )
        existing = set(
            TeamTask.objects.filter(Q(source_key__in=[row.source_key for row in rows])).values_list(
                "source_key", flat=True
            )
        )
        fresh = [row for row in rows if row.source_key not in existing]
        TeamTask.objects.bulk_create(fresh, ignore_conflicts=True)
        created += len(fresh)
    return created
