"""The clinic app's models, one module per concept: staff and care teams (people), the safety net's rota
(safety), tasks, the outbox, team messages, referrals, appointments and case conferences. App label and
tables unchanged."""

from clinic.models.appointments import Appointment, AppointmentEvent, AppointmentQuerySet
from clinic.models.conferences import (
    CaseConference,
    CaseConferenceQuerySet,
    ConferenceItem,
    EscalationFlag,
    EscalationFlagQuerySet,
)
from clinic.models.messages import TeamMessage, TeamMessageQuerySet
from clinic.models.outbox import OutboxMessage, OutboxMessageQuerySet, SweepRun, WorkerHeartbeat
from clinic.models.people import CareTeamMember, User
from clinic.models.referrals import Referral, ReferralEvent, ReferralQuerySet
from clinic.models.safety import CareTeamChange, DutyShift, DutyShiftQuerySet, StaffAbsence
from clinic.models.tasks import TeamTask, TeamTaskEvent, TeamTaskQuerySet

__all__ = [
    "Appointment",
    "AppointmentEvent",
    "AppointmentQuerySet",
    "CareTeamChange",
    "CareTeamMember",
    "CaseConference",
    "CaseConferenceQuerySet",
    "ConferenceItem",
    "DutyShift",
    "DutyShiftQuerySet",
    "EscalationFlag",
    "EscalationFlagQuerySet",
    "OutboxMessage",
    "OutboxMessageQuerySet",
    "Referral",
    "ReferralEvent",
    "ReferralQuerySet",
    "StaffAbsence",
    "SweepRun",
    "TeamMessage",
    "TeamMessageQuerySet",
    "TeamTask",
    "TeamTaskEvent",
    "TeamTaskQuerySet",
    "User",
    "WorkerHeartbeat",
]
