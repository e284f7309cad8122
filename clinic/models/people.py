"""Staff (the custom user) and care-team membership."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.roles import PRESCRIBING_DISCIPLINES, Discipline, Role


class User(AbstractUser):
    """A member of staff. Patients never have accounts; they use links."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    discipline = models.CharField(max_length=30, choices=Discipline.choices, default=Discipline.NURSE)
    credentials = models.CharField(max_length=40, blank=True, help_text="For example MD, RN, DPT.")

    class Notify(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        BOTH = "both", "Email and text message"

    # How urgent work reaches this person outside the app (clinic/safety_net.py): no patient data is sent.
    mobile_phone = models.CharField(max_length=30, blank=True, help_text="For texts about urgent tasks.")
    notify_by = models.CharField(
        "tell me about urgent tasks by", max_length=10, choices=Notify.choices, default=Notify.EMAIL
    )
    # The clinic's medical lead: urgent work reaches them when the lead is away and the rota has a gap.
    is_medical_lead = models.BooleanField("medical lead", default=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_medical_lead"], condition=Q(is_medical_lead=True), name="one_medical_lead"
            )
        ]
        permissions = [
            ("chart_clinical_notes", "Chart clinical notes"),
            ("coordinate_care", "Coordinate referrals, waits and team tasks"),
            ("send_patient_links", "Send patient links"),
            ("manage_staff", "Manage staff accounts"),
            ("prescribe_controlled_substances", "Start or change opioid and benzodiazepine regimens"),
            ("annotate_medications", "Annotate medication entries"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

    @property
    def is_clinic_admin(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    @property
    def is_prescriber(self) -> bool:
        return self.role == Role.CLINICIAN and self.discipline in PRESCRIBING_DISCIPLINES

    @property
    def sees_every_patient(self) -> bool:
        """Coordinators register and route every patient; admins answer for the whole record."""
        return self.role in (Role.COORDINATOR, Role.ADMIN) or self.is_superuser


class CareTeamMember(models.Model):
    """One person on one patient's care team; clinicians see the patients whose team they are on."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="care_team")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    is_lead = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "member"], name="one_membership_per_person"),
            models.UniqueConstraint(fields=["patient"], condition=Q(is_lead=True), name="one_lead_per_patient"),
        ]
        indexes = [models.Index(fields=["member", "patient"])]

    def __str__(self) -> str:
        return f"{self.member} on the team of {self.patient}"
