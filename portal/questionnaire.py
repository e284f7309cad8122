"""The patient's questionnaire journey: the bundle of one invitation, one question per screen, a short
review, "Send my answers", and the thank-you page with the safety resources and "your numbers".

Reads here are bounded (a few queries whatever the patient's history); writes go through
measures.services (start_response, save_answer, submit_response) in one transaction each.

A PHQ-9 item 9 answer above 0 raises its safety alert as it is saved (save_answer), so every page after it
shows the crisis resources (``needs_crisis_resources``). A gate stops a screen (PC-PTSD-5 after "No" to the
exposure question): the questions it skips are not asked, listed or counted (``asked_codes``).
"""

import math
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop

from measures.change import change_with
from measures.definitions import InstrumentDefinition, Item
from measures.entry import not_asked
from measures.models import Alert, Instrument, Invitation, MeasureSummary, Response
from measures.scoring_context import scoring_context
from measures.services import AnswerRefused, save_answer, start_response, submit_response
from portal.models import PatientLink

SECONDS_PER_QUESTION = 15  # an honest pace for one tap per question, reading included

# What each shipped questionnaire is about, in the patient's words (the instrument's own name is shown too).
ABOUT = {
    "peg": gettext_lazy("How pain affects your days"),
    "phq9": gettext_lazy("Your mood"),
    "phq2": gettext_lazy("Your mood"),
    "gad7": gettext_lazy("Worry and stress"),
    "gad2": gettext_lazy("Worry and stress"),
    "pcptsd5": gettext_lazy("Hard experiences"),
    "auditc": gettext_lazy("Alcohol"),
}


@dataclass(frozen=True)
class Step:
    """One questionnaire of the bundle and how far the patient has got with it."""

    code: str
    instrument: Instrument
    response: Response | None

    @property
    def spec(self) -> InstrumentDefinition:
        return self.instrument.spec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def about(self) -> str:
        return str(ABOUT.get(self.code) or self.spec.title or self.spec.name)

    @property
    def count(self) -> int:
        return len(asked_codes(self.spec, self.response.answers if self.response else {}))

    @property
    def answered(self) -> int:
        return answered_count(self.spec, self.response.answers) if self.response else 0

    @property
    def done(self) -> bool:
        return self.response is not None and self.response.completed_at is not None

    @property
    def state(self) -> str:
        if self.done:
            return "done"
        return "in_progress" if self.answered else "not_started"

    @property
    def minutes(self) -> int:
        return minutes_for(self.count - self.answered)


def minutes_for(questions: int) -> int:
    return max(1, math.ceil(questions * SECONDS_PER_QUESTION / 60))


def asked_codes(spec: InstrumentDefinition, answers: dict) -> list[str]:
    """The questions the patient is asked, given their answers so far: all of them, except those a gate skips
    (PC-PTSD-5 stops after "No" to the exposure question: measures.entry.not_asked)."""
    skipped = not_asked(spec, answers)
    return [code for code in spec.item_codes if code not in skipped]


def answered_count(spec: InstrumentDefinition, answers: dict) -> int:
    return sum(1 for code in asked_codes(spec, answers) if answers.get(code) is not None)


def first_unanswered(spec: InstrumentDefinition, answers: dict) -> int | None:
    """The number (1-based) of the first question asked without an answer, or None when all are answered."""
    skipped = not_asked(spec, answers)
    for number, code in enumerate(spec.item_codes, start=1):
        if code not in skipped and answers.get(code) is None:
            return number
    return None


def next_question(spec: InstrumentDefinition, answers: dict, number: int) -> int | None:
    """The number of the next question asked after ``number``, or None when it was the last one asked."""
    skipped = not_asked(spec, answers)
    for following, code in enumerate(spec.item_codes[number:], start=number + 1):
        if code not in skipped:
            return following
    return None


def is_skipped(spec: InstrumentDefinition, answers: dict, item_code: str) -> bool:
    return item_code in not_asked(spec, answers)


def invitation_of(link: PatientLink) -> Invitation | None:
    """The link's invitation (loaded with the link by `select_related("invitation")`), or None."""
    try:
        return link.invitation
    except Invitation.DoesNotExist:
        return None


def bundle(invitation: Invitation) -> list[Step]:
    """The invitation's questionnaires in order, each with its response so far (two queries at most)."""
    responses = {r.instrument.code: r for r in invitation.responses.select_related("instrument")}
    codes = [code for code in invitation.instrument_codes if isinstance(code, str)]
    missing = [code for code in codes if code not in responses]
    instruments = {}
    if missing:
        instruments = Instrument.objects.filter(code__in=missing).newest_active()
    steps = []
    for code in codes:
        response = responses.get(code)
        instrument = response.instrument if response else instruments.get(code)
        if instrument is not None:
            steps.append(Step(code=code, instrument=instrument, response=response))
    return steps


