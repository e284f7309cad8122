"""Medications and opioid safety: who may do what, the workflows that write (with history and audit), the reads
behind the pages and the banner, and the monitoring sweep.

Who may do what (issue 6; DESIGN.md "only prescribers change opioid regimens"):

- Prescribers (physicians and nurse practitioners with ``clinic.prescribe_controlled_substances``) on the
  patient's care team add, change and stop every line; they alone add, change or stop opioid and
  benzodiazepine lines, acknowledge opioid safety flags, prescribe naloxone, start and review opioid trials,
  decide a closer monitoring plan, and plan or change a taper.
- Other clinicians with access add, change and stop the other lines (gabapentinoids, antidepressants, NSAIDs,
  other), and record naloxone offered or declined, treatment agreements, drug screens, PDMP checks and events.
- Pharmacists (``clinic.annotate_medications``) annotate any line; so do prescribers.
- Coordinators and clinic admins read everything and change nothing. Clinic admins edit the clinic's written
  policy (a new version per edit).

Every function that writes takes a patient (or a row of one) already obtained through
``clinic.access.get_patient_for_user`` for the same person (outsiders have had their 404), checks the rule
above itself (``Refused``), runs in one transaction and writes its audit event there. Audit targets name the
kind of record, never its content.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action
from clinic.access import is_team_clinician
from clinic.models import CareTeamMember, TeamTask, TeamTaskEvent
from clinic.roles import Role
from medications.models import (
    AgreementPolicy,
    DrugScreen,
    Medication,
    MedicationChange,
    MedicationEvent,
    MonitoringPlan,
    NaloxoneRecord,
    OpioidFlagAcknowledgement,
    OpioidTrial,
    PdmpCheck,
    TaperActual,
    TaperPlan,
    TreatmentAgreement,
)
from medications.rules import drugs, safety, tapering
from medications.rules.mme import (
    BUPRENORPHINE_EXCLUDED,
    HIGH_DOSE_THRESHOLD,
    INVALID_LINE,
    NotCounted,
    counted_mme,
)
from patients.services import audit

PRESCRIBE = "clinic.prescribe_controlled_substances"
ANNOTATE = "clinic.annotate_medications"
CONTROLLED_CLASSES = frozenset({drugs.DrugClass.OPIOID, drugs.DrugClass.BENZODIAZEPINE})

PRESCRIBERS_ONLY = (
    "Only a prescriber (a physician or nurse practitioner on the care team) can add, change or stop opioid and "
    "benzodiazepine medications."
)
PRESCRIBER_DECISION = "Only a prescriber (a physician or nurse practitioner on the care team) can do this."
CLINICIANS_ONLY = (
    "Coordinators and clinic admins can read the medication list and opioid safety records but not change them."
)
ANNOTATORS_ONLY = "Pharmacists and prescribers on the care team annotate medication lines."


class Refused(PermissionDenied):
    """The person may not make this change; the message says who may."""


class StaleEdit(Exception):
    """The record changed since the form was opened (optimistic locking); nothing was saved."""

    def __init__(self, current):
        super().__init__("The record was changed by someone else.")
        self.current = current


class ReasonRequired(ValueError):
    """A taper faster than its rate, or a stop from above the policy's MME, needs a recorded reason."""


class AlreadyExists(ValueError):
    pass


# --------------------------------------------------------------------------- who may


def may_prescribe(user, patient) -> bool:
    return is_team_clinician(user, patient) and user.is_prescriber and user.has_perm(PRESCRIBE)


def may_change_class(user, patient, drug_class: str) -> bool:
    """Prescribers for opioids and benzodiazepines; any clinician with access for the other classes."""
    if drug_class in CONTROLLED_CLASSES:
        return may_prescribe(user, patient)
    return is_team_clinician(user, patient)


def may_annotate(user, patient) -> bool:
    return is_team_clinician(user, patient) and (user.has_perm(ANNOTATE) or may_prescribe(user, patient))


def may_record_monitoring(user, patient) -> bool:
    """Naloxone offered or declined, agreements, drug screens, PDMP checks and events: clinicians with access."""
    return is_team_clinician(user, patient)


@dataclass(frozen=True)
class Permissions:
    """What the person may do on the medication and opioid safety pages (computed once per request)."""

    change_lines: bool
    prescribe: bool
    annotate: bool
    record: bool


