"""Questionnaire schedules and answers entered in clinic: who may see and change them.

- Everyone who may see the patient sees the patient's schedules (``schedules_visible_to``).
- Changing a schedule (pause, resume, interval, next due date, starting the default protocol): clinicians on
  the patient's care team only. Pausing the PHQ-9 also stops its item-9 screen, a clinical decision.
  Coordinators and clinic admins see the schedule but do not change it.
- Sending what is due now (measures/send_now.py): coordinators and clinic admins (who run reminders for every
  patient) and clinicians on the care team; the service keeps one invitation a day, consent and audit.
- Entering a questionnaire in clinic (kiosk or on the patient's behalf): clinicians on the team and
  coordinators (who run the front desk and hand the tablet over). Clinic admins do not enter clinical data.
"""

from django.db.models import QuerySet

from clinic.access.patients import is_on_team, is_team_clinician, may_see_patient, patients_visible_to
from clinic.roles import Role
from measures.models import MeasurementSchedule

SCHEDULE_CHANGERS_ONLY = (
    "Only a clinician on the patient's care team can pause, resume or change a questionnaire schedule."
)
SENDERS_ONLY = "Coordinators, clinic admins and clinicians on the care team send a patient's questionnaires."
ENTRY_ONLY = "Clinicians on the care team and coordinators enter questionnaires in clinic."


def schedules_visible_to(user) -> QuerySet[MeasurementSchedule]:
    return MeasurementSchedule.objects.filter(patient__in=patients_visible_to(user))


def may_see_schedule(user, schedule: MeasurementSchedule) -> bool:
    return may_see_patient(user, schedule.patient)


def may_change_schedule(user, patient) -> bool:
    return is_team_clinician(user, patient)


def may_send_questionnaires(user, patient) -> bool:
    if not user.is_active:
        return False
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        return may_see_patient(user, patient)
    return is_team_clinician(user, patient)


def may_enter_responses(user, patient) -> bool:
    if not user.is_active:
        return False
    if user.role == Role.COORDINATOR:
        return may_see_patient(user, patient)
    return user.role == Role.CLINICIAN and is_on_team(user, patient)
