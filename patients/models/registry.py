"""The patient registry: who the patient is, how to reach them, and what brought them to the clinic."""

import re
import uuid
from datetime import date, datetime

from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from patients.names import normalise, search_name


class PainCondition(models.TextChoices):
    LOW_BACK_PAIN = "low_back_pain", "Chronic low back pain"
    NEUROPATHY = "neuropathy", "Peripheral neuropathy"
    FIBROMYALGIA = "fibromyalgia", "Fibromyalgia"
    MIGRAINE = "migraine", "Chronic migraine"
    POST_SURGICAL = "post_surgical", "Chronic post-surgical pain"
    OSTEOARTHRITIS = "osteoarthritis", "Osteoarthritis"
    SICKLE_CELL = "sickle_cell", "Sickle cell disease"
    ENDOMETRIOSIS = "endometriosis", "Endometriosis"
    CANCER_RELATED = "cancer_related", "Cancer-related pain"
    OTHER = "other", "Other chronic pain"


class PainType(models.TextChoices):
    """The clinician's classification of the pain's mechanism (issue 3)."""

    NOT_CLASSIFIED = "", "Not classified yet"
    NOCICEPTIVE = "nociceptive", "Nociceptive"
    NEUROPATHIC = "neuropathic", "Neuropathic"
    NOCIPLASTIC = "nociplastic", "Nociplastic"
    MIXED = "mixed", "Mixed"


class Complexity(models.TextChoices):
    NOT_RATED = "", "Not rated yet"
    SIMPLE = "simple", "Simple: responds to standard care, functional"
    COMPLEX = "complex", "Complex: declining function despite escalating treatment, many providers"


