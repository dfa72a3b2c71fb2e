from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from gongzhi.core import lookups, signals  # noqa: F401  (the any_of lookup; login audit receivers)
        from gongzhi.core.ordering import register_sqlite_collation

        connection_created.connect(register_sqlite_collation, dispatch_uid="gongzhi.pinyin_collation")
