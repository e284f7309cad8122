"""The patient's session on one device: started by "Continue" on a link's page, used by every portal page
(`current_session`), ended by signing out, by the care team, or by time.

A link only signs the patient in; the session it starts outlives the link's purpose, so a patient who has
sent their questionnaires still reaches their plan, check-in and referrals until the session ends. The
device's Django session holds a random key; only its SHA-256 hash is stored with the PatientSession.

Patient-called services here have no staff actor: their audit events name the patient (actor None).
"""

from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.refusals import NotVisible
from audit.services import record_event
from clinic.access.portal_sessions import may_end_portal_sessions
from patients.models import Patient
from portal.models import PatientLink, PatientSession
from portal.tokens import new_token, token_hash

# The app's own rules (not from a clinical source): 30 idle minutes by default; "Remember this phone"
# keeps the patient signed in on that device for 30 days from sign-in, at most.
IDLE = timedelta(minutes=30)
REMEMBER = timedelta(days=30)
# Writing the session row on every page would cost a write per page; one minute is plenty for 30 idle minutes.
TOUCH_EVERY = timedelta(seconds=60)
SESSION_KEY = "portal_session"


@transaction.atomic
def sign_in(*, link: PatientLink, remember: bool, context: AuditContext | None) -> tuple[PatientSession, str]:
    """Start a session for the link's patient and return it with its raw key (for the device's session only).

    Precondition: the link is usable (the caller found it by its token). Notes the link's first opening and
    audits the sign-in as the patient."""
    now = timezone.now()
    key = new_token()
    visit = PatientSession.objects.create(
        patient=link.patient,
        link=link,
        key_hash=token_hash(key),
        started_at=now,
        last_seen_at=now,
        expires_at=now + (REMEMBER if remember else IDLE),
        remember=remember,
    )
    PatientLink.objects.filter(id=link.id, first_opened_at__isnull=True).update(first_opened_at=now)
    target = "portal sign-in (remember this phone)" if remember else "portal sign-in"
    record_event(actor=None, context=context, patient=link.patient, action=Action.VIEW, target=target)
    return visit, key


def current_session(request: HttpRequest) -> PatientSession | None:
    """The live session of this device, with its patient and link (and the link's invitation) loaded, or None.

    An ended or expired session is forgotten by the device at once. Every portal page asks this."""
    key = request.session.get(SESSION_KEY)
    if not key:
        return None
    visit = (
        PatientSession.objects.select_related("patient", "link__invitation").filter(key_hash=token_hash(key)).first()
    )
    now = timezone.now()
    # A revoked link (the care team sent a newer one) takes its sessions with it; a completed or expired one
    # does not: the patient stays signed in until the session itself ends.
    if visit is None or not visit.is_live(now) or visit.link.revoked_at is not None:
        forget(request)
        return None
    if now - visit.last_seen_at >= TOUCH_EVERY:
        touch(visit, now)
    return visit


def touch(visit: PatientSession, now) -> None:
    """Note the patient's activity; an idle-limited session's end moves on (a remembered one keeps its end)."""
    visit.last_seen_at = now
    fields = {"last_seen_at": now}
    if not visit.remember:
        visit.expires_at = fields["expires_at"] = now + IDLE
    PatientSession.objects.filter(id=visit.id, ended_at__isnull=True).update(**fields)


def forget(request: HttpRequest) -> None:
    """This device forgets its patient session (a staff sign-in in the same browser, if any, is left alone)."""
    request.session.pop(SESSION_KEY, None)


@transaction.atomic
def sign_out(*, visit: PatientSession, everywhere: bool, context: AuditContext | None) -> int:
    """The patient ends this session, or all of their sessions on every device. Returns how many ended."""
    sessions = PatientSession.objects.filter(patient_id=visit.patient_id) if everywhere else visit_only(visit)
    ended = sessions.filter(ended_at__isnull=True).update(ended_at=timezone.now())
    target = "portal: signed out on all devices" if everywhere else "portal: signed out"
    record_event(actor=None, context=context, patient=visit.patient, action=Action.UPDATE, target=target)
    return ended


def visit_only(visit: PatientSession):
    return PatientSession.objects.filter(id=visit.id)


@transaction.atomic
def end_patient_sessions(*, patient: Patient, by, context: AuditContext | None) -> int:
    """A staff member ends every portal session of the patient (a lost phone, a shared device).

    Precondition: none; the service checks that `by` may see the patient (NotVisible, a 404, otherwise; the
    refusal is audited by the middleware as every 404 is). Returns how many sessions ended."""
    if not may_end_portal_sessions(by, patient):
        raise NotVisible("patient", patient.public_id)
    ended = PatientSession.objects.filter(patient=patient, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_by=by
    )
    record_event(actor=by, context=context, patient=patient, action=Action.UPDATE, target="portal sessions ended")
    return ended
