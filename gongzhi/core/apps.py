from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongzhi.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from gongzhi.core import signals  # noqa: F401  (login audit receivers)
