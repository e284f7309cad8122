"""Who may do what with a patient's questionnaires and alerts (beyond seeing the chart).

Every function here takes a patient already obtained through ``clinic.access.get_patient_for_user``
for the same user (outsiders have had their 404 by then).

- Acknowledging an alert is a clinical act ("what was done"): clinicians on the patient's care team
  only. Coordinators and clinic admins see alerts but do not acknowledge them.
- Entering a questionnaire in clinic (kiosk or on the patient's behalf): clinicians on the team and
  coordinators (who run the front desk and hand the tablet over). Clinic admins do not enter
  clinical data.
"""

from clinic.models import CareTeamMember
from clinic.roles import Role


def is_on_team(user, patient) -> bool:
    if not user.sees_every_patient:
        # A clinician who got this patient through get_patient_for_user is on the team, or holds an
        # open task about the patient (the on-duty clinician for a patient with no lead).
        return True
    return CareTeamMember.objects.filter(patient=patient, member=user).exists()


def may_acknowledge_alerts(user, patient) -> bool:
    return bool(user.is_active and user.role == Role.CLINICIAN and is_on_team(user, patient))


def may_enter_responses(user, patient) -> bool:
    if not user.is_active:
        return False
    if user.role == Role.COORDINATOR:
        return True
    return user.role == Role.CLINICIAN and is_on_team(user, patient)
