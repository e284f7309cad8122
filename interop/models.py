"""Interoperability records: the FHIR API's clients (interop/api/).

A client is one outside system (a GP practice's record, a registry) that an admin lets read part of the
record through /fhir/ with a bearer token. Only the token's SHA-256 hash is stored (portal.tokens, the same
code as patient links): the token itself is shown once, when the client is issued.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from patients.models import Patient
from portal.tokens import token_hash


class FhirClientQuerySet(models.QuerySet):
    def active(self) -> "FhirClientQuerySet":
        return self.filter(revoked_at__isnull=True)

    def holding(self, token: str) -> "FhirClientQuerySet":
        """The client whose token this is (revoked ones included: the caller says why it refuses)."""
        return self.filter(token_hash=token_hash(token))

    def for_admin_list(self) -> "FhirClientQuerySet":
        return self.select_related("issued_by", "revoked_by").order_by("revoked_at", "-issued_at", "-id")


class FhirClient(models.Model):
    """Which resource types (scopes) and which patients one outside system may read.

    Patients: the whole clinic, or a fixed list the admin picked by MRN when issuing (e.g. one GP practice's
    patients). The list is explicit on purpose: it never grows or shrinks silently when a patient's details
    change, and what the client could read is exactly what the issue's audit event names. To change it, issue
    a new client and revoke the old one.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    scopes = models.JSONField(default=list, help_text="The FHIR resource types this client may read.")
    whole_clinic = models.BooleanField(default=False)
    patients = models.ManyToManyField(Patient, blank=True, related_name="fhir_clients")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = FhirClientQuerySet.as_manager()

    class Meta:
        constraints = [
            # One name, one client, revoked ones included: the audit trail names a client by its name.
            models.UniqueConstraint(Lower("name"), name="fhir_client_unique_name"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True) | Q(revoked_at__isnull=False),
                name="fhir_client_revoked_by_only_when_revoked",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def audit_label(self) -> str:
        """How the audit trail names this client as the actor of a read."""
        return f"FHIR client: {self.name}"[:200]

    def may_read(self, type_name: str) -> bool:
        return type_name in self.scopes

    def readable_patients(self) -> models.QuerySet[Patient] | None:
        """The patients this client may read: None means the whole clinic (the registry's convention)."""
        return None if self.whole_clinic else Patient.objects.filter(fhir_clients=self)

    def revoke(self, *, by, at=None) -> bool:
        """Revoke now (a conditional UPDATE, so two admins revoking at once record one revocation).
        False when it was already revoked."""
        at = at or timezone.now()
        changed = FhirClient.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=at, revoked_by=by)
        if changed:
            self.revoked_at, self.revoked_by = at, by
        return bool(changed)
