"""Who may see and do what: one module per object type, each rule usable as a single-object check
(``may_see_*``, ``may_*``) and as a queryset filter (``*_visible_to``). Views ask them to show only what
the person may do; services ask them again before they change anything and raise ``Refused``.

- patients: who sees which patient (every other rule starts here); who is on the care team, who charts.
- visit_notes, psychotherapy_notes: charting, and the notes kept apart from the chart.
- plans: care plans with their goals, portfolio, sprints, flare-up and pacing plans.
- medication_lines: the medication list and opioid safety records (prescribers alone change opioids).
- referrals, tasks: the team's work; schedules: questionnaire schedules and answers entered in clinic.
- alerts: acknowledging questionnaire alerts and red flags, reviewing early-warning flags.
- research: who runs the de-identified research export (clinic admins).
- refusals: ``Refused`` and ``refuse_unless``, the one way a service says no.

The most used names are importable from ``clinic.access`` itself.
"""

from clinic.access.patients import (
    CHART_PERMISSION,
    VISIBLE_TO,
    get_patient_for_user,
    is_on_team,
    is_team_clinician,
    may_chart,
    may_see_patient,
    patients_visible_to,
)
from clinic.access.refusals import Refused, refuse_unless

__all__ = [
    "CHART_PERMISSION",
    "VISIBLE_TO",
    "Refused",
    "get_patient_for_user",
    "is_on_team",
    "is_team_clinician",
    "may_chart",
    "may_see_patient",
    "patients_visible_to",
    "refuse_unless",
]
