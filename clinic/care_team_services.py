"""Changing a patient's care team and lead clinician, with history (CareTeamChange) and audit.

Coordinators and clinic admins (and superusers) change care teams; only active clinicians can be
members or lead. Every function here:

- checks permission itself (``may_manage_care_team``; PermissionDenied otherwise), whoever calls it;
- locks the patient's row first (SELECT ... FOR UPDATE), so two coordinators changing the same team
  at once take turns: the second sees what the first did, and there is never a second lead (the
  database's one-lead constraint backs this up);
- writes one CareTeamChange row per change (who, when, why) and one audit event (Action.UPDATE,
  target words only, no patient data);
- raises a CareTeamRefused subclass and writes nothing when the change cannot be made as asked:
  ReasonRequired, NotAnActiveClinician, or StaleChange when the team is no longer as the caller saw it
  (already removed, already lead, the lead changed meanwhile); its message is calm and can be shown.
  ReasonRequired is a BadReason, as is a reason longer than the history keeps.

A reason is required for every change except the first on an empty team (adding the first member or
naming the first lead of a newly registered patient): removing someone, ending or changing a lead, and
adding to a team that already has members all say why.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.context import AuditContext
from audit.models import Action, AuditEvent
from audit.services import record_event
from clinic.access.staff import may_manage_care_team
from clinic.models import CareTeamChange, CareTeamMember, User
from clinic.roles import Role
from patients.models import Patient

REASON_MAX_LENGTH = cast(int, CareTeamChange._meta.get_field("reason").max_length)  # a CharField's: never None
Kind = CareTeamChange.Kind


class CareTeamRefused(Exception):
    """The change was not made; ``str(error)`` says why in words fit to show, ``member_id`` about whom."""

    def __init__(self, message: str, *, member: User | None = None):
        super().__init__(message)
        self.member_id = member.pk if member is not None else None


class BadReason(CareTeamRefused):
    """The reason is missing or too long (forms show this on the reason field)."""


class ReasonRequired(BadReason):
    pass


class NotAnActiveClinician(CareTeamRefused):
    pass


class StaleChange(CareTeamRefused):
    """The team changed since the caller looked (a colleague acted first): nothing to do, or check first."""


class _Unchecked:
    def __repr__(self) -> str:
        return "UNCHECKED"


UNCHECKED = _Unchecked()


def is_active_clinician(user) -> bool:
    return bool(user.is_active and user.role == Role.CLINICIAN)


def active_clinicians():
    """Everyone who may be on a care team or lead it, in the order the forms list them."""
    return User.objects.filter(is_active=True, role=Role.CLINICIAN).order_by("last_name", "first_name", "id")


# --- The four changes ------------------------------------------------------------------------------


@transaction.atomic
def add_member(
    *, patient: Patient, member: User, by: User, reason: str = "", audit: AuditContext | None = None
) -> CareTeamMember:
    """Put an active clinician on the patient's care team (not as lead).

    Preconditions: ``may_manage_care_team(by)``. Raises NotAnActiveClinician, StaleChange (already on
    the team), ReasonRequired (the team already has members and ``reason`` is blank).
    """
    team = _lock_team(patient, by)
    reason = _clean(reason)
    _refuse_unless_active_clinician(member)
    if member.pk in team:
        raise StaleChange(f"{member.display_name} is already on the care team. Nothing was changed.")
    if team and not reason:
        raise ReasonRequired("Say why they join the team.")
    membership = CareTeamMember.objects.create(patient=patient, member=member)
    _history(patient, Kind.ADDED, member, by, reason)
    _audit(by=by, audit=audit, patient=patient, target="care team: member added")
    return membership


@transaction.atomic
def remove_member(*, patient: Patient, member: User, by: User, reason: str, audit: AuditContext | None = None) -> None:
    """Take someone off the patient's care team; when they were the lead, their lead role ends too.

    Preconditions: ``may_manage_care_team(by)``. Raises StaleChange (not on the team any more) and
    ReasonRequired. Anyone on the team can be removed, whatever their role now.
    """
    team = _lock_team(patient, by)
    reason = _clean(reason)
    membership = team.get(member.pk)
    if membership is None:
        raise StaleChange(f"{member.display_name} is no longer on the care team. Nothing was changed.")
    if not reason:
        raise ReasonRequired("Say why they leave the team.")
    if membership.is_lead:
        _history(patient, Kind.LEAD_ENDED, member, by, reason)
    membership.delete()
    _history(patient, Kind.REMOVED, member, by, reason)
    _audit(by=by, audit=audit, patient=patient, target="care team: member removed")


@transaction.atomic
def make_lead(
    *,
    patient: Patient,
    member: User,
    by: User,
    reason: str = "",
    replacing: User | _Unchecked | None = UNCHECKED,
    audit: AuditContext | None = None,
) -> CareTeamMember:
    """Make an active clinician the patient's lead clinician, adding them to the team if they are not on it
    and ending the previous lead's lead role (they stay on the team). One history row per change.

    ``replacing``: the lead the caller saw (None: no lead); when given and the lead is now someone else,
    StaleChange and nothing changes, so a coordinator never replaces a lead they did not see.

    Preconditions: ``may_manage_care_team(by)``. Raises NotAnActiveClinician, StaleChange (already the
    lead; the lead changed meanwhile) and ReasonRequired (the team has members and ``reason`` is blank).
    """
    team = _lock_team(patient, by)
    reason = _clean(reason)
    _refuse_unless_active_clinician(member)
    current = next((m for m in team.values() if m.is_lead), None)
    if current is not None and current.member_id == member.pk:
        raise StaleChange(f"{member.display_name} is already the lead clinician. Nothing was changed.")
    if not isinstance(replacing, _Unchecked) and (current.member_id if current else None) != (
        replacing.pk if replacing else None
    ):
        raise StaleChange(_lead_changed_words(current))
    if team and not reason:
        raise ReasonRequired("Say why the lead clinician changes." if current else "Say why they lead the team.")
    if current is not None:
        CareTeamMember.objects.filter(pk=current.pk).update(is_lead=False)
        _history(patient, Kind.LEAD_ENDED, current.member, by, reason)
    membership = team.get(member.pk)
    if membership is None:
        membership = CareTeamMember.objects.create(patient=patient, member=member, is_lead=True)
        _history(patient, Kind.ADDED, member, by, reason)
    else:
        CareTeamMember.objects.filter(pk=membership.pk).update(is_lead=True)
        membership.is_lead = True
    _history(patient, Kind.MADE_LEAD, member, by, reason)
    _audit(by=by, audit=audit, patient=patient, target="care team: lead clinician changed")
    return membership


@transaction.atomic
def end_lead(*, patient: Patient, member: User, by: User, reason: str, audit: AuditContext | None = None) -> None:
    """End ``member``'s lead role (they stay on the team); the patient then has no lead until one is named.

    Preconditions: ``may_manage_care_team(by)``. Raises StaleChange (``member`` is not the lead now)
    and ReasonRequired.
    """
    team = _lock_team(patient, by)
    reason = _clean(reason)
    current = next((m for m in team.values() if m.is_lead), None)
    if current is None or current.member_id != member.pk:
        raise StaleChange(_lead_changed_words(current))
    if not reason:
        raise ReasonRequired("Say why their lead role ends.")
    CareTeamMember.objects.filter(pk=current.pk).update(is_lead=False)
    _history(patient, Kind.LEAD_ENDED, member, by, reason)
    _audit(by=by, audit=audit, patient=patient, target="care team: lead clinician ended")


def set_up_team(
    *,
    patient: Patient,
    lead: User | None,
    members: Iterable[User],
    by: User,
    reason: str,
    audit: AuditContext | None = None,
) -> None:
    """A new patient's first team (registration): the lead, if any, then the other members, in the
    caller's transaction. Preconditions as for make_lead and add_member; the team is empty."""
    if lead is not None:
        make_lead(patient=patient, member=lead, by=by, reason=reason, replacing=None, audit=audit)
    added = {lead.pk} if lead is not None else set()
    for member in members:
        if member.pk not in added:
            add_member(patient=patient, member=member, by=by, reason=reason, audit=audit)
            added.add(member.pk)


