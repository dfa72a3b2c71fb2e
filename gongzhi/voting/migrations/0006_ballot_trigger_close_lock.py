"""The ballot trigger takes the decision's close lock (issue 17; docs/VOTING_RULES.md §4).

Before, every ballot re-read its decision under ``SELECT … FOR SHARE`` so that a concurrent close
(``FOR UPDATE``) waited for it: two statements per ballot, and a row lock that every one of thousands
of concurrent ballots shares on one row (each new sharer rewrites the row's lock list). Now the trigger
that already refuses ballot rows of a decision that is not published takes a shared *advisory* lock on
the decision first (kept in the lock table, no row is touched), in the INSERT or UPDATE that writes the
ballot, and only then reads the status; ``services.decision_close`` takes the same lock exclusively
before it reads anything. A VOLATILE trigger function reads with a fresh snapshot per statement, so a
ballot that waited for a close sees the status ``closed`` and is refused; a close that waited for
ballots counts them. The lock's key is (oid of voting_decision, decision id).

SQLite serialises writers, so its triggers (0002) stay as they are.
"""

from django.db import migrations

LOCKED = """
CREATE OR REPLACE FUNCTION voting_ballot_while_published() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared('voting_decision'::regclass::oid::int, NEW.decision_id::int);
    IF (SELECT status FROM voting_decision WHERE id = NEW.decision_id) IS DISTINCT FROM 'published' THEN
        RAISE EXCEPTION USING
            MESSAGE = 'ballots change only while the decision is published (' || TG_OP || ' refused)',
            ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql VOLATILE;
"""

UNLOCKED = """
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
"""


def _replace(schema_editor, body: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(body, params=None)  # None: no placeholder parsing of the SQL


def lock_in_trigger(apps, schema_editor):
    _replace(schema_editor, LOCKED)


def unlock_trigger(apps, schema_editor):
    _replace(schema_editor, UNLOCKED)


class Migration(migrations.Migration):
    dependencies = [("voting", "0005_remove_plain_choice")]

    operations = [migrations.RunPython(lock_in_trigger, unlock_trigger)]
