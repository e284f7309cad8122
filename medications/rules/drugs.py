"""The maintained drug list (pure data): what a medication line can pick from, with its drug class.

Each opioid maps to its MME code in medications.rules.mme (Contract 2); buprenorphine is listed with its code but is
never converted. Non-opioids carry no MME code. Facts: the opioid codes come from ../shared/clinical/README.md
(Contract 2) and REFERENCE.md section 2; the other entries are common medicines of unambiguous class, kept few on
purpose. Combination products (e.g. hydrocodone with acetaminophen) are entered as their opioid: the MME counts
the opioid's milligrams only, as in the CDC worked example.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DRUGS", "FORMULARY_STRENGTHS", "Drug", "DrugClass", "by_code", "formulary_strengths", "opioids"]


class DrugClass(StrEnum):
    OPIOID = "opioid"
    BENZODIAZEPINE = "benzodiazepine"
    GABAPENTINOID = "gabapentinoid"
    ANTIDEPRESSANT = "antidepressant"
    NSAID = "nsaid"
    OTHER = "other"

    @property
    def label(self) -> str:
        return "NSAID" if self is DrugClass.NSAID else self.value


@dataclass(frozen=True)
class Drug:
    code: str
    name: str
    drug_class: DrugClass
    mme_code: str | None = None  # the medications.rules.mme drug code, for opioids only
    strength_unit: str = "mg"
    # The one form the drug comes in, when its entry names it (a Medication.Form value); None when it varies.
    only_form: str | None = None


DRUGS: tuple[Drug, ...] = (
    # Opioids (Contract 2 codes; strength units as the CDC 2022 table: mg, fentanyl patch mcg/hr)
    Drug("codeine", "Codeine", DrugClass.OPIOID, "codeine"),
    Drug(
        "fentanyl_transdermal",
        "Fentanyl (transdermal patch)",
        DrugClass.OPIOID,
        "fentanyl_transdermal",
        "mcg/hr",
        only_form="patch",
    ),
    Drug("hydrocodone", "Hydrocodone", DrugClass.OPIOID, "hydrocodone"),
    Drug("hydromorphone", "Hydromorphone", DrugClass.OPIOID, "hydromorphone"),
    Drug("methadone", "Methadone", DrugClass.OPIOID, "methadone"),
    Drug("morphine", "Morphine", DrugClass.OPIOID, "morphine"),
    Drug("oxycodone", "Oxycodone", DrugClass.OPIOID, "oxycodone"),
    Drug("oxymorphone", "Oxymorphone", DrugClass.OPIOID, "oxymorphone"),
    Drug("tapentadol", "Tapentadol", DrugClass.OPIOID, "tapentadol"),
    Drug("tramadol", "Tramadol", DrugClass.OPIOID, "tramadol"),
    Drug("buprenorphine", "Buprenorphine (MME not applicable)", DrugClass.OPIOID, "buprenorphine"),
    # Benzodiazepines (co-prescription with an opioid: caution and naloxone offer, REFERENCE.md 2.4)
    Drug("alprazolam", "Alprazolam", DrugClass.BENZODIAZEPINE),
    Drug("clonazepam", "Clonazepam", DrugClass.BENZODIAZEPINE),
    Drug("diazepam", "Diazepam", DrugClass.BENZODIAZEPINE),
    Drug("lorazepam", "Lorazepam", DrugClass.BENZODIAZEPINE),
    # Gabapentinoids
    Drug("gabapentin", "Gabapentin", DrugClass.GABAPENTINOID),
    Drug("pregabalin", "Pregabalin", DrugClass.GABAPENTINOID),
    # Antidepressants
    Drug("amitriptyline", "Amitriptyline", DrugClass.ANTIDEPRESSANT),
    Drug("nortriptyline", "Nortriptyline", DrugClass.ANTIDEPRESSANT),
    Drug("duloxetine", "Duloxetine", DrugClass.ANTIDEPRESSANT),
    # NSAIDs
    Drug("ibuprofen", "Ibuprofen", DrugClass.NSAID),
    Drug("naproxen", "Naproxen", DrugClass.NSAID),
    Drug("celecoxib", "Celecoxib", DrugClass.NSAID),
    # Other
    Drug("acetaminophen", "Acetaminophen (paracetamol)", DrugClass.OTHER),
)

_BY_CODE = {drug.code: drug for drug in DRUGS}


def by_code(code: str) -> Drug:
    """The drug with this code; KeyError for a code not on the list."""
    return _BY_CODE[code]


def opioids() -> tuple[Drug, ...]:
    return tuple(drug for drug in DRUGS if drug.drug_class is DrugClass.OPIOID)


#: The clinic's formulary for tapers: the strengths its pharmacy can supply, by (drug code, medication form), used
#: with the strengths of the patient's own lines when a taper's steps are rounded to doses a person can take
#: (medications/rules/taper_doses.py). APP DATA, not from ../shared/clinical/: the usual marketed strengths, kept
#: short, for the clinic's pharmacist to keep current. A liquid's strength is its concentration (mg per mL): a taper
#: keeps the concentration the patient has, so liquids are not listed. Forms are Medication.Form values.
FORMULARY_STRENGTHS: dict[tuple[str, str], tuple[str, ...]] = {
    ("oxycodone", "tablet"): ("5", "10", "15", "30"),
    ("oxycodone", "extended_release"): ("10", "20", "40"),
    ("morphine", "tablet"): ("15", "30"),
    ("morphine", "extended_release"): ("15", "30", "60"),
    ("hydrocodone", "tablet"): ("5", "10"),
    ("hydromorphone", "tablet"): ("2", "4"),
    ("methadone", "tablet"): ("5", "10"),
    ("fentanyl_transdermal", "patch"): ("12", "25", "50", "75", "100"),
}


def formulary_strengths(code: str, form: str) -> tuple[str, ...]:
    """The formulary's strengths of this drug in this form (as written, e.g. "5"); () when it lists none."""
    return FORMULARY_STRENGTHS.get((code, form), ())
