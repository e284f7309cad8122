"""Which alerts a scored response raises (pure: no ORM).

- Safety: PHQ-9 item 9 above 0 (the "safety_alert" flag), whatever the total and whatever else is
  missing. Urgent: an urgent task for the lead clinician, crisis resources for the patient.
- Positive screen (PC-PTSD-5, AUDIT-C and the other screens): a review task.
- The severe band of any instrument: a review task.
"""

from measures.scoring import ScoreResult

SAFETY = "safety"
POSITIVE_SCREEN = "positive_screen"
SEVERE = "severe"
SEVERE_BAND = "severe"


def alert_kinds(result: ScoreResult) -> list[str]:
    kinds = []
    if "safety_alert" in result.flags:
        kinds.append(SAFETY)
    if result.positive:
        kinds.append(POSITIVE_SCREEN)
    if result.band == SEVERE_BAND:
        kinds.append(SEVERE)
    return kinds
