"""The medication tests' extra cast (a pharmacist and a nurse practitioner on the team) and builders that go
through the real services (medications/services/)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from careplans.models import CarePlan, Goal, Tier
from clinic.roles import Discipline, Role
from medications.models import Medication
from medications.rules import drugs
from medications.rules.routes import route_from_form
from medications.services.lines import add_medication
from tests.factories import CareTeamMemberFactory, StaffFactory

D = Decimal


@pytest.fixture
def pharmacist(patient):
    person = StaffFactory(
        username="rph.ito",
        first_name="Yui",
        last_name="Ito",
        credentials="PharmD",
        role=Role.CLINICIAN,
        discipline=Discipline.PHARMACIST,
    )
    CareTeamMemberFactory(patient=patient, member=person)
    return person


@pytest.fixture
def nurse_practitioner(patient):
    person = StaffFactory(
        username="np.silva",
        first_name="Ana",
        last_name="Silva",
        credentials="NP",
        role=Role.CLINICIAN,
        discipline=Discipline.NURSE_PRACTITIONER,
    )
    CareTeamMemberFactory(patient=patient, member=person)
    return person


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def add_line(
    patient,
    by,
    code: str,
    strength,
    *,
    units=1,
    doses=None,
    prn_max=None,
    started=30,
    why="",
    allergy_checked=False,
    **extra,
) -> Medication:
    """A current line added by ``by`` through the service (who must be allowed to add it)."""
    drug = drugs.by_code(code)
    values = {
        "drug_code": code,
        "strength": D(str(strength)),
        "form": Medication.Form.PATCH if drug.strength_unit == "mcg/hr" else Medication.Form.TABLET,
        "units_per_dose": D(str(units)),
        "doses_per_day": None if doses is None else D(str(doses)),
        "is_prn": prn_max is not None,
        "prn_max_doses_per_day": None if prn_max is None else D(str(prn_max)),
        "prescriber": by if by.is_prescriber else None,
        "outside_prescriber": "",
        "started_on": days_ago(started) if started is not None else None,
        "reason": "Low back pain",
        "pain_type_targeted": "",
        "benefit": "",
        "side_effects": "",
        **extra,
    }
    # The route a clinician would choose for the form, unless the test gives one (an injection: subcutaneous).
    values.setdefault("route", "subcutaneous" if values["form"] == "injection" else route_from_form(values["form"]))
    return add_medication(patient=patient, by=by, values=values, why=why, allergy_checked=allergy_checked)


def oxycodone_60(patient, by) -> Medication:
    """Oxycodone 5 mg x 2, 4 times a day: 60 MME/day (mme-03)."""
    return add_line(patient, by, "oxycodone", 5, units=2, doses=4)


def care_plan_with_goals(patient, lead, *words: str) -> list[Goal]:
    plan = CarePlan.objects.create(patient=patient, lead=lead, tier=Tier.objects.order_by("number").first())
    return [
        Goal.objects.create(
            plan=plan,
            words=text,
            metric=Goal.Metric.WALKING_MINUTES,
            baseline=5,
            target=30,
            target_date=timezone.localdate() + datetime.timedelta(weeks=12),
            position=n,
        )
        for n, text in enumerate(words or ("Walk the dog again",))
    ]


def edit_data(medication: Medication, **overrides) -> dict:
    """The edit form as the browser sends it back: the line's values, with ``overrides``."""
    from medications.forms import MedicationForm

    data = {}
    for name, value in MedicationForm.initial_for(medication).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        elif hasattr(value, "pk"):
            data[name] = str(value.pk)
        else:
            data[name] = str(value)
    data.update({key: value for key, value in overrides.items()})
    return data


def form_data(**overrides) -> dict:
    """A valid add/edit form for oxycodone 5 mg x 2, 4 times a day."""
    data = {
        "drug_code": "oxycodone",
        "strength": "5",
        "form": "tablet",
        "route": "oral",
        "units_per_dose": "2",
        "doses_per_day": "4",
        "prn_max_doses_per_day": "",
        "prescriber": "",
        "outside_prescriber": "",
        "started_on": "",
        "reason": "Chronic low back pain",
        "pain_type_targeted": "",
        "benefit": "",
        "side_effects": "",
        "why": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
