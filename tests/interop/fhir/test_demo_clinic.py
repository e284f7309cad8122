"""The demo clinic (seed_demo, as tests/demo/ runs it): every resource type the registry lists that the demo has
data for is produced, and every resource validates with the fhir.resources R4B models."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from interop.fhir.registry import RESOURCE_TYPES, find, type_names
from patients.models import Patient

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


def test_every_row_is_found_again_by_its_type_and_fhir_id(demo_clinic):
    for key, resource in RESOURCE_TYPES.items():
        for row in resource.rows(None)[:3]:
            found = find(resource.name, resource.fhir_id(row), None)
            assert found is not None and found.pk == row.pk, key
            if resource.patient_of is not None:
                patient = resource.patient_of(row)
                mine = Patient.objects.filter(pk=patient.pk)
                others = Patient.objects.exclude(pk=patient.pk)
                assert find(resource.name, resource.fhir_id(row), mine).pk == row.pk, key
                assert find(resource.name, resource.fhir_id(row), others) is None, key


def test_fhir_export_of_the_demo_clinic_validates_line_by_line(demo_clinic, tmp_path):
    printed = StringIO()
    call_command("fhir_export", "--out", str(tmp_path), "--by", "ingrid.larsen", stdout=printed)
    names = {path.stem for path in tmp_path.glob("*.ndjson")}
    assert names == set(type_names()) - {"AllergyIntolerance"}  # the demo records no allergies
    for path in tmp_path.glob("*.ndjson"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert f"{path.stem}: {len(lines)}" in printed.getvalue()
        for line in lines:
            validate(json.loads(line))


def test_provenance_ids_stay_the_same_whatever_filter_is_added_to_the_rows(demo_clinic):
    later_steps = 0
    for key, resource in RESOURCE_TYPES.items():
        if resource.name != "Provenance":
            continue
        rows = list(resource.rows(None))
        assert len({resource.fhir_id(row) for row in rows}) == len(rows), key
        for row in [row for row in rows if row.history_number > 1][:3]:  # a later step of some history
            later_steps += 1
            (alone,) = resource.rows(None).filter(pk=row.pk)
            assert resource.fhir_id(alone) == resource.fhir_id(row), key
    assert later_steps
