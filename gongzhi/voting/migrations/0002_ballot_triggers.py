"""Database triggers that keep the count honest (docs/DESIGN.md §5; issue 5):

- ``voting_ballotcast`` (the log of every cast) refuses UPDATE: a cast, once made, is never edited;
- ``voting_ballot`` and ``voting_ballotcast`` accept INSERT (and ``voting_ballot`` UPDATE) only while
  the decision is published, so no ballot changes after the count — whatever the client.

DELETE stays possible for the cascade of a decision (a draft, or the demo street's reset): the services
never delete a published decision. The model and its QuerySet refuse edits of casts too.
"""

from django.db import migrations

SQL = {
    "postgresql": {
        "create": [
            """
            CREATE OR REPLACE FUNCTION voting_ballotcast_no_update() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION USING
                    MESSAGE = 'ballot casts are append-only (UPDATE refused)',
                    ERRCODE = 'integrity_constraint_violation';
            END;
            $$ LANGUAGE plpgsql;
            """,
            """
            CREATE TRIGGER voting_ballotcast_no_update BEFORE UPDATE ON voting_ballotcast
            FOR EACH ROW EXECUTE FUNCTION voting_ballotcast_no_update();
            """,
            """
            CREATE OR REPLACE FUNCTION voting_ballot_while_published() RETURNS trigger AS $$
            BEGIN
                IF (SELECT status FROM voting_decision WHERE id = NEW.decision_id) IS DISTINCT FROM 'published' THEN
                    RAISE EXCEPTION USING
                        MESSAGE = 'ballots change only while the decision is published (' || TG_OP || ' refused)',
                        ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql;
            """,
            """
            CREATE TRIGGER voting_ballot_while_published BEFORE INSERT OR UPDATE ON voting_ballot
            FOR EACH ROW EXECUTE FUNCTION voting_ballot_while_published();
            """,
            """
            CREATE TRIGGER voting_ballotcast_while_published BEFORE INSERT ON voting_ballotcast
            FOR EACH ROW EXECUTE FUNCTION voting_ballot_while_published();
            """,
        ],
        "drop": [
            "DROP TRIGGER IF EXISTS voting_ballotcast_while_published ON voting_ballotcast;",
            "DROP TRIGGER IF EXISTS voting_ballot_while_published ON voting_ballot;",
            "DROP TRIGGER IF EXISTS voting_ballotcast_no_update ON voting_ballotcast;",
            "DROP FUNCTION IF EXISTS voting_ballot_while_published();",
            "DROP FUNCTION IF EXISTS voting_ballotcast_no_update();",
        ],
    },
    "sqlite": {
        "create": [
            """
            CREATE TRIGGER voting_ballotcast_no_update BEFORE UPDATE ON voting_ballotcast
            BEGIN SELECT RAISE(ABORT, 'ballot casts are append-only (UPDATE refused)'); END;
            """,
            """
            CREATE TRIGGER voting_ballot_insert_while_published BEFORE INSERT ON voting_ballot
            WHEN (SELECT status FROM voting_decision WHERE id = NEW.decision_id) IS NOT 'published'
            BEGIN SELECT RAISE(ABORT, 'ballots change only while the decision is published (INSERT refused)'); END;
            """,
            """
            CREATE TRIGGER voting_ballot_update_while_published BEFORE UPDATE ON voting_ballot
            WHEN (SELECT status FROM voting_decision WHERE id = NEW.decision_id) IS NOT 'published'
            BEGIN SELECT RAISE(ABORT, 'ballots change only while the decision is published (UPDATE refused)'); END;
            """,
            """
            CREATE TRIGGER voting_ballotcast_insert_while_published BEFORE INSERT ON voting_ballotcast
            WHEN (SELECT status FROM voting_decision WHERE id = NEW.decision_id) IS NOT 'published'
            BEGIN SELECT RAISE(ABORT, 'ballots change only while the decision is published (INSERT refused)'); END;
            """,
        ],
        "drop": [
            "DROP TRIGGER IF EXISTS voting_ballotcast_insert_while_published;",
            "DROP TRIGGER IF EXISTS voting_ballot_update_while_published;",
            "DROP TRIGGER IF EXISTS voting_ballot_insert_while_published;",
            "DROP TRIGGER IF EXISTS voting_ballotcast_no_update;",
        ],
    },
}


def _run(schema_editor, action: str) -> None:
    statements = SQL.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(f"no ballot triggers for {schema_editor.connection.vendor}")
    for statement in statements[action]:
        schema_editor.execute(statement, params=None)  # None: no placeholder parsing of the SQL


def create_triggers(apps, schema_editor):
    _run(schema_editor, "create")


def drop_triggers(apps, schema_editor):
    _run(schema_editor, "drop")


class Migration(migrations.Migration):
    dependencies = [("voting", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
