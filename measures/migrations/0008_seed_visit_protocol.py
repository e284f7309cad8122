"""The clinic's default visit protocol line (measures.visits.DEFAULT_VISIT_PROTOCOL, copied here so this migration
never changes with the code): 3 days before a follow-up (in person or by video), the PEG and whatever the interval
schedule has due by the day of the visit. The app's own choice, not a clinical reference; clinic admins edit it."""

from django.db import migrations

DEFAULT_LINE = {
    "name": "Before a follow-up visit",
    "days_before": 3,
    "instrument_codes": ["peg"],
    "appointment_kinds": ["follow_up", "telehealth"],
    "with_due_schedules": True,
}


def seed(apps, schema_editor):
    VisitProtocol = apps.get_model("measures", "VisitProtocol")
    if not VisitProtocol.objects.filter(name=DEFAULT_LINE["name"]).exists():
        VisitProtocol.objects.create(**DEFAULT_LINE)


class Migration(migrations.Migration):
    dependencies = [("measures", "0007_visit_protocol")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