def permissions_for(user, patient) -> Permissions:
    prescribe = may_prescribe(user, patient)
    clinician = is_team_clinician(user, patient)
    return Permissions(
        change_lines=clinician,
        prescribe=prescribe,
        annotate=clinician and (prescribe or user.has_perm(ANNOTATE)),
        record=clinician,
    )


def refuse_unless(allowed: bool, why: str) -> None:
    if not allowed:
        raise Refused(why)


# --------------------------------------------------------------------------- reading the regimen


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


# --------------------------------------------------------------------------- medication lines


def _drug(code: str) -> drugs.Drug:
    try:
        return drugs.by_code(code)
    except KeyError:
        raise ValueError(f"{code!r} is not on the drug list.") from None


@transaction.atomic
def add_medication(*, patient, by, request: HttpRequest | None, values: dict, why: str = "") -> Medication:
    """Add a line. Preconditions: ``values`` holds Medication.TRACKED_FIELDS (a form's cleaned data) with a drug
    code from the list. Refused unless the person may change lines of the drug's class."""
    drug = _drug(values["drug_code"])
    refuse_unless(may_change_class(by, patient, drug.drug_class), _refusal(by, patient, drug.drug_class))
    _check_prescriber(values.get("prescriber"))
    now = timezone.now()
    medication = Medication(
        patient=patient,
        drug_class=drug.drug_class.value,
        strength_unit=drug.strength_unit,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    _set(medication, values)
    medication.save()
    forget_summary(patient)
    MedicationChange.objects.create(
        medication=medication, kind=MedicationChange.Kind.ADDED, reason=why, after=medication.snapshot(), by=by, at=now
    )
    audit(
        by=by,
        request=request,
        patient=patient,
        action=Action.CREATE,
        target=f"medication added ({drug.drug_class.label})",
    )
    return medication


@transaction.atomic
def change_medication(
    *, medication: Medication, by, request: HttpRequest | None, values: dict, why: str, expected_version: int
) -> Medication:
    """Change a line; the history keeps what changed, who and why. Refused unless the person may change both
    the line's class and the new drug's class. Raises StaleEdit when the line changed since ``expected_version``."""
    patient = medication.patient
    drug = _drug(values.get("drug_code", medication.drug_code))
    for drug_class in {medication.drug_class, drug.drug_class.value}:
        refuse_unless(may_change_class(by, patient, drug_class), _refusal(by, patient, drug_class))
    current = Medication.objects.select_for_update().get(pk=medication.pk)
    if current.version != expected_version:
        raise StaleEdit(current)
    if "prescriber" in values and getattr(values["prescriber"], "pk", None) != current.prescriber_id:
        _check_prescriber(values["prescriber"])
    before = current.snapshot()
    _set(current, values)
    current.drug_class = drug.drug_class.value
    current.strength_unit = drug.strength_unit
    after = current.snapshot()
    changed = {name for name in after if after[name] != before[name]}
    if not changed:
        return current
    current.updated_at = timezone.now()
    current.version = F("version") + 1
    current.save()
    forget_summary(patient)
    current.refresh_from_db()
    kind = (
        MedicationChange.Kind.STOPPED
        if "stopped_on" in changed and current.stopped_on
        else MedicationChange.Kind.CHANGED
    )
    MedicationChange.objects.create(
        medication=current,
        kind=kind,
        reason=why,
        before={name: before[name] for name in sorted(changed)},
        after={name: after[name] for name in sorted(changed)},
        by=by,
        at=current.updated_at,
    )
    words = "stopped" if kind == MedicationChange.Kind.STOPPED else f"changed: {', '.join(sorted(changed))}"
    audit(by=by, request=request, patient=patient, action=Action.UPDATE, target=f"medication {words}"[:200])
    return current


def stop_medication(
    *, medication: Medication, by, request: HttpRequest | None, on: datetime.date, why: str, expected_version: int
) -> Medication:
    """Stop a line on a date, with the reason (a change of ``stopped_on`` and ``stop_reason``)."""
    return change_medication(
        medication=medication,
        by=by,
        request=request,
        values={"stopped_on": on, "stop_reason": why},
        why=why,
        expected_version=expected_version,
    )


@transaction.atomic
def annotate_medication(*, medication: Medication, by, request: HttpRequest | None, note: str) -> MedicationChange:
    """A pharmacist's (or prescriber's) note on a line; the line itself does not change."""
    refuse_unless(may_annotate(by, medication.patient), ANNOTATORS_ONLY)
    change = MedicationChange.objects.create(
        medication=medication, kind=MedicationChange.Kind.ANNOTATED, reason=note, by=by
    )
    audit(by=by, request=request, patient=medication.patient, action=Action.UPDATE, target="medication annotated")
    return change


def _check_prescriber(prescriber) -> None:
    """Precondition: a line names as its prescriber only an active prescriber of the clinic (User.is_prescriber:
    a physician or nurse practitioner), or nobody. Checked when the prescriber is set or changed, so a line keeps
    a prescriber who has since left."""
    if prescriber is not None and not (prescriber.is_prescriber and prescriber.is_active):
        raise ValueError("Only a prescriber of the clinic (a physician or nurse practitioner) can be named.")


def _set(medication: Medication, values: dict) -> None:
    for name in Medication.TRACKED_FIELDS:
        if name in values:
            value = values[name]
            setattr(medication, name, "" if value is None and name in TEXT_FIELDS else value)


TEXT_FIELDS = {"outside_prescriber", "stop_reason", "reason", "pain_type_targeted", "benefit", "side_effects"}


def _refusal(user, patient, drug_class: str) -> str:
    if not is_team_clinician(user, patient):
        return CLINICIANS_ONLY
    return PRESCRIBERS_ONLY if drug_class in CONTROLLED_CLASSES else CLINICIANS_ONLY


# --------------------------------------------------------------------------- flags and naloxone


@transaction.atomic
def acknowledge_flag(
    *, patient, by, request: HttpRequest | None, flag: str, reason: str, review_on: datetime.date
) -> OpioidFlagAcknowledgement:
    """A prescriber acknowledges a safety flag with a reason; it reappears after ``review_on`` (or when the MME
    rises above today's). Precondition: ``flag`` is one of safety.SAFETY_FLAG_ORDER."""
    refuse_unless(may_prescribe(by, patient), PRESCRIBER_DECISION)
    if flag not in safety.SAFETY_FLAG_ORDER:
        raise ValueError(f"Unknown flag {flag!r}.")
    forget_summary(patient)  # the MME acknowledged is today's, read afresh
    summary = opioid_summary(patient)
    ack = OpioidFlagAcknowledgement.objects.create(
        patient=patient, flag=flag, reason=reason, review_on=review_on, mme_at_the_time=summary.total, by=by
    )
    forget_summary(patient)
    audit(by=by, request=request, patient=patient, action=Action.UPDATE, target=f"opioid flag acknowledged: {flag}")
    return ack


@transaction.atomic
def record_naloxone(
    *, patient, by, request: HttpRequest | None, status: str, on: datetime.date, note: str = ""
) -> NaloxoneRecord:
    """Naloxone offered, prescribed or declined. Prescribed: prescribers only."""
    if status == NaloxoneRecord.Status.PRESCRIBED:
        refuse_unless(may_prescribe(by, patient), PRESCRIBER_DECISION)
    else:
        refuse_unless(may_record_monitoring(by, patient), CLINICIANS_ONLY)
    record = NaloxoneRecord.objects.create(patient=patient, status=status, on=on, note=note, by=by)
    audit(by=by, request=request, patient=patient, action=Action.CREATE, target=f"naloxone {status}")
    return record


# --------------------------------------------------------------------------- opioid trials


@transaction.atomic
def start_trial(
    *,
    patient,
    by,
    request: HttpRequest | None,
    medication: Medication | None,
    goals,
    started_on: datetime.date,
    review_on: datetime.date,
) -> OpioidTrial:
    """Start an opioid trial judged by function. Preconditions: ``goals`` are goals of the patient's care plan;
    ``review_on`` is 1-4 weeks after ``started_on`` (the form checks both; this re-checks the dates)."""
    refuse_unless(may_prescribe(by, patient), PRESCRIBER_DECISION)
    first, last = safety.trial_review_window(started_on)
    if not first <= review_on <= last:
        raise ValueError("The review date must be 1 to 4 weeks after the start.")
    trial = OpioidTrial.objects.create(
        patient=patient, medication=medication, started_on=started_on, review_on=review_on, started_by=by
    )
    trial.goals.set(goals)
    audit(by=by, request=request, patient=patient, action=Action.CREATE, target="opioid trial started")
    return trial


@transaction.atomic
def review_trial(
    *,
    trial: OpioidTrial,
    by,
    request: HttpRequest | None,
    function_vs_goals: str,
    benefit_documented: bool,
    decision: str,
    decision_reason: str = "",
) -> bool:
    """Record the review (function against the goals) and the decision, once; False if it was already reviewed."""
    refuse_unless(may_prescribe(by, trial.patient), PRESCRIBER_DECISION)
    now = timezone.now()
    claimed = OpioidTrial.objects.filter(pk=trial.pk, reviewed_at__isnull=True).update(
        reviewed_at=now,
        reviewed_by=by,
        function_vs_goals=function_vs_goals,
        benefit_documented=benefit_documented,
        decision=decision,
        decision_reason=decision_reason,
    )
    if not claimed:
        return False
    close_tasks(prefix=trial_review_key(trial.id), by=by, note="Opioid trial reviewed.")
    audit(
        by=by, request=request, patient=trial.patient, action=Action.UPDATE, target=f"opioid trial reviewed: {decision}"
    )
    return True


def trial_state(trial: OpioidTrial, *, opioid_current: bool, today: datetime.date) -> str:
    return safety.trial_state(
        review_on=trial.review_on,
        reviewed=trial.reviewed_at is not None,
        decision=trial.decision,
        benefit_documented=trial.benefit_documented,
        opioid_current=opioid_current,
        today=today,
    )


# --------------------------------------------------------------------------- agreements and the policy


def current_policy() -> AgreementPolicy | None:
    return AgreementPolicy.objects.order_by("-version").first()


def policy_or_defaults() -> AgreementPolicy:
    """The current policy, or an unsaved one with the model's defaults (before any policy exists)."""
    return current_policy() or AgreementPolicy(version=0, sections=[])


@transaction.atomic
def publish_policy(
    *,
    by,
    sections: list[dict],
    drug_screen_every_days: int,
    pdmp_every_days: int,
    agreement_review_every_days: int,
    taper_reason_above_mme: Decimal,
) -> AgreementPolicy:
    """A new version of the clinic's written policy (clinic admins); earlier versions stay as they were."""
    refuse_unless(by.is_clinic_admin, "Clinic admins edit the clinic's opioid policy.")
    latest = AgreementPolicy.objects.select_for_update().order_by("-version").first()
    try:
        with transaction.atomic():
            return AgreementPolicy.objects.create(
                version=(latest.version if latest else 0) + 1,
                sections=sections,
                drug_screen_every_days=drug_screen_every_days,
                pdmp_every_days=pdmp_every_days,
                agreement_review_every_days=agreement_review_every_days,
                taper_reason_above_mme=taper_reason_above_mme,
                created_by=by,
            )
    except IntegrityError:
        raise StaleEdit(current_policy()) from None


@transaction.atomic
def record_agreement(
    *, patient, by, request: HttpRequest | None, policy: AgreementPolicy, signed_on: datetime.date, review_on
) -> TreatmentAgreement:
    """A treatment agreement signed on a date under a policy version; review yearly by default."""
    refuse_unless(may_record_monitoring(by, patient), CLINICIANS_ONLY)
    agreement = TreatmentAgreement.objects.create(
        patient=patient, policy=policy, signed_on=signed_on, review_on=review_on, recorded_by=by
    )
    close_tasks(prefix=monitoring_key_prefix(safety.DueKind.AGREEMENT, patient.id), by=by, note="Agreement recorded.")
    audit(
        by=by,
        request=request,
        patient=patient,
        action=Action.CREATE,
        target=f"treatment agreement (policy v{policy.version})",
    )
    return agreement


# --------------------------------------------------------------------------- drug screens, PDMP, events, plan


@transaction.atomic
def record_drug_screen(
    *,
    patient,
    by,
    request: HttpRequest | None,
    collected_on: datetime.date,
    expected_findings: str = "",
    unexpected_findings: str = "",
    action_taken: str = "",
) -> DrugScreen:
    refuse_unless(may_record_monitoring(by, patient), CLINICIANS_ONLY)
    screen = DrugScreen.objects.create(
        patient=patient,
        collected_on=collected_on,
        expected_findings=expected_findings,
        unexpected_findings=unexpected_findings,
        action_taken=action_taken,
        recorded_by=by,
    )
    close_tasks(
        prefix=monitoring_key_prefix(safety.DueKind.DRUG_SCREEN, patient.id),
        by=by,
        note="Drug screen recorded.",
    )
    audit(by=by, request=request, patient=patient, action=Action.CREATE, target="urine drug screen")
    return screen


@transaction.atomic
def record_pdmp_check(
    *, patient, by, request: HttpRequest | None, checked_on: datetime.date, findings: str = ""
) -> PdmpCheck:
    refuse_unless(may_record_monitoring(by, patient), CLINICIANS_ONLY)
    check = PdmpCheck.objects.create(patient=patient, checked_on=checked_on, findings=findings, recorded_by=by)
    close_tasks(prefix=monitoring_key_prefix(safety.DueKind.PDMP, patient.id), by=by, note="PDMP check recorded.")
    audit(by=by, request=request, patient=patient, action=Action.CREATE, target="PDMP check")
    return check


@transaction.atomic
def record_event(
    *, patient, by, request: HttpRequest | None, kind: str, on: datetime.date, note: str = ""
) -> MedicationEvent:
    """An early refill request, lost or stolen medication, or taking more than prescribed."""
    refuse_unless(may_record_monitoring(by, patient), CLINICIANS_ONLY)
    event = MedicationEvent.objects.create(patient=patient, kind=kind, on=on, note=note, recorded_by=by)
    audit(by=by, request=request, patient=patient, action=Action.CREATE, target=f"medication event: {kind}")
    return event


@transaction.atomic
def decide_monitoring_plan(
    *,
    patient,
    by,
    request: HttpRequest | None,
    supply_days: int | None,
    drug_screen_every_days: int | None,
    pdmp_every_days: int | None,
    reason: str,
) -> MonitoringPlan:
    """The prescriber's closer monitoring plan (replaces the previous one; its decision date restarts the
    count of events)."""
    refuse_unless(may_prescribe(by, patient), PRESCRIBER_DECISION)
    plan, _ = MonitoringPlan.objects.update_or_create(
        patient=patient,
        defaults=dict(
            supply_days=supply_days,
            drug_screen_every_days=drug_screen_every_days,
            pdmp_every_days=pdmp_every_days,
            reason=reason,
            decided_by=by,
            decided_at=timezone.now(),
        ),
    )
    audit(by=by, request=request, patient=patient, action=Action.UPDATE, target="closer monitoring plan")
    return plan


# --------------------------------------------------------------------------- monitoring facts (one query)


def monitoring_facts(patients_qs, *, today: datetime.date):
    """Patients annotated with what monitoring needs: since when on an opioid, the last screen and PDMP check,
    the latest agreement's review date, the closer plan's intervals and the events since it. One query."""
    current_opioids = Medication.objects.filter(
        patient=OuterRef("pk"), stopped_on__isnull=True, drug_class=drugs.DrugClass.OPIOID
    )
    latest_agreement = TreatmentAgreement.objects.filter(patient=OuterRef("pk")).order_by("-signed_on", "-id")
    plan = MonitoringPlan.objects.filter(patient=OuterRef("pk"))
    later_plan = MonitoringPlan.objects.filter(patient=OuterRef("patient"), decided_at__gte=OuterRef("recorded_at"))
    events = (
        MedicationEvent.objects.filter(patient=OuterRef("pk"))
        .filter(~Exists(later_plan))
        .order_by()
        .values("patient")
        .annotate(n=Count("id"))
        .values("n")
    )
    return patients_qs.annotate(
        opioid_since=Subquery(
            current_opioids.order_by()
            .values("patient")
            .annotate(first=Min(Coalesce("started_on", "created_at__date")))
            .values("first")
        ),
        last_drug_screen=Subquery(
            DrugScreen.objects.filter(patient=OuterRef("pk"))
            .order_by()
            .values("patient")
            .annotate(d=Max("collected_on"))
            .values("d")
        ),
        last_pdmp=Subquery(
            PdmpCheck.objects.filter(patient=OuterRef("pk"))
            .order_by()
            .values("patient")
            .annotate(d=Max("checked_on"))
            .values("d")
        ),
        agreement_review_on=Subquery(latest_agreement.values("review_on")[:1]),
        plan_drug_screen_days=Subquery(plan.values("drug_screen_every_days")[:1]),
        plan_pdmp_days=Subquery(plan.values("pdmp_every_days")[:1]),
        plan_decided_at=Subquery(plan.values("decided_at")[:1]),
        events_since_plan=Coalesce(Subquery(events), 0),
    )


def due_for(facts, policy: AgreementPolicy) -> list[safety.Due]:
    """The monitoring due dates of a patient annotated by ``monitoring_facts`` (no queries); [] when the patient
    takes no opioid."""
    if facts.opioid_since is None:
        return []
    return safety.monitoring_due(
        opioid_since=facts.opioid_since,
        last_drug_screen=facts.last_drug_screen,
        last_pdmp=facts.last_pdmp,
        agreement_review_on=facts.agreement_review_on,
        policy_drug_screen_days=policy.drug_screen_every_days,
        policy_pdmp_days=policy.pdmp_every_days,
        plan_drug_screen_days=facts.plan_drug_screen_days,
        plan_pdmp_days=facts.plan_pdmp_days,
    )


# --------------------------------------------------------------------------- tapers


def taper_schedule(taper: TaperPlan) -> tapering.TaperSchedule:
    """The stored plan as the planner's schedule (no queries)."""
    return tapering.TaperSchedule(
        original_mme=Decimal(taper.starting_mme),
        starts_on=taper.starts_on,
        rate_percent=Decimal(taper.rate_percent),
        period=tapering.Period(taper.period),
        target_mme=Decimal(taper.target_mme),
        steps=tuple(tapering.TaperStep.from_json(row) for row in taper.schedule),
    )


@dataclass(frozen=True)
class TaperConcerns:
    rapid: bool  # faster than the guideline's rate, or in one step
    stops_from: Decimal | None  # a stop from above the policy's MME: the MME it stops from
    threshold: Decimal

    @property
    def need_reason(self) -> bool:
        return self.rapid or self.stops_from is not None


def taper_concerns(schedule: tapering.TaperSchedule, *, single_step: bool, policy: AgreementPolicy) -> TaperConcerns:
    threshold = Decimal(policy.taper_reason_above_mme)
    return TaperConcerns(
        rapid=single_step or tapering.is_rapid(schedule.rate_percent),
        stops_from=tapering.stops_from_above(schedule.points(), threshold, start=schedule.original_mme),
        threshold=threshold,
    )


@transaction.atomic
def start_taper(
    *,
    patient,
    by,
    request: HttpRequest | None,
    schedule: tapering.TaperSchedule,
    single_step: bool = False,
    reason: str = "",
) -> TaperPlan:
    """Save a taper plan made by the planner from the current regimen. Preconditions: ``schedule`` comes from
    ``tapering.plan_taper`` with the current total MME/day. A rapid taper or a stop from above the policy's MME
    needs ``reason`` (ReasonRequired). One active taper per patient (AlreadyExists)."""
    refuse_unless(may_prescribe(by, patient), PRESCRIBER_DECISION)
    concerns = taper_concerns(schedule, single_step=single_step, policy=policy_or_defaults())
    if concerns.need_reason and not reason.strip():
        raise ReasonRequired("This taper is faster than the guideline's rate or stops from a higher dose.")
    if TaperPlan.objects.select_for_update().filter(patient=patient, status=TaperPlan.Status.ACTIVE).exists():
        raise AlreadyExists("This patient already has an active taper.")
    current = list(Medication.objects.filter(patient=patient).current().opioids().order_by("id"))
    taper = TaperPlan.objects.create(
        patient=patient,
        starting_regimen=[
            {"drug_code": m.drug_code, "dose": m.dose_words, "medication": str(m.public_id)} for m in current
        ],
        starting_mme=schedule.original_mme,
        rate_percent=schedule.rate_percent,
        period=schedule.period.value,
        target_mme=schedule.target_mme,
        schedule=schedule.as_json(),
        starts_on=schedule.starts_on,
        faster_reason=reason.strip() if concerns.need_reason else "",
        created_by=by,
    )
    audit(by=by, request=request, patient=patient, action=Action.CREATE, target="taper plan")
    return taper


@transaction.atomic
def record_taper_actual(
    *, taper: TaperPlan, by, request: HttpRequest | None, on: datetime.date, mme: Decimal, note: str = ""
) -> TaperActual:
    """The dose actually taken from a date (a follow-up). Below the plan on that date (faster than the chosen
    rate), or a stop from above the policy's MME, needs a reason in ``note`` (ReasonRequired)."""
    refuse_unless(may_prescribe(by, taper.patient), PRESCRIBER_DECISION)
    concerns = actual_concerns(taper, on=on, mme=mme)
    if (concerns["faster"] or concerns["stops_from"] is not None) and not note.strip():
        raise ReasonRequired("A reduction faster than the plan, or a stop from a higher dose, needs a reason.")
    actual = TaperActual.objects.create(taper=taper, on=on, mme=mme, note=note.strip(), recorded_by=by)
    close_tasks(prefix=taper_follow_up_prefix(taper.id), by=by, note="Taper follow-up recorded.")
    audit(by=by, request=request, patient=taper.patient, action=Action.CREATE, target="taper follow-up dose")
    return actual


def actual_concerns(taper: TaperPlan, *, on: datetime.date, mme: Decimal) -> dict:
    """Whether an actual dose is below the plan on its date, and whether it stops from above the policy's MME
    (from the latest earlier actual, or the starting dose). One query."""
    schedule = taper_schedule(taper)
    previous = (
        TaperActual.objects.filter(taper=taper, on__lte=on).order_by("-on", "-id").values_list("mme", flat=True).first()
    )
    start = previous if previous is not None else schedule.original_mme
    threshold = Decimal(policy_or_defaults().taper_reason_above_mme)
    return {
        "faster": tapering.faster_than_plan(schedule, on, mme),
        "stops_from": start if Decimal(mme) == 0 and start > threshold else None,
        "threshold": threshold,
    }


@transaction.atomic
def set_taper_status(
    *, taper: TaperPlan, by, request: HttpRequest | None, status: str, expected_version: int
) -> TaperPlan:
    """Pause, resume, complete or stop a taper (optimistic locking on its version)."""
    refuse_unless(may_prescribe(by, taper.patient), PRESCRIBER_DECISION)
    updated = TaperPlan.objects.filter(pk=taper.pk, version=expected_version).update(
        status=status, version=F("version") + 1
    )
    if not updated:
        raise StaleEdit(TaperPlan.objects.get(pk=taper.pk))
    taper.refresh_from_db()
    audit(by=by, request=request, patient=taper.patient, action=Action.UPDATE, target=f"taper {status}")
    return taper


# --------------------------------------------------------------------------- team tasks


def monitoring_key_prefix(kind: str, patient_id: int) -> str:
    return f"opioid-monitoring:{kind}:{patient_id}:"


def monitoring_key(kind: str, patient_id: int, due_on: datetime.date) -> str:
    return f"{monitoring_key_prefix(kind, patient_id)}{due_on.isoformat()}"


def trial_review_key(trial_id: int) -> str:
    return f"opioid-trial-review:{trial_id}"


def taper_follow_up_prefix(taper_id: int) -> str:
    return f"taper-follow-up:{taper_id}:"


def close_tasks(*, prefix: str, by, note: str) -> int:
    """Mark the open tasks whose source key starts with ``prefix`` done (the work they asked for is recorded)."""
    done = 0
    for task in TeamTask.objects.open().filter(source_key__startswith=prefix):
        done += task.mark_done(by=by, note=note)
    return done


@dataclass
class SweepResult:
    patients_on_opioids: int = 0
    due: int = 0
    tasks_created: int = 0


def safety_url(patient) -> str:
    return reverse("medications:opioid_safety", args=[patient.public_id])


def sweep_monitoring(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> SweepResult:
    """Create one team task per monitoring item due or overdue: drug screens, PDMP checks and agreement reviews
    for patients on an opioid (policy intervals, or the prescriber's closer plan), opioid trial reviews, and the
    at least monthly follow-up of an active taper.

    Set-based and idempotent: a constant number of queries finds everything due (whatever the number of
    patients), one insert writes the tasks and the unique source key (kind, patient and due date; trial; taper
    and due date) skips those already there, so a re-run creates nothing twice. Recording the screen, check,
    review or follow-up closes the task and moves the next due date on.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    policy = policy_or_defaults()
    from patients.models import Patient

    on_opioids = Patient.objects.filter(
        medications__stopped_on__isnull=True, medications__drug_class=drugs.DrugClass.OPIOID
    ).distinct()
    facts = list(
        monitoring_facts(Patient.objects.filter(pk__in=on_opioids.values("pk")), today=today).only("id", "public_id")
    )
    result = SweepResult(patients_on_opioids=len(facts))
    patient_ids = [p.id for p in facts]
    # Risk: the flags of each patient's current regimen (one query for all their lines).
    lines: dict[int, list[Medication]] = {}
    for medication in Medication.objects.filter(patient_id__in=patient_ids).current():
        lines.setdefault(medication.patient_id, []).append(medication)
    trials = list(
        OpioidTrial.objects.filter(reviewed_at__isnull=True, review_on__lte=today, patient_id__in=patient_ids)
        .select_related("patient")
        .only("id", "review_on", "patient__id", "patient__public_id")
    )
    tapers = list(
        TaperPlan.objects.filter(status=TaperPlan.Status.ACTIVE)
        .annotate(last_follow_up=Max("actuals__on"))
        .select_related("patient")
        .only("id", "starts_on", "patient__id", "patient__public_id")
    )
    everyone = set(patient_ids) | {t.patient_id for t in tapers}
    leads = dict(
        CareTeamMember.objects.filter(patient_id__in=everyone, is_lead=True, member__is_active=True).values_list(
            "patient_id", "member_id"
        )
    )

    tasks: list[TeamTask] = []

    def add(*, patient, title, details, key, due_on, high: bool, link: str):
        lead = leads.get(patient.id)
        tasks.append(
            TeamTask(
                title=title,
                details=details,
                link=link,
                patient_id=patient.id,
                assignee_id=lead,
                assignee_role="" if lead else Role.CLINICIAN,
                priority=TeamTask.Priority.HIGH if high else TeamTask.Priority.NORMAL,
                source=TeamTask.Source.MONITORING,
                source_key=key,
                due_on=due_on,
                created_at=now,
            )
        )

    for patient in facts:
        summary = summarise(lines.get(patient.id, []), [], today=today)
        risk = safety.increased_risk_reasons(flags=summary.flags, events_since_plan=patient.events_since_plan)
        for due in due_for(patient, policy):
            if not due.is_due(today):
                continue
            state = "overdue" if due.is_overdue(today) else "due"
            details = f"{due.title} {state} (since {_day(due.due_on)}; {due.basis})."
            if risk:
                details += f" Increased risk: {', '.join(risk)}."
            add(
                patient=patient,
                title=f"{due.title} due",
                details=details,
                key=monitoring_key(due.kind, patient.id, due.due_on),
                due_on=max(due.due_on, today) if state == "due" else due.due_on,
                high=bool(risk),
                link=safety_url(patient),
            )
    for trial in trials:
        add(
            patient=trial.patient,
            title="Opioid trial review due",
            details=f"Review function against the goals and decide (review date {_day(trial.review_on)}).",
            key=trial_review_key(trial.id),
            due_on=trial.review_on,
            high=True,
            link=safety_url(trial.patient),
        )
    for taper in tapers:
        due_on = safety.taper_follow_up_due(starts_on=taper.starts_on, last_follow_up=taper.last_follow_up)
        if due_on > today:
            continue
        add(
            patient=taper.patient,
            title="Taper follow-up due",
            details=(
                f"Follow-up at least monthly during a taper (due {_day(due_on)}): check pain, function and mood "
                "(PEG and PHQ-9), and record the dose taken."
            ),
            key=f"{taper_follow_up_prefix(taper.id)}{due_on.isoformat()}",
            due_on=due_on,
            high=False,
            link=reverse("medications:taper_detail", args=[taper.patient.public_id, taper.public_id]),
        )
    result.due = len(tasks)
    if not tasks:
        return result
    with transaction.atomic():
        TeamTask.objects.bulk_create(tasks, ignore_conflicts=True)
        created = list(
            TeamTask.objects.filter(source_key__in=[task.source_key for task in tasks])
            .exclude(events__kind=TeamTaskEvent.Kind.CREATED)
            .values_list("id", "assignee_id", "assignee_role")
        )
        TeamTaskEvent.objects.bulk_create(
            [
                TeamTaskEvent(
                    task_id=task_id, kind=TeamTaskEvent.Kind.CREATED, at=now, to_assignee_id=user_id, to_role=role
                )
                for task_id, user_id, role in created
            ]
        )
    result.tasks_created = len(created)
    return result


def _day(day: datetime.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"
