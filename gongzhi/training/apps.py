from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "gongzhi.training"
    verbose_name = _("以考促学")
