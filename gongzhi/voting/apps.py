from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "gongzhi.voting"
    verbose_name = _("业主表决")
