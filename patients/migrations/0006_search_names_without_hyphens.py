"""normalise() now reads hyphens as spaces ("Garcia-Lopez" = "Garcia Lopez"); recompute stored search names."""

from django.db import migrations

from patients.names import search_name


def refresh_search_names(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    batch = []
    for patient in Patient.objects.only("id", "given_name", "preferred_name", "family_name").iterator(chunk_size=5000):
        patient.search_name = search_name(
            given=patient.given_name, preferred=patient.preferred_name, family=patient.family_name
        )
        batch.append(patient)
        if len(batch) == 5000:
            Patient.objects.bulk_update(batch, ["search_name"])
            batch = []
    Patient.objects.bulk_update(batch, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [("patients", "0005_registry")]

    operations = [migrations.RunPython(refresh_search_names, migrations.RunPython.noop)]
