"""Demo medications and opioid safety for the first demo patients (``seed_medications(count)``, for seed_demo).

Regimens across the range (from the MME test vectors): the demo patient (number 0) at 60 MME/day with a
benzodiazepine (the naloxone and co-prescription flags), a patient at 20 MME/day whose last drug screen had an
unexpected finding, one on a taper in progress from 82.5 MME/day with follow-ups recorded, one on a fentanyl patch
with an opioid trial due for review, and one on buprenorphine (listed, never converted). Each has a treatment
agreement under the clinic's policy and PDMP checks.

Rows are written directly (no audit events: nobody looked at anything), each line with its "added" history
entry by the patient's lead prescriber. Idempotent: a patient with any medication line is left alone, and a
patient whose lead is not a prescriber is skipped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from careplans.models import Goal
from clinic.models import CareTeamMember
from medications.models import (
    AgreementPolicy,
    DrugScreen,
    Medication,
    MedicationChange,
    NaloxoneRecord,
    OpioidTrial,
    PdmpCheck,
    TaperActual,
    TaperPlan,
    TreatmentAgreement,
)
from medications.rules import drugs, routes, tapering
from medications.selectors.tapers import rounded_doses

D = Decimal


@dataclass
class MedicationSeedResult:
    patients: int = 0
    lines: int = 0
    tapers: int = 0


def line(code, strength, *, units=1, doses=None, prn_max=None, started_days_ago=400, reason="", form=None):
    return dict(
        code=code,
        strength=D(str(strength)),
        units=D(str(units)),
        doses=None if doses is None else D(str(doses)),
        prn_max=None if prn_max is None else D(str(prn_max)),
        started_days_ago=started_days_ago,
        reason=reason,
        form=form,
    )


#: By demo patient number: the lines, and what else to record.
REGIMENS = {
    0: {
        "lines": [
            line("oxycodone", 5, units=2, doses=4, reason="Widespread pain (fibromyalgia flare years ago)"),
            line("lorazepam", 1, doses=2, reason="Anxiety; started by a previous doctor"),
            line("duloxetine", 60, doses=1, started_days_ago=200, reason="Pain and mood"),
        ],
        "screens": [(30, "Oxycodone, lorazepam", "", "")],
        "pdmp": [20, 110],
        "naloxone": ("offered", 20, "Leaflet given; will think about it"),
    },
    1: {
        "lines": [
            line("hydrocodone", 5, doses=4, reason="Low back pain"),
            line("ibuprofen", 400, prn_max=3, started_days_ago=90, reason="Flares"),
        ],
        "screens": [
            (15, "Hydrocodone", "Cannabis", "Talked it through with the patient; no change to the plan; PDMP checked"),
            (380, "Hydrocodone", "", ""),
        ],
        "pdmp": [15],
    },
    2: {
        "lines": [
            line("morphine", 30, doses=2, form=Medication.Form.EXTENDED_RELEASE, reason="Post-surgical pain"),
            line("oxycodone", 5, doses=3, reason="Breakthrough pain"),
        ],
        "screens": [(60, "Morphine, oxycodone", "", "")],
        "pdmp": [40],
        "naloxone": ("prescribed", 70, "Showed the patient and their partner how to use it"),
        # The taper's second step came through the breakthrough line: oxycodone 5 mg TID (22.5 MME/day) became an
        # oral solution of 1 mg/mL, 2 mL twice a day (6 MME/day): 82.5 -> 66 MME/day.
        "taper": {
            "started_days_ago": 65,
            "actual": [(65, "74.25"), (35, "66")],
            "change": (
                1,
                {"form": Medication.Form.LIQUID, "strength": D(1), "units_per_dose": D(2), "doses_per_day": D(2)},
            ),
        },
    },
    3: {
        "lines": [line("fentanyl_transdermal", 25, units=1, started_days_ago=12, reason="Neuropathic pain")],
        "screens": [(12, "Fentanyl", "", "")],
        "pdmp": [12],
        "trial": {"started_days_ago": 12, "review_in_days": 2},
    },
    4: {
        "lines": [
            line("buprenorphine", 10, units=1, started_days_ago=300, reason="Chronic pain", form=Medication.Form.PATCH),
            line("pregabalin", 75, doses=2, started_days_ago=150, reason="Nerve pain"),
        ],
        "screens": [(100, "Buprenorphine", "", "")],
        "pdmp": [50],
    },
}


def seed_medications(count: int) -> MedicationSeedResult:
    """Medications for demo patients 0..min(count, 5)-1 that have none yet; returns what was added."""
    from demo.clinic import demo_mrn  # the demo's MRN numbering (imported here: demo may import this module)
    from patients.models import Patient

    result = MedicationSeedResult()
    numbers = [n for n in sorted(REGIMENS) if n < count]
    patients = {
        p.mrn: p
        for p in Patient.objects.filter(mrn__in=[demo_mrn(n) for n in numbers]).exclude(medications__isnull=False)
    }
    leads = {
        m.patient_id: m.member
        for m in CareTeamMember.objects.filter(patient__in=patients.values(), is_lead=True).select_related("member")
    }
    policy = AgreementPolicy.objects.order_by("-version").first()
    for number in numbers:
        patient = patients.get(demo_mrn(number))
        lead = leads.get(patient.id) if patient else None
        if patient is None or lead is None or not lead.is_prescriber:
            continue
        seed_patient(patient, lead, REGIMENS[number], policy=policy, result=result)
    return result


@transaction.atomic
def seed_patient(patient, lead, regimen: dict, *, policy, result: MedicationSeedResult) -> None:
    today = timezone.localdate()
    now = timezone.now()

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    lines = []
    for spec in regimen["lines"]:
        drug = drugs.by_code(spec["code"])
        form = spec["form"] or (Medication.Form.PATCH if drug.strength_unit == "mcg/hr" else Medication.Form.TABLET)
        medication = Medication.objects.create(
            patient=patient,
            drug_code=drug.code,
            drug_class=drug.drug_class.value,
            strength=spec["strength"],
            strength_unit=drug.strength_unit,
            form=form,
            route=routes.route_from_form(form).value,
            units_per_dose=spec["units"],
            doses_per_day=spec["doses"],
            is_prn=spec["prn_max"] is not None,
            prn_max_doses_per_day=spec["prn_max"],
            prescriber=lead,
            started_on=ago(spec["started_days_ago"]),
            reason=spec["reason"],
            created_by=lead,
            created_at=now,
            updated_at=now,
        )
        MedicationChange.objects.create(
            medication=medication, kind=MedicationChange.Kind.ADDED, after=medication.snapshot(), by=lead, at=now
        )
        lines.append(medication)
    result.patients += 1
    result.lines += len(lines)

    if policy is not None:
        signed = ago(min(regimen["lines"][0]["started_days_ago"], 330))
        TreatmentAgreement.objects.create(
            patient=patient,
            policy=policy,
            signed_on=signed,
            review_on=signed + datetime.timedelta(days=policy.agreement_review_every_days),
            recorded_by=lead,
        )
    for days, expected, unexpected, action in regimen.get("screens", []):
        DrugScreen.objects.create(
            patient=patient,
            collected_on=ago(days),
            expected_findings=expected,
            unexpected_findings=unexpected,
            action_taken=action,
            recorded_by=lead,
        )
    for days in regimen.get("pdmp", []):
        PdmpCheck.objects.create(
            patient=patient, checked_on=ago(days), findings="One prescriber, one pharmacy.", recorded_by=lead
        )
    if "naloxone" in regimen:
        status, days, note = regimen["naloxone"]
        NaloxoneRecord.objects.create(patient=patient, status=status, on=ago(days), note=note, by=lead)
    if "trial" in regimen:
        trial = regimen["trial"]
        opioid = next(m for m in lines if m.drug_class == "opioid")
        started = ago(trial["started_days_ago"])
        record = OpioidTrial.objects.create(
            patient=patient,
            medication=opioid,
            started_on=started,
            review_on=today + datetime.timedelta(days=trial["review_in_days"]),
            started_by=lead,
        )
        goals = Goal.objects.filter(plan__patient=patient, plan__status="active", status=Goal.Status.ACTIVE)[:3]
        record.goals.set(goals)
    if "taper" in regimen:
        taper = regimen["taper"]
        starts_on = ago(taper["started_days_ago"])
        original = D("82.5")  # morphine ER 30 mg BID + oxycodone 5 mg TID (mme-04)
        schedule = tapering.plan_taper(original_mme=original, starts_on=starts_on)
        starting = [{"drug_code": m.drug_code, "dose": m.dose_words, "medication": str(m.public_id)} for m in lines]
        index, values = taper["change"]
        changed = lines[index]
        before = changed.snapshot()
        for name, value in values.items():
            setattr(changed, name, value)
        changed.version = 2
        changed.save()
        after = changed.snapshot()
        MedicationChange.objects.create(
            medication=changed,
            kind=MedicationChange.Kind.CHANGED,
            reason="Taper step 2, agreed with the patient",
            before={k: before[k] for k in after if after[k] != before[k]},
            after={k: after[k] for k in after if after[k] != before[k]},
            by=lead,
            at=now - datetime.timedelta(days=35),
        )
        plan = TaperPlan.objects.create(
            patient=patient,
            starting_regimen=starting,
            starting_mme=original,
            schedule=schedule.as_json(),
            starts_on=starts_on,
            created_by=lead,
        )
        for days, mme in taper["actual"]:
            TaperActual.objects.create(taper=plan, on=ago(days), mme=D(mme), note="Follow-up visit", recorded_by=lead)
        # The steps still to come as tablets and millilitres, confirmed by the lead (the patient's print shows them).
        plan.doses = rounded_doses(plan)
        plan.doses_confirmed_at, plan.doses_confirmed_by = now, lead
        plan.save(update_fields=["doses", "doses_confirmed_at", "doses_confirmed_by"])
        result.tapers += 1
