"""The moved models' content types follow them: app label careplans -> medications.

A content type names a model by app label and model name; its permissions (``careplans.view_medication`` ...,
and the groups that hold them) and anything generic that points at it hang on its id. Renaming the row in place
keeps the id, so those follow; creating new rows (what Django's post-migrate step would do for the new label)
would leave them behind on stale rows. A row already under the new label (a database that ran the post-migrate
step in between) is left alone and the old one stays for ``remove_stale_contenttypes``: nothing is merged or
deleted here. Reversible (medications -> careplans).
"""

from django.db import migrations

MODELS = (
    "medication",
    "medicationchange",
    "opioidflagacknowledgement",
    "naloxonerecord",
    "opioidtrial",
    "agreementpolicy",
    "treatmentagreement",
    "drugscreen",
    "pdmpcheck",
    "medicationevent",
    "monitoringplan",
    "taperplan",
    "taperactual",
)


def relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=new, model__in=MODELS).values_list("model", flat=True))
    ContentType.objects.filter(app_label=old, model__in=set(MODELS) - taken).update(app_label=new)


def forwards(apps, schema_editor):
    relabel(apps, "careplans", "medications")


def backwards(apps, schema_editor):
    relabel(apps, "medications", "careplans")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("medications", "0001_from_careplans"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
