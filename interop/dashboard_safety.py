"""Opioid safety across the clinic: of the patients on an opioid, who is at 50 MME/day or more and has
naloxone, who has a current treatment agreement, a drug screen and a PDMP check within the clinic's intervals,
and the tapers in progress and paused. Each figure names the list of patients behind it (``MEASURES``).

Set-based: one SQL statement computes every patient's facts and the dashboard counts them in the same
statement; a list page selects the patients of one measure with the same facts. No per-patient loop.

The rules are the app's, taken from the modules that own them, never restated:

- MME/day per current opioid line with the CDC 2022 factors of ``medications.rules.mme`` (drug codes through
  ``medications.rules.drugs``), PRN lines at their maximum doses a day, a fentanyl patch as mcg/hr x patches
  worn at once x 2.4, buprenorphine never converted. A line whose numbers cannot be counted (missing, zero, an
  opioid without a CDC 2022 factor) adds nothing, as ``counted_mme`` counts it: the real total is then at least
  the counted one, so a patient counted at 50 or more is truly at 50 or more.
- 50 MME/day is ``medications.rules.mme.NALOXONE_THRESHOLD`` (CDC 2022, REFERENCE.md 2.2), inclusive.
- Intervals: the clinic's opioid policy (``AgreementPolicy``: drug screens and PDMP checks), or the patient's
  closer monitoring plan when that is shorter, as ``medications.rules.safety.monitoring_due`` decides; "within
  the interval" means not overdue today (the last one plus the interval is today or later); a patient never
  screened (or checked) has none within the interval.
- A current agreement: the latest agreement's review date is today or later.
- Naloxone (the app's choice): a naloxone record saying it was prescribed. Offered or declined does not count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from interop.dashboard_sql import clinic_today, fetch_one, share
from medications.models import (
    AgreementPolicy,
    DrugScreen,
    Medication,
    MonitoringPlan,
    NaloxoneRecord,
    PdmpCheck,
    TaperPlan,
    TreatmentAgreement,
)
from medications.rules import drugs
from medications.rules.mme import CDC_2022_FACTORS, FENTANYL_TRANSDERMAL, NALOXONE_THRESHOLD
from medications.selectors.monitoring import policy_or_defaults
from patients.models import Patient


@dataclass(frozen=True)
class Measure:
    key: str  # in the list's URL
    title: str  # the list page's heading: "Patients on 50 MME or more without naloxone"
    condition: str  # SQL over the facts' columns


#: Every list of patients a figure links to. The conditions read the columns of ``FACTS_SQL``.
MEASURES: dict[str, Measure] = {
    measure.key: measure
    for measure in (
        Measure("on-opioids", "Patients on an opioid", "TRUE"),
        Measure("mme-50", "Patients on 50 MME or more", "high_dose"),
        Measure("mme-50-naloxone", "Patients on 50 MME or more with naloxone", "high_dose AND naloxone"),
        Measure("mme-50-no-naloxone", "Patients on 50 MME or more without naloxone", "high_dose AND NOT naloxone"),
        Measure("agreement", "Patients on an opioid with a current agreement", "agreement_current"),
        Measure("no-agreement", "Patients on an opioid without a current agreement", "NOT agreement_current"),
        Measure("drug-screen", "Patients on an opioid with a drug screen within the interval", "screen_current"),
        Measure(
            "no-drug-screen", "Patients on an opioid without a drug screen within the interval", "NOT screen_current"
        ),
        Measure("pdmp", "Patients on an opioid with a PDMP check within the interval", "pdmp_current"),
        Measure("no-pdmp", "Patients on an opioid without a PDMP check within the interval", "NOT pdmp_current"),
    )
}
#: Tapers are their own rows (a patient may be tapering after the last opioid stopped).
TAPER_MEASURES = {
    "taper-active": ("Patients with a taper in progress", TaperPlan.Status.ACTIVE),
    "taper-paused": ("Patients with a paused taper", TaperPlan.Status.PAUSED),
}


def factor_rows() -> list[tuple[str, str, bool]]:
    """(drug code on a medication line, CDC 2022 factor, whether it is a patch) for every opioid with a factor."""
    rows = []
    for drug in drugs.opioids():
        factor = CDC_2022_FACTORS.get(drug.mme_code or "")
        if factor is not None:
            rows.append((drug.code, str(factor), drug.mme_code == FENTANYL_TRANSDERMAL))
    return rows


def factors_values_sql() -> tuple[str, list]:
    rows = factor_rows()
    placeholders = ", ".join(["(%s, %s::numeric, %s)"] * len(rows))
    return f"(VALUES {placeholders}) AS factor(drug_code, factor, is_patch)", [v for row in rows for v in row]


def facts_sql(*, today: datetime.date, policy: AgreementPolicy) -> tuple[str, list]:
    """One row per patient with a current opioid line: patient_id, mme, high_dose, naloxone, agreement_current,
    screen_current, pdmp_current."""
    factors, factor_params = factors_values_sql()
    doses = "CASE WHEN m.is_prn THEN m.prn_max_doses_per_day ELSE m.doses_per_day END"
    sql = f"""
    WITH line AS (
        SELECT m.patient_id,
               CASE
                 WHEN factor.is_patch AND m.strength > 0 AND m.units_per_dose > 0
                   THEN m.strength * m.units_per_dose * factor.factor
                 WHEN NOT factor.is_patch AND m.strength > 0 AND m.units_per_dose > 0 AND {doses} > 0
                   THEN m.strength * m.units_per_dose * {doses} * factor.factor
                 ELSE 0
               END AS mme
        FROM {Medication._meta.db_table} m
        LEFT JOIN {factors} ON factor.drug_code = m.drug_code
        WHERE m.stopped_on IS NULL AND m.drug_class = 'opioid'
    ),
    on_opioid AS (SELECT patient_id, SUM(mme) AS mme FROM line GROUP BY patient_id)
    SELECT o.patient_id, o.mme,
           o.mme >= %s AS high_dose,
           EXISTS (SELECT 1 FROM {NaloxoneRecord._meta.db_table} n
                   WHERE n.patient_id = o.patient_id AND n.status = %s) AS naloxone,
           COALESCE((SELECT a.review_on FROM {TreatmentAgreement._meta.db_table} a WHERE a.patient_id = o.patient_id
                     ORDER BY a.signed_on DESC, a.id DESC LIMIT 1) >= %s, FALSE) AS agreement_current,
           COALESCE((SELECT MAX(s.collected_on) FROM {DrugScreen._meta.db_table} s WHERE s.patient_id = o.patient_id)
                    + LEAST(%s, NULLIF(plan.drug_screen_every_days, 0)) >= %s, FALSE) AS screen_current,
           COALESCE((SELECT MAX(c.checked_on) FROM {PdmpCheck._meta.db_table} c WHERE c.patient_id = o.patient_id)
                    + LEAST(%s, NULLIF(plan.pdmp_every_days, 0)) >= %s, FALSE) AS pdmp_current
    FROM on_opioid o
    LEFT JOIN {MonitoringPlan._meta.db_table} plan ON plan.patient_id = o.patient_id
    """
    params = [
        *factor_params,
        NALOXONE_THRESHOLD,
        NaloxoneRecord.Status.PRESCRIBED,
        today,
        policy.drug_screen_every_days,
        today,
        policy.pdmp_every_days,
        today,
    ]
    return sql, params


@dataclass(frozen=True)
class Figure:
    label: str  # "have naloxone"
    count: int
    of: int  # the denominator
    measure: str  # the list of the patients counted
    gap_label: str = ""  # "without naloxone"
    gap_measure: str = ""
    short: str = ""  # the chart's label: "Naloxone, of those at 50+"

    @property
    def percent(self) -> float | None:
        return share(self.count, self.of)

    @property
    def gap(self) -> int:
        return self.of - self.count


@dataclass(frozen=True)
class SafetyFigures:
    on_opioids: int
    figures: list[Figure]
    tapers_active: int
    tapers_paused: int
    drug_screen_every_days: int
    pdmp_every_days: int


def safety_figures() -> SafetyFigures:
    """The whole clinic's opioid-safety figures: two queries (the policy, then the counts)."""
    policy = policy_or_defaults()
    facts, params = facts_sql(today=clinic_today(), policy=policy)
    taper = TaperPlan._meta.db_table
    row = fetch_one(
        f"""
        WITH facts AS ({facts})
        SELECT COUNT(*) AS on_opioids,
               COUNT(*) FILTER (WHERE high_dose) AS high_dose,
               COUNT(*) FILTER (WHERE high_dose AND naloxone) AS high_dose_naloxone,
               COUNT(*) FILTER (WHERE agreement_current) AS agreement,
               COUNT(*) FILTER (WHERE screen_current) AS screen,
               COUNT(*) FILTER (WHERE pdmp_current) AS pdmp,
               (SELECT COUNT(DISTINCT patient_id) FROM {taper} WHERE status = %s) AS tapers_active,
               (SELECT COUNT(DISTINCT patient_id) FROM {taper} WHERE status = %s) AS tapers_paused
        FROM facts
        """,
        [*params, TaperPlan.Status.ACTIVE, TaperPlan.Status.PAUSED],
    )
    on = row["on_opioids"]
    high = row["high_dose"]
    figures = [
        Figure("are on 50 MME/day or more", high, on, "mme-50", short="On 50 MME/day or more"),
        Figure(
            "of those on 50 MME/day or more have naloxone",
            row["high_dose_naloxone"],
            high,
            "mme-50-naloxone",
            "on 50 MME or more without naloxone",
            "mme-50-no-naloxone",
            short="Naloxone, of those at 50+",
        ),
        Figure(
            "have a current treatment agreement",
            row["agreement"],
            on,
            "agreement",
            "without one",
            "no-agreement",
            short="Current agreement",
        ),
        Figure(
            "have a drug screen within the interval",
            row["screen"],
            on,
            "drug-screen",
            "without one",
            "no-drug-screen",
            short="Drug screen in interval",
        ),
        Figure(
            "have a PDMP check within the interval",
            row["pdmp"],
            on,
            "pdmp",
            "without one",
            "no-pdmp",
            short="PDMP check in interval",
        ),
    ]
    return SafetyFigures(
        on_opioids=on,
        figures=figures,
        tapers_active=row["tapers_active"],
        tapers_paused=row["tapers_paused"],
        drug_screen_every_days=policy.drug_screen_every_days,
        pdmp_every_days=policy.pdmp_every_days,
    )


def list_title(key: str) -> str | None:
    if key in MEASURES:
        return MEASURES[key].title
    if key in TAPER_MEASURES:
        return TAPER_MEASURES[key][0]
    return None


def patients_in(key: str) -> QuerySet[Patient]:
    """The patients a measure counts, as a queryset the caller narrows (who may see them) and orders.
    Raises KeyError for an unknown measure."""
    if key in TAPER_MEASURES:
        status = TAPER_MEASURES[key][1]
        return Patient.objects.filter(Exists(TaperPlan.objects.filter(patient=OuterRef("pk"), status=status)))
    measure = MEASURES[key]
    facts, params = facts_sql(today=clinic_today(), policy=policy_or_defaults())
    chosen = RawSQL(f"SELECT patient_id FROM ({facts}) AS facts WHERE {measure.condition}", params)
    return Patient.objects.filter(pk__in=chosen)
