"""Routes of a medication line and whether a line's drug, form and route agree (pure).

The list of routes is the usual short list of administration routes; "not recorded" is for lines written before
the route was recorded whose form did not say it (an injection can be intravenous, intramuscular or
subcutaneous: the app does not guess). The agreement rules are APP RULES (not from ../shared/clinical/): only
what is certain from the form or from the drug list's own name is checked, so a clinician is never stopped from
recording an unusual but real route (a tablet given rectally, a liquid given by a feeding tube: "other").
"""

from __future__ import annotations

from enum import StrEnum

from medications.rules import drugs

__all__ = [
    "INJECTED",
    "NOT_RECORDED",
    "ROUTE_LABELS",
    "Route",
    "disagreements",
    "route_from_form",
]


class Route(StrEnum):
    ORAL = "oral"
    SUBLINGUAL_BUCCAL = "sublingual_buccal"
    TRANSDERMAL = "transdermal"
    TOPICAL = "topical"
    INTRAVENOUS = "intravenous"
    INTRAMUSCULAR = "intramuscular"
    SUBCUTANEOUS = "subcutaneous"
    INTRANASAL = "intranasal"
    RECTAL = "rectal"
    INHALED = "inhaled"
    OTHER = "other"
    NOT_RECORDED = "not_recorded"


NOT_RECORDED = Route.NOT_RECORDED

ROUTE_LABELS: dict[Route, str] = {
    Route.ORAL: "Oral (by mouth)",
    Route.SUBLINGUAL_BUCCAL: "Sublingual or buccal",
    Route.TRANSDERMAL: "Transdermal (through the skin)",
    Route.TOPICAL: "Topical (on the skin)",
    Route.INTRAVENOUS: "Intravenous",
    Route.INTRAMUSCULAR: "Intramuscular",
    Route.SUBCUTANEOUS: "Subcutaneous",
    Route.INTRANASAL: "Intranasal",
    Route.RECTAL: "Rectal",
    Route.INHALED: "Inhaled",
    Route.OTHER: "Other",
    Route.NOT_RECORDED: "Not recorded",
}

INJECTED = frozenset({Route.INTRAVENOUS, Route.INTRAMUSCULAR, Route.SUBCUTANEOUS})

# Forms are medications.models.Medication.Form values (plain strings here, so the rules stay free of Django).
_ORAL_FORMS = frozenset({"tablet", "capsule", "extended_release", "liquid"})

# The route each form implies, for a drug whose entry on the drug list names its only form (Drug.only_form:
# "Fentanyl (transdermal patch)").
_FORM_ROUTE = {"patch": Route.TRANSDERMAL}


def _only_form(drug_code: str) -> str | None:
    try:
        return drugs.by_code(drug_code).only_form
    except KeyError:
        return None


def route_from_form(form: str) -> Route:
    """The route a line recorded before routes existed most likely has, from its form alone: a patch is
    transdermal, a tablet, capsule or liquid is taken by mouth; anything else (an injection, "other") is not
    recorded rather than guessed. Used once, by the migration that added the route."""
    if form == "patch":
        return Route.TRANSDERMAL
    if form in _ORAL_FORMS:
        return Route.ORAL
    return Route.NOT_RECORDED


def disagreements(*, drug_code: str, form: str, route: str) -> dict[str, str]:
    """Where a line's drug, form and route contradict each other: {field name: what to correct}, empty when they
    agree. "Not recorded" agrees with every form (older lines)."""
    problems: dict[str, str] = {}
    only_form = _only_form(drug_code)
    if only_form:
        if form != only_form:
            problems["form"] = f"This drug is a {only_form}: choose {only_form.capitalize()} as the form."
        if only_form in _FORM_ROUTE and route != _FORM_ROUTE[only_form]:
            problems["route"] = "This drug is a patch worn on the skin: choose Transdermal as the route."
        return problems
    if form == "patch" and route != Route.TRANSDERMAL:
        problems["route"] = "A patch is worn on the skin: choose Transdermal as the route."
    elif route == Route.TRANSDERMAL and form != "patch" and form != "other":
        problems["route"] = "Transdermal is for a patch (or choose Other as the form, for a gel or spray)."
    elif form == "injection" and route not in INJECTED and route != Route.NOT_RECORDED:
        problems["route"] = "An injection is intravenous, intramuscular or subcutaneous: choose one of these."
    elif route in INJECTED and form != "injection" and form != "other":
        problems["route"] = "This route is an injection: choose Injection as the form, or another route."
    return problems
