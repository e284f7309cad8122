"""The registration form, used both to register a patient and to edit their details.

The form checks each field and how fields fit together (a consent or a preferred channel needs an
address). Whether the MRN is taken and whether the person may already be registered are decided by
patients.services, which the view calls with the cleaned data.
"""

import re
from datetime import date

from django import forms
from django.utils import timezone

from clinic.care_team_forms import clinician_label
from clinic.care_team_services import active_clinicians
from clinic.form_fields import date_input
from clinic.models import User
from patients.models import DATE_FORMATS, MRN_PATTERN, ContactChannel, Language, PainCondition, Patient, Sex
from patients.services import DETAIL_FIELDS

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
PHONE_CHARACTERS = re.compile(r"^\+?[\d\s().-]+$")
PHONE_DIGITS = (7, 15)


def max_length(name: str) -> int:
    return Patient._meta.get_field(name).max_length


def text_field(name: str, label: str, *, required: str = "", help_text: str = "", **kwargs) -> forms.CharField:
    """A text field as long as the model's column; `required` is the message when it is left empty."""
    error_messages = {"max_length": f"{label} can be at most %(limit_value)d characters (it has %(show_value)d)."}
    if required:
        error_messages["required"] = required
    return forms.CharField(
        label=label,
        max_length=max_length(name),
        required=bool(required),
        help_text=help_text,
        error_messages=error_messages,
        **kwargs,
    )


class PatientDetailsForm(forms.Form):
    mrn = text_field(
        "mrn",
        "MRN",
        required="Enter the patient's MRN.",
        help_text="The medical record number: up to 4 letters, then at least 3 digits (for example 100234).",
    )
    given_name = text_field(
        "given_name",
        "Legal given name",
        required="Enter the patient's legal given name.",
        help_text="As on their ID or insurance card.",
    )
    family_name = text_field(
        "family_name",
        "Legal family name",
        required="Enter the patient's legal family name.",
        help_text="As on their ID or insurance card.",
    )
    preferred_name = text_field(
        "preferred_name", "Preferred name", help_text="The name the patient asked us to call them, if different."
    )
    pronouns = text_field("pronouns", "Pronouns", help_text="Only if the patient told you, for example she/her.")
    date_of_birth = forms.DateField(
        label="Date of birth",
        input_formats=DATE_FORMATS,
        help_text="Between 1900 and today.",
        widget=date_input(),
        error_messages={
            "required": "Enter the patient's date of birth.",
            "invalid": "Enter the date of birth as a date, for example 1961-04-30.",
        },
    )
    sex = forms.ChoiceField(
        label="Sex (for questionnaire cut-offs)",
        choices=Sex.choices,
        initial=Sex.UNKNOWN,
        required=False,  # left out (an older page, a script): unknown, as before the field existed
        # The rule quoted is REFERENCE.md 1.6 (AUDIT-C US); the rest is the app's own wording.
        help_text=(
            "Used only where a questionnaire's cut-off differs for women and men: AUDIT-C (alcohol), "
            '"US/VA positive screen: ≥4 men, ≥3 women". With Unknown its score is kept but not marked '
            "positive or negative."
        ),
        error_messages={
            "required": "Choose female, male or unknown.",
            "invalid_choice": "Choose female, male or unknown.",
        },
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=max_length("email"),
        error_messages={
            "invalid": "Enter an email address such as name@example.com.",
            "max_length": "An email address can be at most %(limit_value)d characters.",
        },
    )
    mobile = text_field(
        "mobile", "Mobile phone", help_text="Digits, with spaces, dashes or a leading + if you like: 555-0123."
    )
    consents_to_email = forms.BooleanField(
        label="The patient agrees to be contacted by email",
        required=False,
        help_text="Messages never contain health information: only that the care team has something for them.",
    )
    consents_to_sms = forms.BooleanField(label="The patient agrees to be contacted by text message", required=False)
    preferred_channel = forms.ChoiceField(
        label="Preferred way to be contacted",
        choices=ContactChannel.choices,
        required=False,
        help_text="Email or text message also needs the patient's agreement above.",
        error_messages={"invalid_choice": "Choose email, text message or phone call."},
    )
    preferred_language = forms.ChoiceField(
        label="Preferred language",
        choices=Language.choices,
        initial=Language.ENGLISH,
        error_messages={
            "required": "Choose the patient's preferred language.",
            "invalid_choice": "Choose a language from the list, or Other and type its name.",
        },
    )
    preferred_language_other = text_field(
        "preferred_language_other", "Other language", help_text="Only when the preferred language is Other."
    )
    referring_clinician = text_field(
        "referring_clinician",
        "Referring clinician",
        help_text="Name and practice, for example Dr. Priya Shah, Riverside Family Practice.",
    )
    primary_condition = forms.ChoiceField(
        label="Main pain condition",
        choices=PainCondition.choices,
        initial=PainCondition.OTHER,
        error_messages={"invalid_choice": "Choose the main pain condition from the list."},
    )
    other_conditions = forms.MultipleChoiceField(
        label="Other pain conditions",
        choices=PainCondition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Any further conditions the patient lives with (leave the main one unticked).",
        error_messages={"invalid_choice": "Choose other conditions from the list."},
    )

    # Shown only after a warning that the patient may already be registered.
    confirm_new_person = forms.BooleanField(
        label="I have checked: this is a different person. Save anyway.",
        required=False,
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, patient: Patient) -> dict:
        """The form's starting values for an existing patient."""
        return {name: getattr(patient, name) for name in DETAIL_FIELDS}

    def clean_mrn(self) -> str:
        mrn = "".join(self.cleaned_data["mrn"].split()).upper()
        if not MRN_PATTERN.match(mrn):
            raise forms.ValidationError(
                "Enter the MRN as up to 4 letters followed by at least 3 digits, for example 100234.", code="mrn_format"
            )
        return mrn

    def clean_sex(self) -> str:
        return self.cleaned_data.get("sex") or Sex.UNKNOWN

    def clean_mobile(self) -> str:
        mobile = " ".join(self.cleaned_data["mobile"].split())
        if not mobile:
            return ""
        digits = sum(ch.isdigit() for ch in mobile)
        if not PHONE_CHARACTERS.match(mobile) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
            raise forms.ValidationError(
                "Enter a phone number of 7 to 15 digits, for example 555-0123 or +1 617 555 0123.",
                code="mobile_format",
            )
        return mobile

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        if born > self.today:
            raise forms.ValidationError("The date of birth cannot be in the future.", code="born_in_future")
        if born < EARLIEST_BIRTH_DATE:
            raise forms.ValidationError(
                "The date of birth cannot be before 1900. Check the year.", code="born_before_1900"
            )
        return born

    def clean_other_conditions(self) -> list[str]:
        chosen = set(self.cleaned_data["other_conditions"])
        return [code for code in PainCondition.values if code in chosen]  # in list order, each once

    def clean(self):
        data = super().clean()
        email, mobile = data.get("email"), data.get("mobile")
        if data.get("consents_to_email") and not email and "email" not in self.errors:
            self.add_error("email", "Enter an email address, or untick the agreement to be contacted by email.")
        if data.get("consents_to_sms") and not mobile and "mobile" not in self.errors:
            self.add_error("mobile", "Enter a mobile number, or untick the agreement to be contacted by text message.")
        channel = data.get("preferred_channel")
        if channel == ContactChannel.EMAIL:
            if not email and "email" not in self.errors:
                self.add_error("preferred_channel", "Email is preferred: enter an email address.")
            elif not data.get("consents_to_email"):
                self.add_error(
                    "preferred_channel",
                    "Email is preferred but the patient has not agreed to email: tick the agreement or choose again.",
                )
        elif channel == ContactChannel.SMS:
            if not mobile and "mobile" not in self.errors:
                self.add_error("preferred_channel", "Text message is preferred: enter a mobile number.")
            elif not data.get("consents_to_sms"):
                self.add_error(
                    "preferred_channel",
                    "Text message is preferred but the patient has not agreed to texts: tick the agreement "
                    "or choose again.",
                )
        elif channel == ContactChannel.PHONE and not mobile and "mobile" not in self.errors:
            self.add_error("preferred_channel", "A phone call is preferred: enter a phone number.")
        if data.get("preferred_language") == Language.OTHER:
            if not data.get("preferred_language_other") and "preferred_language_other" not in self.errors:
                self.add_error("preferred_language_other", "Type the name of the patient's preferred language.")
        elif "preferred_language_other" in data:
            data["preferred_language_other"] = ""  # only kept alongside Other
        if "other_conditions" in data and data.get("primary_condition"):
            data["other_conditions"] = [code for code in data["other_conditions"] if code != data["primary_condition"]]
        return data

    def details(self) -> dict:
        """The cleaned fields, as the registration services take them."""
        return {name: self.cleaned_data[name] for name in DETAIL_FIELDS}


