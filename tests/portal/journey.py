"""Helpers for the questionnaire journey tests: an invitation with its link, and the patient's taps."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from measures.models import Invitation, Response
from portal.models import PatientLink, PatientSession
from portal.services import issue_link

PHQ9_LOW = {**{f"phq9_{n}": 0 for n in range(1, 9)}, "phq9_9": 0, "phq9_difficulty": 0}
PEG_ANSWERS = {"peg_1": 6, "peg_2": 5, "peg_3": 4}


def invite(patient, codes=("peg", "phq9"), due_on=None) -> tuple[Invitation, str]:
    """An invitation with its questionnaires link, as the scheduler makes them: (invitation, raw token)."""
    link, token = issue_link(patient=patient, purpose=PatientLink.Purpose.QUESTIONNAIRES)
    invitation = Invitation.objects.create(
        patient=patient, due_on=due_on or timezone.localdate(), instrument_codes=list(codes), link=link
    )
    return invitation, token


def open_link(client, token, *, remember=False, follow=False):
    """Open a link as the patient does: its "Continue" page (GET, which changes nothing), then the button."""
    url = reverse("portal:open", args=[token])
    client.get(url)
    return client.post(url, {"remember": "yes"} if remember else {}, follow=follow)


def page_events():
    """The audit events of the pages a test opened, without the sign-in's own (portal.sessions.sign_in)."""
    return AuditEvent.objects.exclude(target__startswith="portal sign-in")


def idle_for(client, minutes):
    """As if the patient's sessions had seen no request for `minutes` (sessions are rows: move them back)."""
    now = timezone.now()
    for visit in PatientSession.objects.filter(ended_at__isnull=True, remember=False):
        visit.last_seen_at = now - timedelta(minutes=minutes)
        visit.expires_at = visit.last_seen_at + timedelta(minutes=30)
        visit.save(update_fields=["last_seen_at", "expires_at"])


def start(client, invitation, code) -> Response:
    client.post(reverse("portal:start", args=[code]))
    return Response.objects.get(invitation=invitation, instrument__code=code)


def question_url(response, number) -> str:
    return reverse("portal:question", args=[response.public_id, number])


def review_url(response) -> str:
    return reverse("portal:review", args=[response.public_id])


def tap(client, response, number, value, **extra):
    """Tap one answer button (a plain form POST)."""
    return client.post(question_url(response, number), {"answer": str(value), **extra})


def answer_all(client, response, answers: dict):
    spec = response.instrument.spec
    for number, code in enumerate(spec.item_codes, start=1):
        if code in answers:
            tap(client, response, number, answers[code])


def send(client, response, **kwargs):
    return client.post(review_url(response), **kwargs)
