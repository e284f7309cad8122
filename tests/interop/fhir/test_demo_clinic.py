"""The demo clinic (seed_demo, as tests/demo/ runs it): every resource type the registry lists that the demo has
data for is produced, and every resource validates with the fhir.resources R4B models."""

from io import StringIO

import pytest
from django.core.management import call_command

from interop.fhir.registry import RESOURCE_TYPES

from .validation import validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_clinic():
    call_command("seed_demo", patients=30, stdout=StringIO())


def test_every_resource_type_is_made_from_the_demo_clinic_and_validates(demo_clinic):
    problems, counts = [], {}
    for key, resource in RESOURCE_TYPES.items():
        for row in resource.rows(None):
            emitted = resource.to_fhir(row)
            counts[key] = counts.get(key, 0) + 1
            assert emitted["resourceType"] == resource.name
            assert emitted["id"] == resource.fhir_id(row)
            try:
                validate(emitted)
            except Exception as error:  # collect them all, to name every failing type at once
                problems.append(f"{key} {emitted['id']}: {str(error)[:300]}")
    assert problems == []
    # The demo records no allergies; test_conditions.py makes AllergyIntolerance from factory data.
    assert set(counts) == set(RESOURCE_TYPES) - {"AllergyIntolerance"}
