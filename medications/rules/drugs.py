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

__all__ = ["DRUGS", "Drug", "DrugClass", "by_code", "opioids"]


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


DRUGS: tuple[Drug, ...] = (
    # Opioids (Contract 2 codes; strength units as the CDC 2022 table: mg, fentanyl patch mcg/hr)
    Drug("codeine", "Codeine", DrugClass.OPIOID, "codeine"),
    Drug("fentanyl_transdermal", "Fentanyl (transdermal patch)", DrugClass.OPIOID, "fentanyl_transdermal", "mcg/hr"),
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
