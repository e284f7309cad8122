"""Who may do what with a patient's questionnaires and alerts (beyond seeing the chart).

Every function here takes a patient already obtained through ``clinic.access.get_patient_for_user``
for the same user (outsiders have had their 404 by then).

- Acknowledging an alert is a clinical act ("what was done"): clinicians on the patient's care team
  only. Coordinators and clinic admins see alerts but do not acknowledge them.
- Entering a questionnaire in clinic (kiosk or on the patient's behalf): clinicians on the team and
  coordinators (who run the front desk and hand the tablet over). Clinic admins do not enter
  clinical data.
- Changing a questionnaire schedule (pause, resume, interval, next due date, starting the default
  protocol): clinicians on the patient's care team only. Pausing the PHQ-9 also stops its item-9
  screen, a clinical decision. Coordinators and clinic admins see the schedule but do not change it.
"""

from clinic.access import is_on_team, is_team_clinician
from clinic.roles import Role


def may_acknowledge_alerts(user, patient) -> bool:
    return is_team_clinician(user, patient)


SCHEDULE_CHANGERS_ONLY = (
    "Only a clinician on the patient's care team can pause, resume or change a questionnaire schedule."
)


def may_change_schedule(user, patient) -> bool:
    return is_team_clinician(user, patient)


def may_enter_responses(user, patient) -> bool:
    if not user.is_active:
        return False
    if user.role == Role.COORDINATOR:
        return True
    return user.role == Role.CLINICIAN and is_on_team(user, patient)
