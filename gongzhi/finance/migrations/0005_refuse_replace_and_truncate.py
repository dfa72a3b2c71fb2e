"""Close the SQL paths around the append-only triggers of 0002 (issue 11, hole 5).

SQLite: ``INSERT OR REPLACE`` / ``REPLACE INTO`` resolve a unique conflict by deleting the old row, and that
delete fires no DELETE trigger (unless ``recursive_triggers`` is on, a per-connection setting nobody can be
made to keep), so the last entry could be rewritten with a recomputed hash. A BEFORE INSERT trigger refuses
any insert that would collide with a stored entry on any unique key (id, position, predecessor, hash, the
entry it reverses); an ordinary append collides with nothing. Migration 0004 rebuilt the table on SQLite
(ADD COLUMN NOT NULL), which drops its triggers, so the 0002 triggers are recreated here as well.

PostgreSQL: row triggers do not see ``TRUNCATE``; a statement trigger refuses it while the table holds
entries (an empty table may still be truncated, as the test runner's flush does).
"""

import importlib

from django.db import migrations

TABLE = "finance_ledgerentry"
_APPEND_ONLY = importlib.import_module("gongzhi.finance.migrations.0002_append_only_triggers")

SQL = {
    "postgresql": {
        "create": [
            f"""
            CREATE OR REPLACE FUNCTION {TABLE}_no_truncate() RETURNS trigger AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM {TABLE}) THEN
                    RAISE EXCEPTION USING
                        MESSAGE = 'ledger entries are append-only (TRUNCATE refused)',
                        ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql;
            """,
            f"""
            CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_no_truncate();
            """,
        ],
        "drop": [
            f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
            f"DROP FUNCTION IF EXISTS {TABLE}_no_truncate();",
        ],
    },
    "sqlite": {
        "create": [
            f"""
            CREATE TRIGGER {TABLE}_no_replace BEFORE INSERT ON {TABLE}
            WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id)
              OR EXISTS (SELECT 1 FROM {TABLE}
                         WHERE estate_id = NEW.estate_id AND ledger = NEW.ledger AND seq = NEW.seq)
              OR EXISTS (SELECT 1 FROM {TABLE}
                         WHERE estate_id = NEW.estate_id AND ledger = NEW.ledger AND prev_hash = NEW.prev_hash)
              OR EXISTS (SELECT 1 FROM {TABLE} WHERE hash = NEW.hash)
              OR (NEW.reverses_id IS NOT NULL
                  AND EXISTS (SELECT 1 FROM {TABLE} WHERE reverses_id = NEW.reverses_id))
            BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only (INSERT over a stored entry refused)'); END;
            """,
        ],
        "drop": [f"DROP TRIGGER IF EXISTS {TABLE}_no_replace;"],
    },
}


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in SQL:
        raise NotImplementedError(f"no append-only triggers for {vendor}")
    if vendor == "sqlite":
        # Rebuilt by 0004: put the UPDATE/DELETE guards back exactly as 0002 wrote them.
        for statement in _APPEND_ONLY.SQL["sqlite"]["drop"] + _APPEND_ONLY.SQL["sqlite"]["create"]:
            schema_editor.execute(statement, params=None)
    for statement in SQL[vendor]["create"]:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    for statement in SQL[schema_editor.connection.vendor]["drop"]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("finance", "0004_ledgerentry_corrects_period")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
