"""The team's messages about a patient, with the colleagues they mention."""

import uuid

from django.db import models
from django.utils import timezone

from clinic.models.people import User


class TeamMessageQuerySet(models.QuerySet):
    def for_chart(self, patient):
        """The patient's team messages, newest first, with their authors (mentions: prefetch_related)."""
        return self.filter(patient=patient).select_related("author").order_by("-created_at", "-id")


class TeamMessage(models.Model):
    """An internal message about a patient for the team; never visible to the patient.

    Mentioning a colleague (``mentions``) creates a task for them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="team_messages")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(User, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TeamMessageQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["patient", "-created_at"], name="team_message_by_patient")]

    def __str__(self) -> str:
        return f"Team message {self.public_id}"
