from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "gongzhi.fees"
    verbose_name = _("物业费标准与收缴")
