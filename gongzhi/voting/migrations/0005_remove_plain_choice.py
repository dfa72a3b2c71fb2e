"""Drop the plain ``choice`` columns: from now on no row pairs an owner with a readable choice
(docs/VOTING_RULES.md §3a; issue 11). SQLite rebuilds a table to drop a column, which drops its
triggers, so the ballot triggers of 0002 are created again afterwards (on both databases)."""

import importlib

from django.db import migrations


def recreate_triggers(apps, schema_editor):
    triggers = importlib.import_module("gongzhi.voting.migrations.0002_ballot_triggers")
    triggers._run(schema_editor, "drop")
    triggers._run(schema_editor, "create")


class Migration(migrations.Migration):
    dependencies = [("voting", "0004_ballot_seal_existing")]

    operations = [
        migrations.RemoveField(model_name="ballot", name="choice"),
        migrations.RemoveField(model_name="ballotcast", name="choice"),
        migrations.RunPython(recreate_triggers, migrations.RunPython.noop),
    ]
