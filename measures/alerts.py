"""Which alerts a scored response raises (pure: no ORM).

- Safety: PHQ-9 item 9 above 0 (the "safety_alert" flag), whatever the total and whatever else is
  missing. Urgent: an urgent task for the lead clinician, crisis resources for the patient.
- Positive screen (PC-PTSD-5, AUDIT-C and the other screens): a review task. When the cut-off
  depends on something the clinic has not recorded (AUDIT-C's cut-off depends on sex), the screen
  cannot be called positive or negative; a total at or above the lowest cut-off it could have
  still creates the review task, so a possibly positive screen is never silently dropped.
- The severe band of any instrument: a review task.
"""

from measures.definitions import InstrumentDefinition
from measures.scoring import ScoreResult

SAFETY = "safety"
POSITIVE_SCREEN = "positive_screen"
SEVERE = "severe"
SEVERE_BAND = "severe"


def alert_kinds(result: ScoreResult, definition: InstrumentDefinition | None = None) -> list[str]:
    kinds = []
    if "safety_alert" in result.flags:
        kinds.append(SAFETY)
    if result.positive or possibly_positive(result, definition):
        kinds.append(POSITIVE_SCREEN)
    if result.band == SEVERE_BAND:
        kinds.append(SEVERE)
    return kinds


def possibly_positive(result: ScoreResult, definition: InstrumentDefinition | None) -> bool:
    """A screen whose cut-off could not be chosen (missing context) but whose total reaches the lowest one."""
    screen = definition.screen if definition else None
    if result.positive is not None or result.total is None or screen is None or not screen.cutoffs:
        return False
    return result.total >= min(cutoff for _, cutoff in screen.cutoffs)
