"""The district admin's form: one round of campaigns for every street of the district."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class DistrictCampaignForm(forms.Form):
    name = forms.CharField(label=_("活动名称"), max_length=80)
    period_start = _date(_("考核期开始"))
    period_end = _date(_("考核期结束"))
    opens_on = _date(_("开始答卷"))
    closes_on = _date(_("截止答卷"))
    weight_survey = forms.DecimalField(
        label=_("居民测评权重（%）"), initial=Decimal("60"), max_digits=5, decimal_places=2
    )
    weight_inspection = forms.DecimalField(
        label=_("第三方检查权重（%）"), initial=Decimal("20"), max_digits=5, decimal_places=2
    )
    weight_branch = forms.DecimalField(
        label=_("支部考核权重（%）"), initial=Decimal("10"), max_digits=5, decimal_places=2
    )
    weight_problems = forms.DecimalField(
        label=_("问题整改权重（%）"), initial=Decimal("10"), max_digits=5, decimal_places=2
    )
