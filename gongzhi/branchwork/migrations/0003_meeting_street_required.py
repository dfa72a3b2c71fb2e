"""Every meeting has its street (filled in 0002): the door's path for branch and body meetings."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("branchwork", "0002_street_bodies_plan"),
    ]

    operations = [
        migrations.AlterField(
            model_name="meeting",
            name="street",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.street",
                verbose_name="街道",
            ),
        ),
    ]
