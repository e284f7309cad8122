"""Create the permission groups that roles and disciplines imply (clinic/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "Clinicians": ["patients.view_patient", "clinic.chart_clinical_notes"],
    "Coordinators": [
        "patients.view_patient",
        "patients.register_patient",
        "clinic.coordinate_care",
        "clinic.send_patient_links",
    ],
    "Clinic admins": [
        "patients.view_patient",
        "patients.register_patient",
        "patients.change_patient",
        "clinic.manage_staff",
        "clinic.view_user",
        "clinic.add_user",
        "clinic.change_user",
        "clinic.view_careteammember",
        "clinic.add_careteammember",
        "clinic.change_careteammember",
        "clinic.delete_careteammember",
        "clinic.view_outboxmessage",
        "audit.view_auditevent",
        "audit.view_access_report",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
    ],
    "Prescribers": ["clinic.prescribe_controlled_substances"],
    "Pharmacists": ["clinic.annotate_medications"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("patients", "0001_initial"),
        ("audit", "0001_initial"),
        ("axes", "0009_add_session_hash"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
