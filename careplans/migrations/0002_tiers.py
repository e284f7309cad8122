"""The three tiers of stepped care, worded as issue 5 words them; clinics edit them in the admin."""

from django.db import migrations

TIERS = [
    (1, "Education and self-management", "Sleep, pacing and basic exercise."),
    (2, "Targeted rehabilitation and psychological therapies", "For example CBT and ACT."),
    (
        3,
        "Medications, procedures or an interdisciplinary programme",
        "For example a medication trial, a procedure, or the interdisciplinary pain programme.",
    ),
]


def add_tiers(apps, schema_editor):
    Tier = apps.get_model("careplans", "Tier")
    for number, name, description in TIERS:
        Tier.objects.get_or_create(number=number, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("careplans", "0001_care_plans")]
    operations = [migrations.RunPython(add_tiers, migrations.RunPython.noop)]