class Language(models.TextChoices):
    """Common languages of the clinic's patients; anything else is "other" with the name typed in."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"
    FRENCH = "fr", "French"
    PORTUGUESE = "pt", "Portuguese"
    MANDARIN = "cmn", "Chinese (Mandarin)"
    CANTONESE = "yue", "Chinese (Cantonese)"
    ARABIC = "ar", "Arabic"
    VIETNAMESE = "vi", "Vietnamese"
    TAGALOG = "tl", "Tagalog"
    KOREAN = "ko", "Korean"
    RUSSIAN = "ru", "Russian"
    HAITIAN_CREOLE = "ht", "Haitian Creole"
    HINDI = "hi", "Hindi"
    PUNJABI = "pa", "Punjabi"
    POLISH = "pl", "Polish"
    SOMALI = "so", "Somali"
    ASL = "ase", "American Sign Language"
    OTHER = "other", "Other"


class ContactChannel(models.TextChoices):
    NONE = "", "No preference given"
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    PHONE = "phone", "Phone call"


class Sex(models.TextChoices):
    """Sex as it sets a questionnaire's cut-off (AUDIT-C US: REFERENCE.md 1.6). Unknown is the default: with it a
    sex-specific screen is scored but not judged positive or negative (the app's own choice)."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNKNOWN = "unknown", "Unknown"


DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")
MRN_PATTERN = re.compile(r"^[A-Za-z]{0,4}\d{3,}$")


def parse_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class SearchKind(models.TextChoices):
    NONE = "", "no search"
    MRN = "mrn", "MRN"
    BIRTH_DATE = "birth_date", "date of birth"
    NAME = "name", "name"


def clean_query(query: str) -> str:
    # Postgres text cannot hold NUL; a stray one in a pasted query must not become a 500.
    return query.replace("\x00", " ").strip()


def search_kind(query: str) -> SearchKind:
    """What a search box entry looks like: an MRN, a date of birth, or (part of) a name."""
    if not query:
        return SearchKind.NONE
    if MRN_PATTERN.match(query):
        return SearchKind.MRN
    if parse_date(query):
        return SearchKind.BIRTH_DATE
    return SearchKind.NAME


class PatientQuerySet(models.QuerySet):
    LISTING_FIELDS = (
        "public_id",
        "mrn",
        "given_name",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "primary_condition",
    )

    def for_listing(self):
        return self.only(*self.LISTING_FIELDS)

    def complex(self):
        """Patients whose current complexity rating is "complex" (the case conference's list; partial index)."""
        return self.filter(complexity=Complexity.COMPLEX)

    def search(self, query: str):
        """Match an MRN (exact), a date of birth, or every word of a name (partial, accent-free)."""
        query = clean_query(query)
        kind = search_kind(query)
        if kind == SearchKind.MRN:
            return self.filter(mrn__iexact=query)
        if kind == SearchKind.BIRTH_DATE:
            return self.filter(date_of_birth=parse_date(query))
        matches = self
        for word in normalise(query).split():
            matches = matches.filter(search_name__contains=word)
        return matches

    def possible_duplicates(self, *, given: str, family: str, date_of_birth: date):
        """Patients born that day whose given and family names match once case and accents are set aside.

        search_name is "given [preferred] family", normalised, so a match starts with the given name
        and ends with the family name whatever preferred name either record has.
        """
        given, family = normalise(clean_query(given)), normalise(clean_query(family))
        if not (given and family):
            return self.none()
        return self.filter(
            date_of_birth=date_of_birth,
            search_name__startswith=f"{given} ",
            search_name__endswith=f" {family}",
        )


class Patient(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    mrn = models.CharField("MRN", max_length=20, unique=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    primary_condition = models.CharField(max_length=30, choices=PainCondition.choices, default=PainCondition.OTHER)
    email = models.EmailField(blank=True)
    mobile = models.CharField(max_length=30, blank=True)
    # Nothing is sent to a patient on a channel they have not agreed to be contacted on.
    consents_to_email = models.BooleanField(default=False)
    consents_to_sms = models.BooleanField(default=False)
    # Registry details (every new field has a default, so bulk inserts such as seed_demo need no change).
    pronouns = models.CharField(max_length=40, blank=True, default="")
    # Only for questionnaire cut-offs (measures.scoring_context); existing rows are unknown.
    sex = models.CharField("Sex (for questionnaire cut-offs)", max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    preferred_language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    preferred_language_other = models.CharField(max_length=60, blank=True, default="")
    preferred_channel = models.CharField(
        max_length=10, choices=ContactChannel.choices, blank=True, default=ContactChannel.NONE
    )
    referring_clinician = models.CharField(max_length=200, blank=True, default="")
    # Further pain conditions besides the primary one: a list of PainCondition values (JSON, so SQLite works too).
    other_conditions = models.JSONField(default=list, blank=True)
    # The current pain classification and complexity (their history: PainClassification, ComplexityRating).
    pain_type = models.CharField(max_length=20, choices=PainType.choices, blank=True, default=PainType.NOT_CLASSIFIED)
    complexity = models.CharField(max_length=10, choices=Complexity.choices, blank=True, default=Complexity.NOT_RATED)
    # Derived from the names (see set_names); indexed with trigrams for partial search.
    search_name = models.CharField(max_length=320, editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # Whether a care-team member who still works here is marked lead. Kept by the database itself (triggers in
    # migration clinic 0012), whatever writes the care team, the staff or the patient, so the coordinators'
    # "needs a lead clinician" list reads the few patients without one instead of checking all of them. The app
    # never sets it.
    has_active_lead = models.BooleanField(default=False, db_default=False, editable=False)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        permissions = [("register_patient", "Register patients")]
        indexes = [
            models.Index(fields=["family_name", "given_name", "id"], name="patient_by_name"),
            models.Index(fields=["date_of_birth"], name="patient_by_birth_date"),
            models.Index(Upper("mrn"), name="patient_by_upper_mrn"),  # MRN search is case-insensitive
            models.Index(fields=["-created_at", "-id"], name="patient_recently_registered"),
            models.Index(
                fields=["-created_at", "-id"], condition=models.Q(has_active_lead=False), name="patient_without_lead"
            ),
            models.Index(fields=["id"], condition=models.Q(complexity="complex"), name="patient_complex"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def called(self) -> str:
        """The name the patient asked us to use."""
        return self.preferred_name or self.given_name

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def language(self) -> str:
        """The preferred language in words (the typed name when it is "other")."""
        if self.preferred_language == Language.OTHER:
            return self.preferred_language_other or Language.OTHER.label
        return self.get_preferred_language_display()

    @property
    def other_condition_labels(self) -> list[str]:
        labels = dict(PainCondition.choices)
        return [labels[code] for code in self.other_conditions if code in labels and code != self.primary_condition]

    # What contact_channel() and the message's language (portal.language) read: load only these to message.
    MESSAGING_FIELDS = (
        "email",
        "mobile",
        "consents_to_email",
        "consents_to_sms",
        "preferred_channel",
        "preferred_language",
    )

    def contact_channel(self) -> tuple[str, str] | None:
        """The channel and address to message the patient on, or None without consent or address.

        The patient's preferred channel first, when they consented to it and gave its address; then
        email, then text message.
        """
        usable = {}
        if self.consents_to_email and self.email:
            usable["email"] = self.email
        if self.consents_to_sms and self.mobile:
            usable["sms"] = self.mobile
        for channel in (self.preferred_channel, "email", "sms"):
            if channel in usable:
                return channel, usable[channel]
        return None

    def set_names(self, *, given: str, family: str, preferred: str = "") -> None:
        self.given_name, self.family_name, self.preferred_name = given.strip(), family.strip(), preferred.strip()
        self.search_name = search_name(given=self.given_name, preferred=self.preferred_name, family=self.family_name)
