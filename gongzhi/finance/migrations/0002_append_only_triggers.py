"""Database triggers that refuse UPDATE and DELETE of posted ledger entries (docs/DESIGN.md §4.4, §6).

The model and its QuerySet refuse too; these triggers also stop raw SQL, the admin and any other client.
"""

from django.db import migrations

TABLE = "finance_ledgerentry"

SQL = {
    "postgresql": {
        "create": [
            f"""
            CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION USING
                    MESSAGE = 'ledger entries are append-only (' || TG_OP || ' refused)',
                    ERRCODE = 'integrity_constraint_violation';
            END;
            $$ LANGUAGE plpgsql;
            """,
            f"""
            CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
            """,
        ],
        "drop": [
            f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
            f"DROP FUNCTION IF EXISTS {TABLE}_append_only();",
        ],
    },
    "sqlite": {
        "create": [
            f"""
            CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (UPDATE refused)'); END;
            """,
            f"""
            CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (DELETE refused)'); END;
            """,
        ],
        "drop": [
            f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
        ],
    },
}


def _run(schema_editor, action: str) -> None:
    statements = SQL.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(f"no append-only triggers for {schema_editor.connection.vendor}")
    for statement in statements[action]:
        schema_editor.execute(statement, params=None)  # None: no placeholder parsing of the SQL


def create_triggers(apps, schema_editor):
    _run(schema_editor, "create")


def drop_triggers(apps, schema_editor):
    _run(schema_editor, "drop")


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_ledger")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
