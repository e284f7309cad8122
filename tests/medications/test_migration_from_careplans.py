"""The move of the medication models from careplans to medications loses nothing (careplans 0005, medications 0001
and 0002): a database migrated to the state before the move, with a row in every medication table, is migrated
forward and every row is read through the new models, with the same ids, relations and tables; the content types
keep their ids under the new label, so the permissions (and the groups that hold them) follow.

The database goes back and forth with Django's MigrationExecutor, in a transactional test (the suite restores the
migrated rows afterwards); the migration is always taken forward again, even when an assertion fails.
"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from careplans.models import CarePlan, Goal, Tier
from medications import models as new
from tests.factories import PatientFactory, StaffFactory

BEFORE_THE_MOVE = [("careplans", "0004_sample_opioid_policy"), ("medications", None)]
# The move itself ends here; later medications migrations (new columns) are not part of it.
AFTER_THE_MOVE = [("medications", "0002_content_types_follow")]
TABLES = (
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
DAY = datetime.date(2026, 3, 2)


def migrate(targets):
    """Migrate the test database to ``targets`` (a fresh executor re-reads what is applied); the state reached."""
    state = MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()
    return state


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def schema():
    """Every medication table's columns, indexes and constraints, as the database has them."""
    with connection.cursor() as cursor:
        return {
            table: (
                [c.name for c in connection.introspection.get_table_description(cursor, table)],
                connection.introspection.get_constraints(cursor, table),
            )
            for table in [f"careplans_{name}" for name in TABLES] + ["careplans_opioidtrial_goals"]
        }


def write_one_of_each(apps, *, patient, staff, goal) -> dict:
    """One row in every medication table through the historical careplans models; their ids by model name."""

    def model(name):
        return apps.get_model("careplans", name)

    line = model("Medication").objects.create(
        patient_id=patient.id,
        drug_code="oxycodone_ir",
        drug_class="opioid",
        strength=Decimal(5),
        units_per_dose=Decimal(2),
        doses_per_day=Decimal(4),
        prescriber_id=staff.id,
        started_on=DAY,
    )
    trial = model("OpioidTrial").objects.create(
        patient_id=patient.id,
        medication=line,
        started_on=DAY,
        review_on=DAY + datetime.timedelta(days=14),
        started_by_id=staff.id,
    )
    trial.goals.add(goal.id)
    policy = model("AgreementPolicy").objects.create(version=7, sections=[{"heading": "About", "text": "Words."}])
    taper = model("TaperPlan").objects.create(
        patient_id=patient.id,
        starting_mme=Decimal(60),
        schedule=[{"on": DAY.isoformat(), "mme": "54.00", "note": ""}],
        starts_on=DAY,
        created_by_id=staff.id,
    )
    rows = {
        "medication": line,
        "opioidtrial": trial,
        "agreementpolicy": policy,
        "taperplan": taper,
        "medicationchange": model("MedicationChange").objects.create(
            medication=line, kind="added", after={"drug_code": "oxycodone_ir"}, by_id=staff.id
        ),
        "opioidflagacknowledgement": model("OpioidFlagAcknowledgement").objects.create(
            patient_id=patient.id, flag="naloxone", reason="Reviewed.", review_on=DAY, by_id=staff.id
        ),
        "naloxonerecord": model("NaloxoneRecord").objects.create(
            patient_id=patient.id, status="offered", on=DAY, by_id=staff.id
        ),
        "treatmentagreement": model("TreatmentAgreement").objects.create(
            patient_id=patient.id, policy=policy, signed_on=DAY, review_on=DAY, recorded_by_id=staff.id
        ),
        "drugscreen": model("DrugScreen").objects.create(
            patient_id=patient.id, collected_on=DAY, unexpected_findings="None.", recorded_by_id=staff.id
        ),
        "pdmpcheck": model("PdmpCheck").objects.create(patient_id=patient.id, checked_on=DAY, recorded_by_id=staff.id),
        "medicationevent": model("MedicationEvent").objects.create(
            patient_id=patient.id, kind="early_refill", on=DAY, recorded_by_id=staff.id
        ),
        "monitoringplan": model("MonitoringPlan").objects.create(
            patient_id=patient.id, supply_days=14, reason="Two early refills.", decided_by_id=staff.id
        ),
        "taperactual": model("TaperActual").objects.create(
            taper=taper, on=DAY, mme=Decimal(54), recorded_by_id=staff.id
        ),
    }
    return {name: row.pk for name, row in rows.items()}


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_through_the_new_models():
    patient = PatientFactory()
    staff = StaffFactory(username="dr.moved")
    plan = CarePlan.objects.create(patient=patient, lead=staff, tier=Tier.objects.order_by("number").first())
    goal = Goal.objects.create(
        plan=plan, words="Walk the dog", metric="walking_minutes", baseline=5, target=30, target_date=DAY
    )
    try:
        migrate(AFTER_THE_MOVE)
        schema_after_the_move = schema()
        old = migrate(BEFORE_THE_MOVE).apps
        assert schema() == schema_after_the_move  # the move back changed no table either
        ids = write_one_of_each(old, patient=patient, staff=staff, goal=goal)
        # Before the move the content types (and so the permissions) are under careplans.
        old_types = dict(ContentType.objects.filter(app_label="careplans", model__in=TABLES).values_list("model", "id"))
        assert set(old_types) == set(TABLES)
        reviewers = Group.objects.create(name="Medication reviewers")
        reviewers.permissions.add(
            Permission.objects.get(content_type_id=old_types["medication"], codename="view_medication")
        )
        migrate(AFTER_THE_MOVE)
        assert schema() == schema_after_the_move
    finally:
        migrate(latest())

    # Every row, through the new models, with its relations.
    line = new.Medication.objects.select_related("patient", "prescriber").get(pk=ids["medication"])
    assert (line.patient, line.prescriber, line.drug_code, line.strength) == (patient, staff, "oxycodone_ir", 5)
    assert [c.pk for c in line.changes.all()] == [ids["medicationchange"]]
    trial = new.OpioidTrial.objects.get(pk=ids["opioidtrial"])
    assert (trial.medication, list(trial.goals.all())) == (line, [goal])
    assert list(goal.opioid_trials.all()) == [trial]
    agreement = new.TreatmentAgreement.objects.get(pk=ids["treatmentagreement"])
    assert agreement.policy == new.AgreementPolicy.objects.get(pk=ids["agreementpolicy"], version=7)
    taper = new.TaperPlan.objects.get(pk=ids["taperplan"])
    assert [a.pk for a in taper.actuals.all()] == [ids["taperactual"]]
    assert patient.monitoring_plan.pk == ids["monitoringplan"]
    for name, model in (
        ("opioidflagacknowledgement", new.OpioidFlagAcknowledgement),
        ("naloxonerecord", new.NaloxoneRecord),
        ("drugscreen", new.DrugScreen),
        ("pdmpcheck", new.PdmpCheck),
        ("medicationevent", new.MedicationEvent),
    ):
        assert model.objects.get(pk=ids[name]).patient == patient
    # The content types kept their ids under the new label: the group's permission followed the model.
    for name in TABLES:
        moved = ContentType.objects.get_for_model(apps.get_model("medications", name))
        assert (moved.app_label, moved.id) == ("medications", old_types[name])
    assert not ContentType.objects.filter(app_label="careplans", model__in=TABLES).exists()
    held = reviewers.permissions.select_related("content_type").get()
    assert held.natural_key() == ("view_medication", "medications", "medication")


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    """No migration is missing (for example a model's db_table changed without one)."""
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())  # exits non-zero on a change
