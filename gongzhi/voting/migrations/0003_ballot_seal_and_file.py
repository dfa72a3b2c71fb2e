"""Ballots keep their choice sealed (``seal``; voting.sealing) and a closed decision keeps its anonymised
ballot file (docs/VOTING_RULES.md §3a, §6; issue 11). Schema only: 0004 seals the existing choices,
0005 removes the plain ``choice`` columns."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("voting", "0002_ballot_triggers")]

    operations = [
        migrations.AddField(
            model_name="ballot",
            name="seal",
            field=models.CharField(default="", max_length=64, verbose_name="密封的表决意见"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="ballotcast",
            name="seal",
            field=models.CharField(default="", max_length=64, verbose_name="密封的表决意见"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="decision",
            name="ballot_file",
            field=models.JSONField(blank=True, null=True, verbose_name="匿名表决票文件"),
        ),
    ]
