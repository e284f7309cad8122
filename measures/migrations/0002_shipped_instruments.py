"""Load the shipped instrument definitions (measures/instruments/*.json) into the database.

Only versions not yet present are added; a new version of an instrument ships as a new file.
"""

from django.db import migrations


def load_shipped(apps, schema_editor):
    import json

    from measures.definitions import INSTRUMENTS_DIR, load_definition

    Instrument = apps.get_model("measures", "Instrument")
    for path in sorted(INSTRUMENTS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        spec = load_definition(data)
        Instrument.objects.get_or_create(
            code=spec.code,
            version=spec.version,
            defaults={"name": spec.name, "definition": data, "checksum": spec.checksum, "shipped": True},
        )


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [migrations.RunPython(load_shipped, migrations.RunPython.noop)]
