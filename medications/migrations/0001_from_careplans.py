"""The medications app takes over the medication and opioid-safety models from careplans (careplans 0005).

State only (``database_operations=[]``): the models are created in this app's state with the tables,
indexes and constraints they already have (``db_table = "careplans_<model>"``, the same index names), so no
row moves and nothing is locked. On a new database careplans 0003 created the tables; on an existing one
they are there with their rows. The content types follow in 0002.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("careplans", "0005_medications_move_to_their_own_app"),
        ("patients", "0007_intake_and_chart"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AgreementPolicy",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("version", models.PositiveIntegerField(unique=True)),
                        ("sections", models.JSONField(default=list)),
                        ("drug_screen_every_days", models.PositiveSmallIntegerField(default=365)),
                        ("pdmp_every_days", models.PositiveSmallIntegerField(default=90)),
                        ("agreement_review_every_days", models.PositiveSmallIntegerField(default=365)),
                        ("taper_reason_above_mme", models.DecimalField(decimal_places=2, default=50, max_digits=7)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "agreement policies",
                        "db_table": "careplans_agreementpolicy",
                        "ordering": ["-version"],
                    },
                ),
                migrations.CreateModel(
                    name="Medication",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("drug_code", models.CharField(max_length=40)),
                        ("drug_class", models.CharField(max_length=20)),
                        ("strength", models.DecimalField(decimal_places=3, max_digits=8)),
                        ("strength_unit", models.CharField(default="mg", max_length=10)),
                        (
                            "form",
                            models.CharField(
                                choices=[
                                    ("tablet", "Tablet"),
                                    ("capsule", "Capsule"),
                                    ("extended_release", "Extended-release tablet or capsule"),
                                    ("patch", "Patch"),
                                    ("liquid", "Liquid"),
                                    ("injection", "Injection"),
                                    ("other", "Other"),
                                ],
                                default="tablet",
                                max_length=20,
                            ),
                        ),
                        ("units_per_dose", models.DecimalField(decimal_places=2, default=1, max_digits=6)),
                        ("doses_per_day", models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True)),
                        ("is_prn", models.BooleanField(default=False, verbose_name="as needed (PRN)")),
                        (
                            "prn_max_doses_per_day",
                            models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True),
                        ),
                        ("outside_prescriber", models.CharField(blank=True, max_length=200)),
                        ("started_on", models.DateField(blank=True, null=True)),
                        ("stopped_on", models.DateField(blank=True, null=True)),
                        ("stop_reason", models.TextField(blank=True)),
                        ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason for use")),
                        ("pain_type_targeted", models.CharField(blank=True, max_length=20)),
                        ("benefit", models.TextField(blank=True, verbose_name="benefit noted")),
                        ("side_effects", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("version", models.PositiveIntegerField(default=1)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="medications",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "prescriber",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_medication",
                    },
                ),
                migrations.CreateModel(
                    name="MedicationChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("added", "Added"),
                                    ("changed", "Changed"),
                                    ("stopped", "Stopped"),
                                    ("annotated", "Annotated"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        ("before", models.JSONField(blank=True, default=dict)),
                        ("after", models.JSONField(blank=True, default=dict)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "medication",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="changes",
                                to="medications.medication",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_medicationchange",
                        "ordering": ["-at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="MedicationEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("early_refill", "Early refill request"),
                                    ("lost_or_stolen", "Lost or stolen medication"),
                                    ("self_escalation", "Took more than prescribed"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("on", models.DateField(default=django.utils.timezone.localdate)),
                        ("note", models.TextField(blank=True)),
                        ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="medication_events",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_medicationevent",
                    },
                ),
                migrations.CreateModel(
                    name="MonitoringPlan",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("supply_days", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("drug_screen_every_days", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("pdmp_every_days", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("reason", models.TextField()),
                        ("decided_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "decided_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="monitoring_plan",
                                to="patients.patient",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_monitoringplan",
                    },
                ),
                migrations.CreateModel(
                    name="NaloxoneRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("offered", "Offered"),
                                    ("prescribed", "Prescribed"),
                                    ("declined", "Declined"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("on", models.DateField(default=django.utils.timezone.localdate)),
                        ("note", models.TextField(blank=True)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="naloxone_records",
                                to="patients.patient",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_naloxonerecord",
                    },
                ),
                migrations.CreateModel(
                    name="OpioidFlagAcknowledgement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("flag", models.CharField(max_length=30)),
                        ("reason", models.TextField()),
                        ("review_on", models.DateField()),
                        ("mme_at_the_time", models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="opioid_flag_acks",
                                to="patients.patient",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_opioidflagacknowledgement",
                    },
                ),
                migrations.CreateModel(
                    name="OpioidTrial",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("started_on", models.DateField(default=django.utils.timezone.localdate)),
                        ("review_on", models.DateField()),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                        ("function_vs_goals", models.TextField(blank=True)),
                        ("benefit_documented", models.BooleanField(blank=True, null=True)),
                        (
                            "decision",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("continue", "Continue"),
                                    ("adjust", "Adjust"),
                                    ("taper", "Taper"),
                                    ("stop", "Stop"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("decision_reason", models.TextField(blank=True)),
                        (
                            "goals",
                            models.ManyToManyField(blank=True, related_name="opioid_trials", to="careplans.goal"),
                        ),
                        (
                            "medication",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="trials",
                                to="medications.medication",
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="opioid_trials",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "started_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_opioidtrial",
                    },
                ),
                migrations.CreateModel(
                    name="PdmpCheck",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("checked_on", models.DateField()),
                        ("findings", models.TextField(blank=True)),
                        ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="pdmp_checks",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_pdmpcheck",
                    },
                ),
                migrations.CreateModel(
                    name="TaperPlan",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("starting_regimen", models.JSONField(default=list)),
                        ("starting_mme", models.DecimalField(decimal_places=2, max_digits=8)),
                        ("rate_percent", models.DecimalField(decimal_places=2, default=10, max_digits=5)),
                        (
                            "period",
                            models.CharField(
                                choices=[("month", "per month"), ("week", "per week")], default="month", max_length=6
                            ),
                        ),
                        ("target_mme", models.DecimalField(decimal_places=2, default=0, max_digits=8)),
                        ("schedule", models.JSONField(default=list)),
                        ("starts_on", models.DateField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("active", "Active"),
                                    ("paused", "Paused"),
                                    ("completed", "Completed"),
                                    ("stopped", "Stopped"),
                                ],
                                default="active",
                                max_length=10,
                            ),
                        ),
                        ("faster_reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("version", models.PositiveIntegerField(default=1)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="taper_plans",
                                to="patients.patient",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_taperplan",
                    },
                ),
                migrations.CreateModel(
                    name="TaperActual",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("on", models.DateField()),
                        ("mme", models.DecimalField(decimal_places=2, max_digits=8)),
                        ("note", models.TextField(blank=True)),
                        ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "taper",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="actuals",
                                to="medications.taperplan",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_taperactual",
                        "ordering": ["on", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="TreatmentAgreement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("signed_on", models.DateField()),
                        ("review_on", models.DateField()),
                        ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="treatment_agreements",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "policy",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="agreements",
                                to="medications.agreementpolicy",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_treatmentagreement",
                    },
                ),
                migrations.CreateModel(
                    name="DrugScreen",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("collected_on", models.DateField()),
                        ("expected_findings", models.TextField(blank=True)),
                        ("unexpected_findings", models.TextField(blank=True)),
                        ("action_taken", models.TextField(blank=True)),
                        ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="drug_screens",
                                to="patients.patient",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "careplans_drugscreen",
                        "indexes": [models.Index(fields=["patient", "-collected_on"], name="drug_screen_by_patient")],
                    },
                ),
                migrations.AddIndex(
                    model_name="medication",
                    index=models.Index(
                        condition=models.Q(("stopped_on__isnull", True)), fields=["patient"], name="medication_current"
                    ),
                ),
                migrations.AddIndex(
                    model_name="medication",
                    index=models.Index(fields=["patient", "-started_on"], name="medication_by_patient"),
                ),
                migrations.AddIndex(
                    model_name="medication",
                    index=models.Index(
                        condition=models.Q(("stopped_on__isnull", True)),
                        fields=["drug_class", "patient"],
                        name="medication_current_class",
                    ),
                ),
                migrations.AddIndex(
                    model_name="medicationchange",
                    index=models.Index(fields=["medication", "-at"], name="medication_change_by_line"),
                ),
                migrations.AddIndex(
                    model_name="medicationevent",
                    index=models.Index(fields=["patient", "-on"], name="medication_event_by_patient"),
                ),
                migrations.AddIndex(
                    model_name="naloxonerecord",
                    index=models.Index(fields=["patient", "-on"], name="naloxone_by_patient"),
                ),
                migrations.AddIndex(
                    model_name="opioidflagacknowledgement",
                    index=models.Index(fields=["patient", "flag", "-review_on"], name="opioid_flag_ack_by_patient"),
                ),
                migrations.AddIndex(
                    model_name="opioidtrial",
                    index=models.Index(fields=["patient", "-started_on"], name="opioid_trial_by_patient"),
                ),
                migrations.AddIndex(
                    model_name="opioidtrial",
                    index=models.Index(
                        condition=models.Q(("reviewed_at__isnull", True)),
                        fields=["review_on"],
                        name="opioid_trial_review_due",
                    ),
                ),
                migrations.AddIndex(
                    model_name="pdmpcheck",
                    index=models.Index(fields=["patient", "-checked_on"], name="pdmp_check_by_patient"),
                ),
                migrations.AddIndex(
                    model_name="taperplan",
                    index=models.Index(
                        condition=models.Q(("status", "active")), fields=["patient"], name="taper_active"
                    ),
                ),
                migrations.AddIndex(
                    model_name="treatmentagreement",
                    index=models.Index(fields=["patient", "-signed_on"], name="agreement_by_patient"),
                ),
            ],
            database_operations=[],
        ),
    ]
