"""Seal the choices already cast and store the anonymised ballot file of decisions already closed
(docs/VOTING_RULES.md §3a, §6; issue 11). The ballot triggers of 0002 refuse updates of casts and of
closed decisions' ballots, so they are lifted for this one rewrite and put back."""

import importlib
import secrets

from django.db import migrations

from gongzhi.voting.rules import anonymised_ballot_file
from gongzhi.voting.sealing import seal


def _triggers():
    return importlib.import_module("gongzhi.voting.migrations.0002_ballot_triggers")


def seal_existing(apps, schema_editor):
    triggers = _triggers()
    triggers._run(schema_editor, "drop")
    for name in ("Ballot", "BallotCast"):
        model = apps.get_model("voting", name)
        for row in model.objects.filter(seal="").iterator():
            row.seal = seal(
                decision_id=row.decision_id, voter_id=row.voter_id, receipt=row.receipt, choice=row.choice
            )
            row.save(update_fields=["seal"])
    Decision = apps.get_model("voting", "Decision")
    for decision in Decision.objects.filter(result__isnull=False, ballot_file__isnull=True).iterator():
        decision.ballot_file = anonymised_ballot_file(decision.result, rng=secrets.SystemRandom())
        decision.save(update_fields=["ballot_file"])
    triggers._run(schema_editor, "create")


class Migration(migrations.Migration):
    dependencies = [("voting", "0003_ballot_seal_and_file")]

    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
