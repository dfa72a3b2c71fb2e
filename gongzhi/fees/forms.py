"""Office forms of the fee app; amounts stay text so the rules judge them exactly (never floats)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.validators import DateWindowValidator
from gongzhi.fees.models import FeeBasis, FeeKind, FeeUnit
from gongzhi.fees.rules import MAX_HOUSEHOLDS, standard_date_window


class StandardForm(forms.Form):
    kind = forms.ChoiceField(label=_("收费项目"), choices=FeeKind.choices)
    label = forms.CharField(
        label=_("细目"), max_length=60, required=False, help_text=_("如“地面车位”“多层住宅”")
    )
    amount = forms.CharField(
        label=_("标准"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("最多 4 位小数"),
    )
    unit = forms.ChoiceField(label=_("计费单位"), choices=FeeUnit.choices)
    effective_from = forms.DateField(
        label=_("执行日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[
            DateWindowValidator(
                label=_("执行日期"),
                earliest=lambda: standard_date_window(timezone.localdate())[0],
                latest=lambda: standard_date_window(timezone.localdate())[1],
            )
        ],
    )
    basis = forms.ChoiceField(label=_("依据"), choices=FeeBasis.choices)
    basis_reference = forms.CharField(label=_("依据文号"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate


class CollectionForm(forms.Form):
    month = forms.CharField(
        label=_("月份"),
        max_length=10,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("如 2024-03"),
    )
    billed = forms.CharField(
        label=_("应收金额(元)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    collected = forms.CharField(
        label=_("实收金额(元)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    households_billed = forms.IntegerField(
        label=_("应缴户数"), min_value=0, max_value=MAX_HOUSEHOLDS, required=False
    )
    households_paid = forms.IntegerField(
        label=_("已缴户数"), min_value=0, max_value=MAX_HOUSEHOLDS, required=False
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    replace = forms.BooleanField(label=_("替换已登记的数据"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件(.xlsx)"))
    replace = forms.BooleanField(label=_("替换已登记的数据"), required=False)
    dry_run = forms.BooleanField(label=_("只检查,不导入"), required=False, initial=True)
