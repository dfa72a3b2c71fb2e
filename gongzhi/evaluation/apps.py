from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "gongzhi.evaluation"
    verbose_name = _("测评与排名")
