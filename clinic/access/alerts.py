"""Clinical acts on what a patient's answers raised: questionnaire alerts, red flags and early-warning flags.

Everyone who may see the patient sees them; acknowledging or reviewing one says what was done clinically, so
clinicians with access to the patient only. Coordinators and clinic admins see them and hand them on.
"""

from clinic.access.patients import is_team_clinician

CLINICIANS_ACKNOWLEDGE = "A clinician on the patient's care team acknowledges this."
CLINICIANS_REVIEW = "A clinician on the patient's care team reviews the early warning."


def may_acknowledge_alerts(user, patient) -> bool:
    """Questionnaire alerts and red flags."""
    return is_team_clinician(user, patient)


def may_review_flag(user, patient) -> bool:
    """An early-warning flag (clinic.escalation)."""
    return is_team_clinician(user, patient)
