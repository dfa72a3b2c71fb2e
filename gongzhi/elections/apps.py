from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "gongzhi.elections"
    verbose_name = _("人选把关")
