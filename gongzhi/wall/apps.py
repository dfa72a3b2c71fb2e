from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WallConfig(AppConfig):
    name = "gongzhi.wall"
    verbose_name = _("挂图作战")
