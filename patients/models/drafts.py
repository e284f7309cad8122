"""Form drafts: what a person typed into a long free-text form that has no draft state of its own."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class FormDraft(models.Model):
    """The text of one person's unfinished form, saved by autosave while they type (patients/form_draft_services.py).

    Why a row of its own: a psychotherapy note, a problem and a referral have no draft state that could hold a
    half-written text (a referral's "draft" state is a referral that exists and shows on lists), and changing
    a problem or a sent referral as the person types would change the record before they decide to. So the
    typed values are kept here, as typed (strings, the form's own field names, its version field included,
    so a restored draft saved over a newer record meets the form's usual conflict page), one row per person,
    form and object, readable by its owner only; the form's successful submit deletes it.
    """

    class Form(models.TextChoices):
        PSYCHOTHERAPY_NOTE = "psychotherapy_note", "psychotherapy note"
        PROBLEM = "problem", "problem"
        REFERRAL = "referral", "referral"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    form = models.CharField(max_length=24, choices=Form.choices)
    # The public id of the problem or referral being changed; none for a new one.
    object_id = models.UUIDField(null=True, blank=True)
    data = models.JSONField(default=dict)
    # Optimistic locking between the owner's own tabs: a save based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "form", "patient", "object_id"], nulls_distinct=False, name="one_form_draft_each"
            )
        ]

    def __str__(self) -> str:
        return f"Draft {self.get_form_display()} {self.pk}"
