# The top class of the ranking is relabelled 标杆候选 (a candidate list, not the title): choices only, so
# no SQL (sqlmigrate prints "(no-op)").

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0003_elimination_minimum_evidence'),
    ]

    operations = [
        migrations.AlterField(
            model_name='scoresnapshot',
            name='score_class',
            field=models.CharField(blank=True, choices=[('benchmark', '标杆候选'), ('keep', '保持'), ('improve', '提升'), ('elimination', '末位候选')], max_length=12, verbose_name='分类'),
        ),
    ]
