"""Lines written before the route was recorded get one from their form (medications 0005): a patch is transdermal,
tablets, capsules, extended-release tablets and liquids are oral, and an injection or "other" is "not recorded"
rather than a guess. The database goes back with Django's MigrationExecutor in a transactional test and always
forward again, even when an assertion fails."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from medications.models import Medication
from tests.factories import PatientFactory

BEFORE = [("medications", "0004_taper_doses")]
AFTER = [("medications", "0005_medication_route")]
EXPECTED = {
    "patch": "transdermal",
    "tablet": "oral",
    "capsule": "oral",
    "extended_release": "oral",
    "liquid": "oral",
    "injection": "not_recorded",
    "other": "not_recorded",
}


def migrate(targets):
    return MigrationExecutor(connection).migrate(targets)


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_older_lines_get_their_route_from_their_form_and_an_injection_is_not_guessed():
    patient = PatientFactory()
    try:
        old = migrate(BEFORE).apps.get_model("medications", "Medication")
        ids = {
            form: old.objects.create(
                patient_id=patient.id, drug_code="morphine", drug_class="opioid", strength=Decimal(10), form=form
            ).pk
            for form in EXPECTED
        }
        migrate(AFTER)
    finally:
        migrate(latest())
    routes = dict(Medication.objects.filter(pk__in=ids.values()).values_list("pk", "route"))
    assert {form: routes[pk] for form, pk in ids.items()} == EXPECTED
