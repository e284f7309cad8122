"""The route of a medication line. Lines written before it are filled from their form, by the mapping frozen
below (medications.rules.routes.route_from_form said the same when this was written): a patch is transdermal, a
tablet, capsule, extended-release tablet or liquid is oral; an injection or "other" stays "not recorded" rather
than a guess between intravenous, intramuscular and subcutaneous. Set-based: one UPDATE per route."""

from django.db import migrations, models

ORAL_FORMS = ("tablet", "capsule", "extended_release", "liquid")


def fill_from_form(apps, schema_editor):
    Medication = apps.get_model("medications", "Medication")
    Medication.objects.filter(form="patch").update(route="transdermal")
    Medication.objects.filter(form__in=ORAL_FORMS).update(route="oral")


class Migration(migrations.Migration):
    dependencies = [
        ("medications", "0004_taper_doses"),
    ]

    operations = [
        migrations.AddField(
            model_name="medication",
            name="route",
            field=models.CharField(
                choices=[
                    ("oral", "Oral (by mouth)"),
                    ("sublingual_buccal", "Sublingual or buccal"),
                    ("transdermal", "Transdermal (through the skin)"),
                    ("topical", "Topical (on the skin)"),
                    ("intravenous", "Intravenous"),
                    ("intramuscular", "Intramuscular"),
                    ("subcutaneous", "Subcutaneous"),
                    ("intranasal", "Intranasal"),
                    ("rectal", "Rectal"),
                    ("inhaled", "Inhaled"),
                    ("other", "Other"),
                    ("not_recorded", "Not recorded"),
                ],
                default="not_recorded",
                max_length=20,
            ),
        ),
        # Going back drops the column, so there is nothing to undo.
        migrations.RunPython(fill_from_form, migrations.RunPython.noop),
    ]
