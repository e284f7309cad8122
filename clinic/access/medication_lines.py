"""Medication lines and opioid safety records: who may see and do what (issue 6; DESIGN.md "only prescribers
change opioid regimens"). Every service checks these itself and raises ``Refused``; the pages ask
``permissions_for`` once per request to show only what the person may do.

- Everyone who may see the patient sees the medication list and the opioid safety records
  (``medication_lines_visible_to``).
- Prescribers (physicians and nurse practitioners with ``clinic.prescribe_controlled_substances``) on the
  patient's care team add, change and stop every line; they alone add, change or stop opioid and
  benzodiazepine lines, acknowledge opioid safety flags, prescribe naloxone, start and review opioid trials,
  decide a closer monitoring plan, and plan or change a taper.
- Other clinicians with access add, change and stop the other lines (gabapentinoids, antidepressants, NSAIDs,
  other), and record naloxone offered or declined, treatment agreements, drug screens, PDMP checks and events.
- Pharmacists (``clinic.annotate_medications``) annotate any line; so do prescribers.
- Coordinators and clinic admins read everything and change nothing. Clinic admins edit the clinic's written
  policy (a new version per edit).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from clinic.access.patients import is_team_clinician, may_see_patient, patients_visible_to
from medications.models import Medication
from medications.rules import drugs

PRESCRIBE = "clinic.prescribe_controlled_substances"
ANNOTATE = "clinic.annotate_medications"
CONTROLLED_CLASSES = frozenset({drugs.DrugClass.OPIOID, drugs.DrugClass.BENZODIAZEPINE})


PRESCRIBERS_ONLY = (
    "Only a prescriber (a physician or nurse practitioner on the care team) can add, change or stop opioid and "
    "benzodiazepine medications."
)
PRESCRIBER_DECISION = "Only a prescriber (a physician or nurse practitioner on the care team) can do this."
CLINICIANS_ONLY = (
    "Coordinators and clinic admins can read the medication list and opioid safety records but not change them."
)
ANNOTATORS_ONLY = "Pharmacists and prescribers on the care team annotate medication lines."


def medication_lines_visible_to(user) -> QuerySet[Medication]:
    """Every medication line (current or stopped) of the patients this person may see."""
    return Medication.objects.filter(patient__in=patients_visible_to(user))


def may_see_medication_line(user, line: Medication) -> bool:
    return may_see_patient(user, line.patient)


def may_prescribe(user, patient) -> bool:
    return is_team_clinician(user, patient) and user.is_prescriber and user.has_perm(PRESCRIBE)


def may_change_class(user, patient, drug_class: str) -> bool:
    """Prescribers for opioids and benzodiazepines; any clinician with access for the other classes."""
    if drug_class in CONTROLLED_CLASSES:
        return may_prescribe(user, patient)
    return is_team_clinician(user, patient)


def may_annotate(user, patient) -> bool:
    return is_team_clinician(user, patient) and (user.has_perm(ANNOTATE) or may_prescribe(user, patient))


def may_record_monitoring(user, patient) -> bool:
    """Naloxone offered or declined, agreements, drug screens, PDMP checks and events: clinicians with access."""
    return is_team_clinician(user, patient)


@dataclass(frozen=True)
class Permissions:
    """What the person may do on the medication and opioid safety pages (computed once per request)."""

    change_lines: bool
    prescribe: bool
    annotate: bool
    record: bool


def permissions_for(user, patient) -> Permissions:
    prescribe = may_prescribe(user, patient)
    clinician = is_team_clinician(user, patient)
    return Permissions(
        change_lines=clinician,
        prescribe=prescribe,
        annotate=clinician and (prescribe or user.has_perm(ANNOTATE)),
        record=clinician,
    )


def refusal_for(user, patient, drug_class: str) -> str:
    if not is_team_clinician(user, patient):
        return CLINICIANS_ONLY
    return PRESCRIBERS_ONLY if drug_class in CONTROLLED_CLASSES else CLINICIANS_ONLY
