"""Forms for the medication list, opioid safety records, tapers and the clinic's opioid policy.

Every form keeps what was typed when it is not valid, says plainly what to correct, and bounds every number to
what its column holds, so no input can reach the database as an error.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from careplans.models import Goal
from clinic.form_fields import date_input
from clinic.models import User
from clinic.roles import PRESCRIBING_DISCIPLINES, Role
from medications.models import Medication, MedicationEvent, NaloxoneRecord, OpioidTrial, TaperPlan
from medications.rules import drugs, routes, safety, tapering
from patients.models import PainType

TEXT_MAX = 2000
PRESCRIBER_CHOICE = (
    "Choose a prescriber of the clinic (a physician or nurse practitioner), or leave it empty and name the "
    "prescriber outside the clinic."
)


def today() -> datetime.date:
    return timezone.localdate()


def positive(max_digits: int, places: int, **kwargs) -> forms.DecimalField:
    smallest = Decimal(1).scaleb(-places)
    return forms.DecimalField(
        max_digits=max_digits,
        decimal_places=places,
        min_value=smallest,
        max_value=Decimal(10) ** (max_digits - places) - smallest,
        **kwargs,
    )


def not_in_future(value: datetime.date | None, what: str) -> None:
    if value and value > today():
        raise forms.ValidationError(f"{what} cannot be in the future.")


ROUTE_CHOICES = [("", "Choose the route")] + [
    (route.value, label) for route, label in routes.ROUTE_LABELS.items() if route is not routes.NOT_RECORDED
]


def drug_choices() -> list:
    groups = []
    for drug_class in drugs.DrugClass:
        entries = [(d.code, d.name) for d in drugs.DRUGS if d.drug_class is drug_class]
        if entries:
            groups.append(
                (drug_class.label.capitalize() if drug_class is not drugs.DrugClass.NSAID else "NSAID", entries)
            )
    return [("", "Choose a drug"), *groups]


# --------------------------------------------------------------------------- medication lines


class MedicationForm(forms.Form):
    drug_code = forms.ChoiceField(label="Drug", choices=drug_choices)
    strength = positive(
        8, 3, label="Strength per unit", help_text="mg per tablet or capsule; mg per mL for a liquid; mcg/hr per patch."
    )
    form = forms.ChoiceField(choices=Medication.Form.choices, initial=Medication.Form.TABLET)
    # "Not recorded" is only for lines written before the route was recorded: a line saved here says its route.
    route = forms.ChoiceField(
        choices=ROUTE_CHOICES,
        initial=routes.Route.ORAL.value,
        error_messages={"required": "Choose the route.", "invalid_choice": "Choose the route."},
    )
    units_per_dose = positive(
        6, 2, label="Units per dose", initial=1, help_text="mL for a liquid; patches worn at once, for a patch."
    )
    is_prn = forms.BooleanField(label="As needed (PRN)", required=False)
    doses_per_day = positive(5, 2, label="Doses a day", required=False, help_text="For a regular (scheduled) dose.")
    prn_max_doses_per_day = positive(
        5,
        2,
        label="Most doses a day (PRN)",
        required=False,
        help_text="For as-needed use: the MME counts this maximum.",
    )
    # Only prescribers (User.is_prescriber: a physician or nurse practitioner) may be named; the queryset is set
    # per form below, and the services check again.
    prescriber = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Not a clinic prescriber",
        label="Prescriber",
        error_messages={"invalid_choice": PRESCRIBER_CHOICE},
    )
    outside_prescriber = forms.CharField(
        label="Prescriber outside the clinic", max_length=200, required=False, help_text="For example primary care."
    )
    started_on = forms.DateField(label="Started on", required=False, widget=date_input())
    reason = forms.CharField(label="Reason for use", max_length=200, required=False)
    pain_type_targeted = forms.ChoiceField(label="Pain type targeted", choices=PainType.choices, required=False)
    benefit = forms.CharField(
        label="Benefit noted", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    side_effects = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    why = forms.CharField(
        label="Why (kept in the history)", max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)
    # Shown with the warning when the drug matches a recorded allergy (medications.services.lines.add_medication).
    allergy_checked = forms.BooleanField(label="I have checked the allergy", required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["prescriber"].queryset = User.objects.filter(
            role=Role.CLINICIAN, discipline__in=PRESCRIBING_DISCIPLINES, is_active=True
        ).order_by("last_name", "first_name")
        if editing:
            self.fields["why"].required = True
            self.fields["why"].label = "Why is it changing? (kept in the history)"
            self.fields["version"].required = True
        for name in ("strength", "units_per_dose", "doses_per_day", "prn_max_doses_per_day"):
            self.fields[name].widget.attrs.setdefault("inputmode", "decimal")

    def clean_started_on(self):
        value = self.cleaned_data.get("started_on")
        not_in_future(value, "The start date")
        return value

    def clean(self):
        data = super().clean()
        code = data.get("drug_code")
        patch = code == "fentanyl_transdermal"
        if data.get("is_prn"):
            if data.get("prn_max_doses_per_day") is None:
                self.add_error("prn_max_doses_per_day", "For as-needed use, give the most doses allowed a day.")
            data["doses_per_day"] = None
        else:
            data["prn_max_doses_per_day"] = None
            if data.get("doses_per_day") is None and not patch and code != "buprenorphine":
                self.add_error("doses_per_day", "Give the number of doses a day (or tick 'As needed').")
        if code and data.get("form") and data.get("route"):
            for field, message in routes.disagreements(drug_code=code, form=data["form"], route=data["route"]).items():
                self.add_error(field, message)
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        names = [n for n in Medication.TRACKED_FIELDS if n in data and n not in ("stopped_on", "stop_reason")]
        return {name: data[name] for name in names}

    @property
    def drug_class(self) -> str | None:
        code = self.cleaned_data.get("drug_code") if hasattr(self, "cleaned_data") else None
        try:
            return drugs.by_code(code).drug_class.value if code else None
        except KeyError:
            return None

    @staticmethod
    def initial_for(medication: Medication) -> dict:
        initial = {name: getattr(medication, name) for name in Medication.TRACKED_FIELDS}
        initial["version"] = medication.version
        return initial


class StopForm(forms.Form):
    stopped_on = forms.DateField(label="Stopped on", widget=date_input(), initial=today)
    why = forms.CharField(label="Why is it stopping?", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, medication: Medication, **kwargs):
        super().__init__(*args, **kwargs)
        self.medication = medication

    def clean_stopped_on(self):
        value = self.cleaned_data["stopped_on"]
        not_in_future(value, "The stop date")
        if self.medication.started_on and value < self.medication.started_on:
            raise forms.ValidationError("The stop date cannot be before the start date.")
        return value


class AnnotateForm(forms.Form):
    note = forms.CharField(label="Note", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


# --------------------------------------------------------------------------- flags and naloxone


class AcknowledgeFlagForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was decided, and why.",
    )
    review_on = forms.DateField(
        label="Review on", widget=date_input(), help_text="The flag shows again after this date (at most a year ahead)."
    )

    def clean_review_on(self):
        value = self.cleaned_data["review_on"]
        if value <= today():
            raise forms.ValidationError("Choose a review date after today.")
        if value > today() + datetime.timedelta(days=366):
            raise forms.ValidationError("Choose a review date within a year.")
        return value


class NaloxoneForm(forms.Form):
    status = forms.ChoiceField(choices=NaloxoneRecord.Status.choices, widget=forms.RadioSelect, label="Naloxone was")
    on = forms.DateField(label="On", widget=date_input(), initial=today)
    note = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_on(self):
        value = self.cleaned_data["on"]
        not_in_future(value, "The date")
        return value


# --------------------------------------------------------------------------- trials


class TrialStartForm(forms.Form):
    medication = forms.ModelChoiceField(queryset=Medication.objects.none(), label="Opioid", required=False)
    goals = forms.ModelMultipleChoiceField(
        queryset=Goal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Functional goals (from the care plan)",
        error_messages={"required": "Choose at least one functional goal to judge the trial by."},
    )
    started_on = forms.DateField(label="Started on", widget=date_input(), initial=today)
    review_on = forms.DateField(label="Review on", widget=date_input(), help_text="1 to 4 weeks after the start.")

    def __init__(self, *args, medications, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medication"].queryset = medications
        self.fields["medication"].label_from_instance = lambda m: f"{m.drug_name}, {m.dose_words}"
        self.fields["goals"].queryset = goals
        self.fields["goals"].label_from_instance = lambda g: g.words

    def clean_started_on(self):
        value = self.cleaned_data["started_on"]
        if abs((value - today()).days) > 28:
            raise forms.ValidationError("The start date must be within 4 weeks of today.")
        return value

    def clean(self):
        data = super().clean()
        started, review = data.get("started_on"), data.get("review_on")
        if started and review:
            first, last = safety.trial_review_window(started)
            if not first <= review <= last:
                self.add_error(
                    "review_on",
                    f"Choose a review date 1 to 4 weeks after the start "
                    f"({first:%b} {first.day} to {last:%b} {last.day}).",
                )
        return data


class TrialReviewForm(forms.Form):
    function_vs_goals = forms.CharField(
        label="Function against the goals",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the patient can do now, goal by goal.",
    )
    benefit_documented = forms.TypedChoiceField(
        label="Is there a meaningful functional benefit?",
        choices=[("yes", "Yes: documented above"), ("no", "No, or not clear")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    decision = forms.ChoiceField(choices=OpioidTrial.Decision.choices, widget=forms.RadioSelect)
    decision_reason = forms.CharField(
        label="Reason for the decision", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        continuing = data.get("decision") in safety.CONTINUING
        if continuing and data.get("benefit_documented") is False and not (data.get("decision_reason") or "").strip():
            self.add_error(
                "decision_reason",
                "Continuing without a documented functional benefit needs a reason (it is flagged on the chart).",
            )
        return data


# --------------------------------------------------------------------------- agreement, screens, PDMP, events, plan


class AgreementForm(forms.Form):
    policy_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    signed_on = forms.DateField(label="Signed on", widget=date_input(), initial=today)
    review_on = forms.DateField(label="Review on", widget=date_input(), help_text="Yearly by default (clinic policy).")
    shown_to_patient = forms.BooleanField(
        label="The policy was shown to the patient in plain words and they had the chance to ask questions"
    )

    def clean(self):
        data = super().clean()
        signed, review = data.get("signed_on"), data.get("review_on")
        if signed:
            try:
                not_in_future(signed, "The signing date")
            except forms.ValidationError as error:
                self.add_error("signed_on", error)
        if signed and review and review <= signed:
            self.add_error("review_on", "The review date must be after the signing date.")
        return data


class DrugScreenForm(forms.Form):
    collected_on = forms.DateField(label="Collected on", widget=date_input(), initial=today)
    expected_findings = forms.CharField(
        label="Expected findings", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    unexpected_findings = forms.CharField(
        label="Unexpected findings",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Leave empty when there were none.",
    )
    action_taken = forms.CharField(
        label="Action taken", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_collected_on(self):
        value = self.cleaned_data["collected_on"]
        not_in_future(value, "The collection date")
        return value

    def clean(self):
        data = super().clean()
        if (data.get("unexpected_findings") or "").strip() and not (data.get("action_taken") or "").strip():
            self.add_error(
                "action_taken",
                "With unexpected findings, record the action taken (for example: discussed with the patient, "
                "confirmatory test).",
            )
        return data


class PdmpForm(forms.Form):
    checked_on = forms.DateField(label="Checked on", widget=date_input(), initial=today)
    findings = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_checked_on(self):
        value = self.cleaned_data["checked_on"]
        not_in_future(value, "The check date")
        return value


class EventForm(forms.Form):
    kind = forms.ChoiceField(choices=MedicationEvent.Kind.choices, widget=forms.RadioSelect, label="What happened")
    on = forms.DateField(label="On", widget=date_input(), initial=today)
    note = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_on(self):
        value = self.cleaned_data["on"]
        not_in_future(value, "The date")
        return value


class MonitoringPlanForm(forms.Form):
    supply_days = forms.IntegerField(
        label="Supply per prescription (days)",
        required=False,
        min_value=1,
        max_value=90,
        help_text="For example 7 or 14 days.",
    )
    drug_screen_every_days = forms.IntegerField(
        label="Drug screen every (days)", required=False, min_value=1, max_value=365
    )
    pdmp_every_days = forms.IntegerField(label="PDMP check every (days)", required=False, min_value=1, max_value=365)
    reason = forms.CharField(label="Reason", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if not any(data.get(n) for n in ("supply_days", "drug_screen_every_days", "pdmp_every_days")):
            raise forms.ValidationError("Set at least one of: the supply, the drug screen interval, the PDMP interval.")
        return data


# --------------------------------------------------------------------------- tapers


class TaperForm(forms.Form):
    period = forms.ChoiceField(
        label="Opioid use so far",
        choices=[
            (tapering.Period.MONTH.value, "Long-term (about a year or more): reduce each month"),
            (tapering.Period.WEEK.value, "Shorter (weeks to months): reduce each week"),
        ],
        widget=forms.RadioSelect,
        initial=tapering.Period.MONTH.value,
    )
    rate_percent = forms.DecimalField(
        label="Reduce by (% of the starting dose each period)",
        min_value=tapering.MIN_RATE_PERCENT,
        max_value=tapering.MAX_RATE_PERCENT,
        max_digits=4,
        decimal_places=1,
        initial=tapering.GUIDELINE_RATE_PERCENT,
        help_text="The guideline's rate is 10% or slower; the clinic's range is 5% to 20%.",
    )
    target_mme = forms.DecimalField(
        label="Target MME/day",
        min_value=0,
        max_digits=8,
        decimal_places=2,
        initial=0,
        help_text="0 to stop; or a lower dose to keep.",
    )
    starts_on = forms.DateField(label="First reduction on", widget=date_input(), initial=today)
    pause_1_after = forms.IntegerField(
        label="Pause after step", required=False, min_value=1, max_value=tapering.MAX_STEPS
    )
    pause_1_periods = forms.IntegerField(
        label="for (periods)", required=False, min_value=1, max_value=tapering.MAX_PAUSE_PERIODS
    )
    pause_2_after = forms.IntegerField(
        label="Another pause after step", required=False, min_value=1, max_value=tapering.MAX_STEPS
    )
    pause_2_periods = forms.IntegerField(
        label="for (periods)", required=False, min_value=1, max_value=tapering.MAX_PAUSE_PERIODS
    )
    single_step = forms.BooleanField(label="Stop in one step (only for a life-threatening issue)", required=False)
    reason = forms.CharField(
        label="Reason for a faster taper or a stop from a higher dose",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, original_mme: Decimal | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.original_mme = original_mme
        self.schedule: tapering.TaperSchedule | None = None

    def clean_starts_on(self):
        value = self.cleaned_data["starts_on"]
        if value < today() - datetime.timedelta(days=28) or value > today() + datetime.timedelta(days=366):
            raise forms.ValidationError("Choose a date from 4 weeks ago to a year ahead.")
        return value

    def clean(self):
        data = super().clean()
        pauses = []
        for n in (1, 2):
            after, periods = data.get(f"pause_{n}_after"), data.get(f"pause_{n}_periods")
            if (after is None) != (periods is None):
                self.add_error(
                    f"pause_{n}_periods" if after else f"pause_{n}_after", "Give both the step and how long to pause."
                )
            elif after is not None:
                pauses.append(tapering.Pause(after_step=after, periods=periods))
        if self.errors:
            return data
        if not self.original_mme:
            raise forms.ValidationError("There is no opioid dose with a known MME to taper.")
        try:
            self.schedule = tapering.plan_taper(
                original_mme=self.original_mme,
                starts_on=data["starts_on"],
                rate_percent=data["rate_percent"],
                period=data["period"],
                target_mme=data["target_mme"],
                pauses=pauses,
                single_step=data.get("single_step", False),
            )
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return data


class TaperActualForm(forms.Form):
    on = forms.DateField(label="From", widget=date_input(), initial=today)
    mme = forms.DecimalField(label="Daily MME taken", min_value=0, max_digits=8, decimal_places=2)
    note = forms.CharField(
        label="Note (a reason is needed if this is faster than the plan)",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_on(self):
        value = self.cleaned_data["on"]
        not_in_future(value, "The date")
        return value


class TaperStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=TaperPlan.Status.choices, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


# --------------------------------------------------------------------------- the clinic's policy

#: The parts of the written policy (issue 6), in the order shown to the patient.
POLICY_SECTIONS: tuple[tuple[str, str], ...] = (
    ("about", "About this agreement"),
    ("drug_screens", "Urine drug screens"),
    ("refills", "Early refills and lost medication"),
    ("self_escalation", "Taking more than prescribed"),
    ("flares", "Flare-ups"),
    ("medications", "Which medications"),
    ("dose_limits", "Dose limits"),
    ("breakthrough", "Breakthrough medication"),
)


class PolicyForm(forms.Form):
    drug_screen_every_days = forms.IntegerField(label="Drug screen at least every (days)", min_value=1, max_value=365)
    pdmp_every_days = forms.IntegerField(label="PDMP check at least every (days)", min_value=1, max_value=365)
    agreement_review_every_days = forms.IntegerField(
        label="Review the agreement every (days)", min_value=30, max_value=730
    )
    taper_reason_above_mme = forms.DecimalField(
        label="A stop from above this MME/day needs a recorded reason", min_value=0, max_digits=7, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, heading in POLICY_SECTIONS:
            self.fields[f"section_{key}"] = forms.CharField(
                label=heading, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
            )

    @staticmethod
    def initial_for(policy) -> dict:
        initial = {
            "drug_screen_every_days": policy.drug_screen_every_days,
            "pdmp_every_days": policy.pdmp_every_days,
            "agreement_review_every_days": policy.agreement_review_every_days,
            "taper_reason_above_mme": policy.taper_reason_above_mme,
        }
        texts = {section.get("key") or section.get("heading"): section.get("text", "") for section in policy.sections}
        for key, heading in POLICY_SECTIONS:
            initial[f"section_{key}"] = texts.get(key, texts.get(heading, ""))
        return initial

    def sections(self) -> list[dict]:
        return [
            {"key": key, "heading": heading, "text": self.cleaned_data[f"section_{key}"].strip()}
            for key, heading in POLICY_SECTIONS
        ]
