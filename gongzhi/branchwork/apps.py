from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BranchworkConfig(AppConfig):
    name = "gongzhi.branchwork"
    verbose_name = _("支部工作")