def response_for(link: PatientLink, public_id) -> Response | None:
    """The response, only if it belongs to this link's invitation and patient (one query)."""
    return (
        Response.objects.select_related("instrument")
        .filter(public_id=public_id, invitation__link_id=link.id, patient_id=link.patient_id)
        .first()
    )


def option_value(raw: str | None):
    """The number a posted button carries ("3" -> 3, "0.5" -> 0.5), or None for anything else."""
    if raw is None:
        return None
    raw = raw.strip()
    if raw.lstrip("-").isdigit() and len(raw) <= 12:
        return int(raw)
    try:
        number = float(raw)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def is_scale(item: Item) -> bool:
    """A numeric rating scale (0-10) is shown as a grid of number buttons; other options are stacked."""
    return any(option.anchor for option in item.options) or len(item.options) > 7


def answer(*, response: Response, item_code: str, raw_value: str | None) -> Response:
    """Save one answer at once (a safety answer alerts at once: see measures.services.save_answer).

    Preconditions: the response belongs to the patient's invitation. Raises AnswerRefused for a value
    that is not one of the item's options (nothing is changed).
    """
    value = option_value(raw_value)
    if value is None:
        raise AnswerRefused(gettext("Please choose one of the answers shown."))
    return save_answer(response=response, item_code=item_code, value=value)


@transaction.atomic
def send(*, response: Response, reads: str | None = None) -> tuple[bool, Response | None]:
    """Submit the response (idempotent), then start the next questionnaire of the bundle, if any.

    Returns (whether this call sent it, the next response to fill in or None when the bundle is done).
    Preconditions: every question is answered; the response belongs to the patient's invitation.
    """
    # Decided under submit_response's row lock, not from this (possibly stale) copy: of twenty parallel
    # "Send my answers", one is newly sent.
    # The patient's recorded sex sets a sex-specific cut-off (AUDIT-C); unknown leaves 'positive' unset.
    newly_sent = submit_response(response=response, context=scoring_context(response.patient)).newly_completed
    invitation = Invitation.objects.get(pk=response.invitation_id)
    for step in bundle(invitation):
        if not step.done:
            return newly_sent, step.response or start_response(
                patient=invitation.patient, instrument=step.instrument, invitation=invitation, reads=reads
            )
    return newly_sent, None


@transaction.atomic
def start(*, invitation: Invitation, code: str, reads: str | None = None) -> Response | None:
    """The response for one questionnaire of the bundle, started if need be (None for a code not in it), in
    the language the patient reads when the instrument has its official wording in it."""
    for step in bundle(invitation):
        if step.code == code:
            return step.response or start_response(
                patient=invitation.patient, instrument=step.instrument, invitation=invitation, reads=reads
            )
    return None


def needs_crisis_resources(invitation: Invitation | None) -> bool:
    """True when any answer of this invitation raised a safety alert (PHQ-9 item 9 above 0). The alert is
    raised as the answer is saved, so every page after that answer shows the crisis resources (one query)."""
    if invitation is None:
        return False
    return Alert.objects.filter(response__invitation=invitation, kind=Alert.Kind.SAFETY).exists()


def your_numbers(*, patient, latest: list[Response]) -> list[str]:
    """One plain sentence per questionnaire answered at least twice: the first scored response (the
    baseline, kept in the patient's measure summary) against this one. One query, whatever the history."""
    scored = {r.instrument.code: r for r in latest if r.completed_at and r.total is not None}
    if not scored:
        return []
    summaries = MeasureSummary.objects.filter(patient=patient, instrument_code__in=scored, responses_count__gte=2)
    sentences = []
    for summary in summaries.order_by("instrument_code"):
        spec = scored[summary.instrument_code].instrument.spec
        change = change_with(spec, summary.baseline_total, scored[summary.instrument_code].total)
        sentences.append(number_words(spec, change.absolute_change, english=change.patient_words))
    return sentences


# The shipped definitions' patient_subject words (app wording, measures/instruments/*.json), so the
# catalogue holds them: the sentence is written in the page's language.
SUBJECTS = (
    gettext_noop("Your score for alcohol use"),
    gettext_noop("Your score for worry and anxiety"),
    gettext_noop("Your score on the stress questions"),
    gettext_noop("Your pain's effect on daily life"),
    gettext_noop("Your score for low mood"),
)


def number_words(spec: InstrumentDefinition, absolute_change, *, english: str) -> str:
    """measures.change's patient sentence (lower, higher or the same as when you started) in the page's
    language. A clinic's own instrument whose subject is not in the catalogue keeps its English sentence."""
    subject = spec.patient_subject
    if absolute_change is None or (get_language() or "en").startswith("en") or (subject and subject not in SUBJECTS):
        return english
    words = gettext(subject) if subject else gettext("Your %(name)s score") % {"name": spec.name}
    if absolute_change < 0:
        return gettext("%(subject)s is lower than when you started.") % {"subject": words}
    if absolute_change > 0:
        return gettext("%(subject)s is higher than when you started.") % {"subject": words}
    return gettext("%(subject)s is the same as when you started.") % {"subject": words}
