"""The current regimen's MME/day and opioid-safety flags, for the banner, the chart, the pages and the sweep.

The arithmetic and the rules are pure (medications/rules/mme.py and safety.py); this reads the lines and the
acknowledgements that still hold, and keeps the summary on the patient object for the rest of the request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from medications.models import Medication, OpioidFlagAcknowledgement
from medications.rules import drugs, safety
from medications.rules.mme import BUPRENORPHINE_EXCLUDED, HIGH_DOSE_THRESHOLD, INVALID_LINE, NotCounted, counted_mme


@dataclass
class LineMme:
    medication: Medication
    mme: Decimal | None  # None: not an opioid, no CDC 2022 factor (buprenorphine), or not counted
    is_opioid: bool
    prn: bool = False
    buprenorphine: bool = False
    #: Why this opioid line is not counted in the total, in words ("" when it is counted).
    not_counted: str = ""


@dataclass
class OpioidSummary:
    """The current regimen's MME and safety flags (for the banner, the chart and the pages).

    A line that cannot be converted (a drug with no CDC 2022 factor, an incomplete line) does not hide the rest:
    ``total`` and the flags are those of the lines that could be counted (medications.rules.mme.counted_mme) and
    ``not_counted`` lists the others with why. ``total`` is None when nothing could be counted, and when the
    whole calculation is refused (``error``: too many current lines).
    """

    lines: list[LineMme]
    total: Decimal | None  # None when it cannot be calculated (error) or no line could be counted
    error: str = ""  # the whole calculation refused (no total, no MME flags)
    not_counted: list[LineMme] = field(default_factory=list)  # opioid lines left out of the total, with why
    flags: list[str] = field(default_factory=list)  # every safety flag that applies
    unacknowledged: list[str] = field(default_factory=list)
    acknowledgements: dict[str, OpioidFlagAcknowledgement] = field(default_factory=dict)  # holding ones
    has_opioid: bool = False
    has_benzodiazepine: bool = False
    has_prn_opioid: bool = False

    @property
    def flag_texts(self) -> list[safety.FlagText]:
        return [safety.FLAGS[code] for code in self.flags]

    @property
    def flag_rows(self) -> list[tuple[safety.FlagText, OpioidFlagAcknowledgement | None]]:
        """Each flag's text with the acknowledgement that still holds (or None)."""
        return [(safety.FLAGS[code], self.acknowledgements.get(code)) for code in self.flags]

    @property
    def unacknowledged_texts(self) -> list[safety.FlagText]:
        return [safety.FLAGS[code] for code in self.unacknowledged]

    @property
    def incomplete(self) -> bool:
        """Some opioid lines could not be counted: the total (if any) is of the others only."""
        return bool(self.not_counted)

    @property
    def shows_mme(self) -> bool:
        return bool(self.error) or self.incomplete or (self.total is not None and self.total > 0)

    @property
    def naloxone_flagged(self) -> bool:
        return any(safety.FLAGS[code].offer_naloxone for code in self.flags)

    @property
    def buprenorphine_note(self) -> safety.FlagText:
        return safety.FLAGS[BUPRENORPHINE_EXCLUDED]


def high_dose_threshold():
    """The clinic's informational high-dose level (settings.OPIOID_HIGH_DOSE_MME; None switches it off)."""
    return getattr(settings, "OPIOID_HIGH_DOSE_MME", HIGH_DOSE_THRESHOLD)


#: The most current lines a total is calculated over: beyond it the total is refused, never a partial sum.
MAX_CURRENT_LINES = 200


def current_lines(queryset) -> list[Medication]:
    """A patient's current lines (one query), at most MAX_CURRENT_LINES + 1 (summarise refuses more)."""
    return list(queryset.current().for_list()[: MAX_CURRENT_LINES + 1])


