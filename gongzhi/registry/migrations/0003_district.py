"""The district tier: ``District`` above streets. Each street's district name becomes one District row."""

from django.db import migrations, models
import django.db.models.deletion


def districts_from_names(apps, schema_editor):
    District = apps.get_model("registry", "District")
    Street = apps.get_model("registry", "Street")
    for street in Street.objects.exclude(district_name=""):
        district, _ = District.objects.get_or_create(
            name=street.district_name, defaults={"is_demo": street.is_demo}
        )
        street.district = district
        street.save(update_fields=["district"])


def names_from_districts(apps, schema_editor):
    Street = apps.get_model("registry", "Street")
    for street in Street.objects.select_related("district"):
        street.district_name = street.district.name if street.district_id else ""
        street.save(update_fields=["district_name"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_committee_election")]

    operations = [
        migrations.CreateModel(
            name="District",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=60, unique=True, verbose_name="区名称")),
                ("is_demo", models.BooleanField(default=False, verbose_name="演示数据")),
            ],
            options={"verbose_name": "区", "verbose_name_plural": "区", "ordering": ["name"]},
        ),
        migrations.RenameField("street", "district", "district_name"),
        migrations.AddField(
            model_name="street",
            name="district",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="streets",
                to="registry.district",
                verbose_name="所属区",
            ),
        ),
        migrations.RunPython(districts_from_names, names_from_districts),
        migrations.RemoveField("street", "district_name"),
    ]
