"""Intake workflows: send the link, save a section as the patient goes, save the red-flag screen (with its
flags and tasks in the same transaction), and submit the intake once.

Every write locks the intake row first (``select_for_update``), so a double tap, a retried request or an
autosave racing a "Save and continue" take turns, and unique constraints back this up (one red flag per
intake and item; one task per intake and red-flag level, by ``source_key``).

Who may: sending the link is a staff member's act (``by``), checked here (clinic/access/patients.py,
``Refused`` otherwise). Saving sections, the red-flag screen and submitting are the patient's own, through
their portal link (portal/intake_views.py checks the token): those take no staff ``by`` and check nothing
more here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clinic.access.patients import LINK_SENDERS_ONLY, may_send_patient_links
from clinic.access.refusals import refuse_unless
from clinic.models import OutboxMessage, TeamTask, User
from clinic.safety_net import raise_routed_task
from clinic.services import queue_message
from measures.models import Instrument, Response
from measures.scoring_context import scoring_context
from measures.services import latest_instrument, save_answer, start_response, submit_response
from patients import intake as sections
from patients import redflags, self_harm_services
from patients.models import Intake, Patient, RedFlag
from portal.language import language_of
from portal.models import PatientLink
from portal.services import issue_link, link_message, link_url

INTAKE_LINK_DAYS = 14
#: Sending the intake link again within this many seconds of the last one (a double click, a retried POST) gives
#: back that link's result: no new link, no second message. The app's rule.
RESEND_WINDOW_SECONDS = 60
#: Where a submitted intake keeps the public ids of the measures responses it created (instrument code -> id).
MEASURES_KEY = "_measures"

RED_FLAG_TASKS = {
    redflags.EMERGENCY: (
        "Intake red flag, possible emergency: the patient was told to seek emergency care now. Contact them now.",
        TeamTask.Priority.URGENT,
    ),
    redflags.REVIEW: ("Intake red flag: review the patient's safety answers", TeamTask.Priority.HIGH),
}


class IntakeClosed(Exception):
    """The intake has been sent to the care team: nothing in it changes any more."""


# --------------------------------------------------------------------------- sending the link


@dataclass(frozen=True)
class SentIntakeLink:
    intake: Intake
    link: PatientLink
    #: The link itself: shown once to staff when it could not be sent (``channel`` is None), never stored.
    #: None when ``repeated``: only the link's hash is stored, so its address cannot be shown again.
    url: str | None
    #: "email" or "sms" when a message was queued for this link; None when none was.
    channel: str | None
    #: True when a link issued less than RESEND_WINDOW_SECONDS ago was still live and is given back as it was.
    repeated: bool = False


def intake_link_dedupe_key(link: PatientLink) -> str:
    return f"intake-link:{link.pk}"


@transaction.atomic
def send_intake_link(*, patient: Patient, by: User, days: int = INTAKE_LINK_DAYS) -> SentIntakeLink:
    """Open the patient's intake (or reuse the open one), give it a fresh link and queue the message.

    A previous link of the open intake is revoked, so only the newest link works. The message carries
    no health information (portal.services.link_message). Without a consented channel nothing is
    queued and the caller shows the link once, to be given in person.

    Idempotent within RESEND_WINDOW_SECONDS: when the open intake's link was issued less than that long
    ago and still works, nothing changes and the result says ``repeated`` (no url: it cannot be rebuilt),
    so a double click or twenty parallel POSTs make one link and one message. The patient row lock
    makes the parallel calls take turns, so each later one sees the first one's link.

    Refused unless ``by`` may send patient links to this patient (``may_send_patient_links``: coordinators).
    """
    refuse_unless(may_send_patient_links(by, patient), LINK_SENDERS_ONLY)
    Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk").get()  # two senders take turns
    now = timezone.now()
    intake = Intake.objects.filter(patient=patient, submitted_at__isnull=True).first()
    if intake is None:
        intake = Intake.objects.create(patient=patient, created_by=by)
    elif intake.link_id:
        current = PatientLink.objects.get(pk=intake.link_id)
        if current.is_usable(now) and now - current.created_at < timedelta(seconds=RESEND_WINDOW_SECONDS):
            queued = OutboxMessage.objects.filter(dedupe_key=intake_link_dedupe_key(current)).first()
            return SentIntakeLink(
                intake=intake, link=current, url=None, channel=queued.channel if queued else None, repeated=True
            )
        PatientLink.objects.filter(pk=intake.link_id, revoked_at__isnull=True, completed_at__isnull=True).update(
            revoked_at=now
        )
    link, token = issue_link(patient=patient, purpose=PatientLink.Purpose.INTAKE, created_by=by, days=days)
    intake.link, intake.updated_at = link, now
    intake.save(update_fields=["link", "updated_at"])
    url = link_url(token)
    contact = patient.contact_channel()
    channel = None
    if contact is not None:
        channel, address = contact
        subject, body = link_message(url, language=language_of(patient))
        queue_message(
            channel=channel,
            to_address=address,
            subject=subject,
            body=body,
            patient=patient,
            dedupe_key=intake_link_dedupe_key(link),
        )
    return SentIntakeLink(intake=intake, link=link, url=url, channel=channel)


# --------------------------------------------------------------------------- saving as the patient goes


def lock(intake: Intake) -> Intake:
    locked = Intake.objects.select_for_update(of=("self",)).select_related("patient").get(pk=intake.pk)
    if locked.submitted_at is not None:
        raise IntakeClosed
    return locked


@dataclass(frozen=True)
class SectionSaved:
    intake: Intake
    #: The self-harm check of the section's free text (patients/self_harm_services.py).
    self_harm: self_harm_services.SelfHarmCheck


@transaction.atomic
def save_section(*, intake: Intake, code: str, values: Mapping, finished: bool) -> SectionSaved:
    """Store a section's cleaned answers over what was saved before; mark it saved when ``finished``.

    ``values`` comes from patients.intake.clean_section (valid fields only, so a field with a problem
    keeps its earlier answer). Autosave passes ``finished=False``: the section counts as saved only
    when the patient saves it with no problem left.

    The section's free text, as saved, is checked for self-harm words: a match raises an urgent task in
    this transaction, once per intake and section (``self-harm:intake:<intake>:<section>``).

    The patient's own save through their portal link (no staff ``by``: the portal checked the token).
    Preconditions: ``code`` is a section of patients.intake other than the red-flag screen (see
    save_red_flags). Raises IntakeClosed once the intake is sent.
    """
    if code == sections.SAFETY or code not in sections.SECTIONS_BY_CODE:
        raise ValueError(f"not a section saved by save_section: {code!r}")
    locked = lock(intake)
    saved = locked.answers.get(code)
    locked.answers = {**locked.answers, code: {**(saved if isinstance(saved, dict) else {}), **values}}
    fields = ["answers", "updated_at"]
    if finished and code not in locked.sections_saved:
        locked.sections_saved = [*locked.sections_saved, code]
        fields.append("sections_saved")
    locked.updated_at = timezone.now()
    locked.save(update_fields=fields)
    section = sections.SECTIONS_BY_CODE[code]
    stored = locked.answers[code]
    check = self_harm_services.check_patient_text(
        patient=locked.patient,
        texts=[stored.get(f.code) for f in section.fields if f.is_text and isinstance(stored.get(f.code), str)],
        where=self_harm_services.INTAKE,
        key=f"{locked.public_id}:{code}",
    )
    return SectionSaved(intake=locked, self_harm=check)


@dataclass(frozen=True)
class RedFlagsSaved:
    intake: Intake
    assessment: redflags.RedFlagAssessment
    #: Red flags recorded by this call (a repeated answer records nothing new).
    new_flags: list[RedFlag]
    #: The red-flag tasks of this intake, one per level flagged so far.
    tasks: list[TeamTask]

    @property
    def is_emergency(self) -> bool:
        return self.assessment.is_emergency

    @property
    def new_emergency(self) -> bool:
        return any(flag.level == redflags.EMERGENCY for flag in self.new_flags)


@transaction.atomic
def save_red_flags(*, intake: Intake, answers: Mapping[str, bool | None], finished: bool) -> RedFlagsSaved:
    """Store the red-flag screen's answers, record a red flag for each "yes" and create the task(s), in one
    transaction: whenever the answer is stored, its flag and its task exist; if either fails, the answer
    is not stored either.

    Answers are merged over the saved ones (an unanswered item keeps its earlier answer). A "yes" changed
    to "no" later keeps its red flag: a clinician reviews it. An emergency flag creates an urgent task for
    the clinician on duty, else the team's lead, else every clinician; a review flag a high-priority task
    for the lead, else every clinician; one task per intake and level, so a retry or a second submit
    creates nothing twice. The screen counts as saved when ``finished`` and every item is answered.

    The patient's own save through their portal link (no staff ``by``: the portal checked the token).
    Preconditions: ``answers`` maps red-flag item codes to True/False/None (patients.intake.clean_section
    of the ``safety`` section). Raises IntakeClosed once the intake is sent.
    """
    locked = lock(intake)
    merged = {**locked.red_flag_answers, **{code: value for code, value in answers.items() if value is not None}}
    assessment = redflags.assess(merged)
    known = set(locked.red_flags.values_list("code", flat=True))
    new_flags = [
        RedFlag(patient=locked.patient, code=item.code, level=item.level, source=RedFlag.Source.INTAKE, intake=locked)
        for item in assessment.flagged
        if item.code not in known
    ]
    RedFlag.objects.bulk_create(new_flags)
    levels = set(locked.red_flags.values_list("level", flat=True))
    tasks = [red_flag_task(locked, level) for level in redflags.LEVELS if level in levels and level in RED_FLAG_TASKS]
    locked.red_flag_answers = merged
    locked.red_flag_level = assessment.level if merged else ""
    fields = ["red_flag_answers", "red_flag_level", "updated_at"]
    if finished and assessment.complete and sections.SAFETY not in locked.sections_saved:
        locked.sections_saved = [*locked.sections_saved, sections.SAFETY]
        fields.append("sections_saved")
    locked.updated_at = timezone.now()
    locked.save(update_fields=fields)
    return RedFlagsSaved(intake=locked, assessment=assessment, new_flags=new_flags, tasks=tasks)


def intake_red_flag_task_key(intake_public_id, level: str) -> str:
    return f"intake:{intake_public_id}:red_flag:{level}"


def red_flag_task(intake: Intake, level: str) -> TeamTask:
    title, priority = RED_FLAG_TASKS[level]
    task = raise_routed_task(
        title=title,
        source=TeamTask.Source.RED_FLAG,
        source_key=intake_red_flag_task_key(intake.public_id, level),
        patient=intake.patient,
        priority=priority,
    )
    assert task is not None  # nobody is excluded, so the routing chain always gives a task
    return task


# --------------------------------------------------------------------------- sending it to the care team


@dataclass(frozen=True)
class IntakeSubmission:
    intake: Intake
    #: False when it had been sent already (a double tap): nothing was done again.
    newly_submitted: bool
    responses: list[Response]


@transaction.atomic
def submit_intake(*, intake: Intake) -> IntakeSubmission:
    """Send the intake to the care team, once: mark it submitted, close its link, and turn its PHQ-2 and
    GAD-2 answers into scored measures responses (source portal), which raise alerts and their tasks like
    any other response. An instrument is recorded only when all its items are answered.

    Idempotent: a second call finds the intake submitted and returns it unchanged. The patient's own act
    through their portal link (no staff ``by``: the portal checked the token).
    Preconditions: the red-flag screen is answered (the portal checks it before offering "Send").
    """
    locked = Intake.objects.select_for_update(of=("self",)).select_related("patient", "link").get(pk=intake.pk)
    if locked.submitted_at is not None:
        ids = (locked.answers.get(MEASURES_KEY) or {}).values()
        return IntakeSubmission(
            intake=locked, newly_submitted=False, responses=list(Response.objects.filter(public_id__in=ids))
        )
    now = timezone.now()
    mood = locked.answers.get(sections.MOOD) or {}
    responses = []
    for code in sections.SECTIONS_BY_CODE[sections.MOOD].instruments:
        response = record_measure(patient=locked.patient, code=code, answers=mood)
        if response is not None:
            responses.append(response)
    locked.answers = {**locked.answers, MEASURES_KEY: {r.instrument.code: str(r.public_id) for r in responses}}
    locked.submitted_at = locked.updated_at = now
    locked.save(update_fields=["answers", "submitted_at", "updated_at"])
    if locked.link is not None and locked.link.completed_at is None:
        locked.link.completed_at = now
        locked.link.save(update_fields=["completed_at"])
    return IntakeSubmission(intake=locked, newly_submitted=True, responses=responses)


def record_measure(*, patient: Patient, code: str, answers: Mapping) -> Response | None:
    """A scored portal response to one instrument from the intake's answers, or None when an item is
    unanswered or the instrument is no longer active."""
    try:
        instrument = latest_instrument(code)
    except Instrument.DoesNotExist:
        return None
    spec = instrument.spec
    if any(answers.get(item_code) is None for item_code in spec.item_codes):
        return None
    response = start_response(patient=patient, instrument=instrument, source=Response.Source.PORTAL)
    for item_code in spec.item_codes:
        response = save_answer(response=response, item_code=item_code, value=answers[item_code])
    return submit_response(response=response, context=scoring_context(patient)).response


# --------------------------------------------------------------------------- reads for the portal


def measures_responses(intake: Intake) -> list[Response]:
    """The scored responses the intake created, in instrument order (one query)."""
    ids = (intake.answers.get(MEASURES_KEY) or {}).values()
    if not ids:
        return []
    found = {r.instrument.code: r for r in Response.objects.filter(public_id__in=ids).select_related("instrument")}
    return [found[code] for code in sections.SECTIONS_BY_CODE[sections.MOOD].instruments if code in found]


def needs_support(intake: Intake) -> tuple[bool, bool]:
    """(an emergency red flag was reported, support resources are worth showing): the latter for any red
    flag or a positive PHQ-2/GAD-2 screen. Two queries at most."""
    levels = set(intake.red_flags.values_list("level", flat=True))
    positive = any(response.positive for response in measures_responses(intake)) if not levels else False
    return redflags.EMERGENCY in levels, bool(levels) or positive
