"""Give the app's own database role exactly what the running app needs, and no more (run as the owner,
after `migrate`; safe to run again).

The app role reads and writes rows; it owns nothing, so it cannot TRUNCATE a table, ALTER TABLE ... DISABLE
TRIGGER, or drop anything; it is no superuser, so it cannot SET session_replication_role = replica to skip
the audit trigger. On the audit trail it may only SELECT and INSERT (the trigger refuses UPDATE and DELETE
for everyone; the grant refuses them first). Migrations run as the owner (DESIGN.md, "Security").
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from psycopg2 import sql

from audit.models import AuditEvent


def app_role_statements(*, role: str, database: str, audit_table: str) -> list[sql.Composable]:
    role_id, db_id, audit_id = sql.Identifier(role), sql.Identifier(database), sql.Identifier(audit_table)
    return [
        sql.SQL("ALTER ROLE {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS LOGIN").format(role_id),
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(db_id, role_id),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role_id),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(role_id),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role_id),
        sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(audit_id, role_id),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(role_id),
    ]


class Command(BaseCommand):
    help = "Create (if missing) and grant the app's least-privilege database role. Run as the owner after migrate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", default=settings.APP_DATABASE_ROLE, help="The app's role (default: %(default)s).")

    def handle(self, *args, role: str, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The app role is a Postgres role; the embedded SQLite demo has none.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)).as_string(cursor.cursor))
            database = connection.settings_dict["NAME"]
            for statement in app_role_statements(role=role, database=database, audit_table=AuditEvent._meta.db_table):
                cursor.execute(statement.as_string(cursor.cursor))
        self.stdout.write(f"The app role {role} may read and write rows, and only add to the audit trail.")
