from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_outbox_held"),
    ]

    operations = [
        migrations.CreateModel(
            name="SweepRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80, unique=True)),
                (
                    "ran_for",
                    models.DateField(blank=True, help_text="The clinic's local date of the last run.", null=True),
                ),
                ("last_ran_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
    ]
