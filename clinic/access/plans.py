"""Care plans (goals, the treatment portfolio, sprints, flare-up and pacing plans, daily logs the clinic keeps):
who may see and change them.

- Everyone who may see the patient reads the patient's plan (``plans_visible_to``).
- Clinicians with access who may chart clinical notes change it; never coordinators or clinic admins.
"""

from django.db.models import QuerySet

from careplans.models import CarePlan
from clinic.access.patients import may_chart, may_see_patient, patients_visible_to

EDITORS_ONLY = "Only clinicians on the patient's care team can change the care plan."


def plans_visible_to(user) -> QuerySet[CarePlan]:
    return CarePlan.objects.filter(patient__in=patients_visible_to(user))


def may_see_plan(user, plan: CarePlan) -> bool:
    return may_see_patient(user, plan.patient)


def may_edit_plan(user, patient) -> bool:
    """Change this patient's plan, goals, portfolio, sprints, flare-up and pacing plans."""
    return may_chart(user, patient)