class RegistrationForm(PatientDetailsForm):
    """The details, plus the patient's first care team: an optional lead clinician and other members.

    A patient registered without a lead waits in "Needs a care team" on the coordinators' worklist.
    Only active clinicians are offered, read once for both fields (clinic.care_team_services decides
    again when saving).
    """

    lead_clinician = forms.TypedChoiceField(
        label="Lead clinician",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Optional. Without a lead the patient waits on the coordinators' worklist until one is named.",
        error_messages={"invalid_choice": "Choose the lead clinician from the list (active clinicians only)."},
    )
    team_members = forms.TypedMultipleChoiceField(
        label="Other care team members",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Optional. Clinicians on the team can open the patient's chart.",
        error_messages={"invalid_choice": "Choose team members from the list (active clinicians only)."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinicians = {person.pk: person for person in active_clinicians()}
        choices = [(pk, clinician_label(person)) for pk, person in self.clinicians.items()]
        self.fields["lead_clinician"].choices = [("", "No lead yet"), *choices]
        self.fields["team_members"].choices = choices

    def clean_lead_clinician(self) -> User | None:
        chosen = self.cleaned_data["lead_clinician"]
        return self.clinicians[chosen] if chosen is not None else None

    def clean_team_members(self) -> list[User]:
        return [self.clinicians[pk] for pk in dict.fromkeys(self.cleaned_data["team_members"])]

    def clean(self):
        data = super().clean()
        lead = data.get("lead_clinician")
        if lead is not None and "team_members" in data:
            data["team_members"] = [person for person in data["team_members"] if person.pk != lead.pk]
        return data

    def care_team(self) -> dict:
        """The first care team, as patients.services.register_patient takes it."""
        data = self.cleaned_data
        return {"lead": data.get("lead_clinician"), "team_members": list(data.get("team_members") or [])}
