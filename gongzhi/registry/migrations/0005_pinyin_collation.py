"""The "pinyin" collation on PostgreSQL (ICU: Chinese by pinyin, numbers by value — 李 < 王 < 张,
2号楼 < 10号楼), for lists the database sorts and pages (core/ordering.pinyin_order). SQLite gets
a collation of the same name on each connection (core/apps.py); nothing to do there."""

from django.db import migrations

CREATE = "CREATE COLLATION IF NOT EXISTS pinyin (provider = icu, locale = 'zh-u-kn-true')"
DROP = "DROP COLLATION IF EXISTS pinyin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_company_groups")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