def summarise(
    medications: list[Medication], acks: list[OpioidFlagAcknowledgement], *, today: datetime.date
) -> OpioidSummary:
    """The MME and flags of the current lines given (no queries). Errors are shown plainly, never guessed."""
    current = [m for m in medications if m.is_current]
    if len(current) > MAX_CURRENT_LINES:
        summary = summarise(current[:MAX_CURRENT_LINES], acks, today=today)
        summary.total = None
        summary.error = (
            f"The total MME/day cannot be calculated: there are more than {MAX_CURRENT_LINES} current lines. "
            "Stop the lines that are no longer taken."
        )
        return summary
    lines: list[LineMme] = []
    mme_input: list[dict] = []
    opioid_lines: list[LineMme] = []
    for medication in current:
        mme_line = safety.mme_line(medication.mme_fields())
        entry = LineMme(medication=medication, mme=None, is_opioid=mme_line is not None)
        lines.append(entry)
        if mme_line is not None:
            entry.prn = mme_line["prn"]
            entry.buprenorphine = mme_line["drug"] == "buprenorphine"
            mme_input.append(mme_line)
            opioid_lines.append(entry)
    summary = OpioidSummary(
        lines=lines,
        total=Decimal(0),
        has_opioid=bool(opioid_lines),
        has_benzodiazepine=any(m.drug_class == drugs.DrugClass.BENZODIAZEPINE for m in current),
        has_prn_opioid=any(entry.prn for entry in opioid_lines),
    )
    result = counted_mme(mme_input, high_dose_threshold=high_dose_threshold())
    summary.total = result.total
    for entry, mme in zip(opioid_lines, result.lines, strict=True):
        entry.mme = mme
    for missing in result.not_counted:
        entry = opioid_lines[missing.index]
        entry.not_counted = not_counted_words(missing)
        summary.not_counted.append(entry)
    summary.flags = safety.flags_for(
        mme_flags=result.flags, has_opioid=summary.has_opioid, has_benzodiazepine=summary.has_benzodiazepine
    )
    holding = {}
    total_for_acks = summary.total if summary.total is not None else Decimal(0)
    for ack in sorted(acks, key=lambda a: (a.at, a.id)):
        rule = safety.Acknowledgement(ack.flag, ack.review_on, ack.mme_at_the_time)
        if safety.acknowledgement_holds(rule, today=today, total_mme=total_for_acks):
            holding[ack.flag] = ack
    summary.acknowledgements = {flag: ack for flag, ack in holding.items() if flag in summary.flags}
    summary.unacknowledged = [flag for flag in summary.flags if flag not in holding]
    return summary


def not_counted_words(missing: NotCounted) -> str:
    """Why a line is left out of the total, in words (the medication list names the line beside it)."""
    if missing.kind == INVALID_LINE:
        return f"the line is incomplete ({missing.problem.replace('_', ' ')}). Correct the line to count it."
    return (
        "no CDC 2022 conversion factor in this app. It is never guessed. Check the drug, or work out the dose "
        "with a pharmacist."
    )


def holding_acknowledgements(patient, *, today: datetime.date):
    """Acknowledgements whose review date has not passed (one query)."""
    return OpioidFlagAcknowledgement.objects.filter(patient=patient, review_on__gte=today).select_related("by")


#: The summary is kept on the patient object for the rest of the request (the banner and the chart section
#: read the same regimen); every service that changes the regimen or an acknowledgement forgets it.
SUMMARY_ATTRIBUTE = "_opioid_summary"


def opioid_summary(patient, *, today: datetime.date | None = None) -> OpioidSummary:
    """The current regimen's summary: one query, two when a flag applies (then the acknowledgements); none when
    this patient object already holds it for the same day."""
    today = today or timezone.localdate()
    held = patient.__dict__.get(SUMMARY_ATTRIBUTE)
    if held is not None and held[0] == today:
        return held[1]
    summary = summarise_with_acknowledgements(
        patient, current_lines(Medication.objects.filter(patient=patient)), today=today
    )
    patient.__dict__[SUMMARY_ATTRIBUTE] = (today, summary)
    return summary


def forget_summary(patient) -> None:
    patient.__dict__.pop(SUMMARY_ATTRIBUTE, None)


def summarise_with_acknowledgements(patient, current: list[Medication], *, today: datetime.date) -> OpioidSummary:
    """``summarise`` with the patient's acknowledgements, read only when a flag applies (zero or one query)."""
    summary = summarise(current, [], today=today)
    if not summary.flags:
        return summary
    return summarise(current, list(holding_acknowledgements(patient, today=today)), today=today)


# --------------------------------------------------------------------------- the banner


@dataclass(frozen=True)
class BannerOpioids:
    total: Decimal | None
    error: bool
    unacknowledged: list[safety.FlagText]
    #: Some opioid lines could not be counted: the banner says "(incomplete)" beside the total.
    incomplete: bool = False

    @property
    def shows_mme(self) -> bool:
        return self.error or self.incomplete or (self.total is not None and self.total > 0)


def banner_opioids(patient) -> BannerOpioids:
    """The banner's MME/day and unacknowledged opioid flags (one query; two when a flag applies)."""
    summary = opioid_summary(patient)
    return BannerOpioids(
        total=summary.total,
        error=bool(summary.error),
        unacknowledged=summary.unacknowledged_texts,
        incomplete=summary.incomplete,
    )