# --- Helpers -----------------------------------------------------------------------------------------


def _lock_team(patient: Patient, by: User) -> dict[int, CareTeamMember]:
    """Check permission, lock the patient's row (team changes for one patient take turns), and read the
    team as it is now: {member id: membership}."""
    if not may_manage_care_team(by):
        raise PermissionDenied("Care coordinators and clinic admins change care teams.")
    Patient.objects.select_for_update().only("pk").get(pk=patient.pk)
    memberships = CareTeamMember.objects.filter(patient=patient).select_related("member")
    return {membership.member_id: membership for membership in memberships}


def _clean(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise BadReason(f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer (it has {len(reason)}).")
    return reason


def _refuse_unless_active_clinician(member: User) -> None:
    if not is_active_clinician(member):
        raise NotAnActiveClinician(
            f"{member.display_name} is not an active clinician: only active clinicians join care teams.",
            member=member,
        )


def _lead_changed_words(current: CareTeamMember | None) -> str:
    now = f"{current.member.display_name} is the lead clinician now" if current else "The patient has no lead now"
    return f"The lead clinician changed while you were looking: {now}. Nothing was changed; check and try again."


def _history(patient: Patient, kind: str, member: User, by: User, reason: str) -> CareTeamChange:
    return CareTeamChange.objects.create(patient=patient, kind=kind, member=member, by=by, reason=reason)


def _audit(*, by: User, audit: AuditContext | None, patient: Patient, target: str) -> AuditEvent:
    return record_event(actor=by, context=audit, patient=patient, action=Action.UPDATE, target=target)
