"""Patient.has_active_lead, kept by the database: true when a care-team member of the patient who still works
here (an active staff account) is marked lead.

Three rules keep it true whatever writes the rows (a service, the admin, a bulk insert, a test factory):
- any insert or update of a patient recomputes it, so a stale copy saved back from memory cannot undo it;
- any change to care-team rows touches the patients concerned (one statement per change, so a bulk insert
  of 150,000 rows updates each patient once), which recomputes it by the first rule;
- a staff account switched on or off touches the patients it leads.
Then every existing patient is recomputed once.
"""

from django.db import migrations

ACTIVE_LEAD = (
    "EXISTS (SELECT 1 FROM clinic_careteammember t JOIN clinic_user u ON u.id = t.member_id "
    "WHERE t.patient_id = {id} AND t.is_lead AND u.is_active)"
)
TOUCH = "UPDATE patients_patient SET has_active_lead = has_active_lead WHERE id IN ({ids});"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION patient_keep_has_active_lead() RETURNS trigger AS $$
BEGIN
    NEW.has_active_lead := {ACTIVE_LEAD.format(id="NEW.id")};
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER patient_has_active_lead_kept BEFORE INSERT OR UPDATE ON patients_patient
    FOR EACH ROW EXECUTE FUNCTION patient_keep_has_active_lead();

CREATE OR REPLACE FUNCTION care_team_touch_patients() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {TOUCH.format(ids="SELECT patient_id FROM changed_new")}
    ELSIF TG_OP = 'DELETE' THEN
        {TOUCH.format(ids="SELECT patient_id FROM changed_old")}
    ELSE
        {TOUCH.format(ids="SELECT patient_id FROM changed_new UNION SELECT patient_id FROM changed_old")}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER care_team_inserted AFTER INSERT ON clinic_careteammember REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION care_team_touch_patients();
CREATE TRIGGER care_team_updated AFTER UPDATE ON clinic_careteammember
    REFERENCING NEW TABLE AS changed_new OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION care_team_touch_patients();
CREATE TRIGGER care_team_deleted AFTER DELETE ON clinic_careteammember REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION care_team_touch_patients();

CREATE OR REPLACE FUNCTION staff_touch_led_patients() RETURNS trigger AS $$
BEGIN
    {TOUCH.format(ids="SELECT patient_id FROM clinic_careteammember WHERE member_id = NEW.id AND is_lead")}
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER staff_active_changed AFTER UPDATE OF is_active ON clinic_user
    FOR EACH ROW WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active) EXECUTE FUNCTION staff_touch_led_patients();

UPDATE patients_patient SET has_active_lead = has_active_lead;
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS staff_active_changed ON clinic_user;
DROP FUNCTION IF EXISTS staff_touch_led_patients();
DROP TRIGGER IF EXISTS care_team_inserted ON clinic_careteammember;
DROP TRIGGER IF EXISTS care_team_updated ON clinic_careteammember;
DROP TRIGGER IF EXISTS care_team_deleted ON clinic_careteammember;
DROP FUNCTION IF EXISTS care_team_touch_patients();
DROP TRIGGER IF EXISTS patient_has_active_lead_kept ON patients_patient;
DROP FUNCTION IF EXISTS patient_keep_has_active_lead();
"""


def sqlite_recompute(where: str) -> str:
    """SQLite (the embedded demo) has row triggers only, and a BEFORE trigger cannot change the row: set it."""
    return (
        f"UPDATE patients_patient SET has_active_lead = {ACTIVE_LEAD.format(id='patients_patient.id')} WHERE {where};"
    )


LED_BY_NEW = "id IN (SELECT patient_id FROM clinic_careteammember WHERE member_id = NEW.id AND is_lead)"
SQLITE_UP = [
    "CREATE TRIGGER patient_has_active_lead_inserted AFTER INSERT ON patients_patient "
    f"BEGIN {sqlite_recompute('id = NEW.id')} END;",
    # Recursive triggers are off in SQLite: the UPDATE inside does not fire this trigger again.
    "CREATE TRIGGER patient_has_active_lead_updated AFTER UPDATE ON patients_patient "
    f"WHEN NEW.has_active_lead IS NOT {ACTIVE_LEAD.format(id='NEW.id')} BEGIN {sqlite_recompute('id = NEW.id')} END;",
    "CREATE TRIGGER care_team_inserted AFTER INSERT ON clinic_careteammember "
    f"BEGIN {sqlite_recompute('id = NEW.patient_id')} END;",
    "CREATE TRIGGER care_team_updated AFTER UPDATE ON clinic_careteammember "
    f"BEGIN {sqlite_recompute('id IN (OLD.patient_id, NEW.patient_id)')} END;",
    "CREATE TRIGGER care_team_deleted AFTER DELETE ON clinic_careteammember "
    f"BEGIN {sqlite_recompute('id = OLD.patient_id')} END;",
    f"CREATE TRIGGER staff_active_changed AFTER UPDATE OF is_active ON clinic_user BEGIN {sqlite_recompute(LED_BY_NEW)} END;",
    sqlite_recompute("1 = 1"),
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "patient_has_active_lead_inserted",
        "patient_has_active_lead_updated",
        "care_team_inserted",
        "care_team_updated",
        "care_team_deleted",
        "staff_active_changed",
    )
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0011_urgent_task_indexes"),
        ("patients", "0012_patient_has_active_lead"),
    ]

    operations = [
        migrations.RunPython(
            run({"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP}),
            run({"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN}),
        )
    ]
