"""What a patient's record adds to the scoring of their answers (pure: reads the patient object, no query).

Every place that scores a response (the portal, the intake, answers entered in clinic, the demo) passes
``scoring_context(patient)`` to measures.services.submit_response, so a screen whose cut-off depends on the
patient (AUDIT-C US: "US/VA positive screen: ≥4 men, ≥3 women", REFERENCE.md 1.6) is judged the same way
everywhere. The context is kept on the response (Response.context) as it was when scored: changing a patient's
sex later does not re-score their earlier responses (the app's own choice: a score stays what it was).
"""

from typing import Any

#: The values of patients.models.Sex that choose a cut-off; "unknown" chooses none.
CUTOFF_SEXES = ("female", "male")


def scoring_context(patient: Any) -> dict | None:
    """``{"sex": "female"}`` or ``{"sex": "male"}`` from the patient's recorded sex; None when it is unknown.

    With None a sex-specific screen is scored (total, validity) but ``positive`` stays None, as it was before
    the record had a sex: a cut-off is never guessed (measures.scoring).
    """
    sex = getattr(patient, "sex", "")
    return {"sex": sex} if sex in CUTOFF_SEXES else None
