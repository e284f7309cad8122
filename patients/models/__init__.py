"""The patients app's models, one module per room: the registry, the intake, and the chart."""

from patients.models.allergies import PatientAllergy
from patients.models.charting import (
    Addendum,
    ComplexityRating,
    Encounter,
    PainClassification,
    Problem,
    PsychotherapyNote,
)
from patients.models.drafts import FormDraft
from patients.models.intake import Intake, RedFlag
from patients.models.registry import (
    DATE_FORMATS,
    MRN_PATTERN,
    Complexity,
    ContactChannel,
    Language,
    PainCondition,
    PainType,
    Patient,
    PatientQuerySet,
    SearchKind,
    Sex,
    clean_query,
    parse_date,
    search_kind,
)

__all__ = [
    "DATE_FORMATS",
    "MRN_PATTERN",
    "Addendum",
    "Complexity",
    "ComplexityRating",
    "ContactChannel",
    "Encounter",
    "FormDraft",
    "Intake",
    "Language",
    "PainClassification",
    "PainCondition",
    "PainType",
    "Patient",
    "PatientAllergy",
    "PatientQuerySet",
    "Problem",
    "PsychotherapyNote",
    "RedFlag",
    "SearchKind",
    "Sex",
    "clean_query",
    "parse_date",
    "search_kind",
]
