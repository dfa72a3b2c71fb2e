"""The office forms of the ledgers: post an entry, reverse an entry (the rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.finance.models import Direction, DisclosurePlace, EvidenceKind, LedgerEntry


def _label(name: str):
    return LedgerEntry._meta.get_field(name).verbose_name


class PostForm(forms.Form):
    """One entry. ``amount`` stays text so that ``rules.parse_amount`` judges it (never a float)."""

    date = forms.DateField(
        label=_label("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    direction = forms.ChoiceField(label=_label("direction"), choices=Direction.choices)
    amount = forms.CharField(
        label=_label("amount"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    summary = forms.CharField(label=_label("summary"), max_length=200)
    category = forms.CharField(label=_label("category"), max_length=50, required=False)
    counterparty = forms.CharField(label=_label("counterparty"), max_length=100, required=False)
    reference = forms.CharField(
        label=_label("reference"),
        max_length=100,
        required=False,
        help_text=LedgerEntry._meta.get_field("reference").help_text,
    )
    project = forms.CharField(label=_label("project"), max_length=100, required=False)
    corrects = forms.CharField(
        label=_label("corrects"),
        max_length=21,
        required=False,
        help_text=_("仅在更正已公示期间的账目时填写，如 2025-01-01/2025-06-30；更正记录的日期须为今天。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=150)


class DisclosureForm(forms.Form):
    """A disclosure that was made: the period it covers, when and where it was posted."""

    period_start = forms.DateField(
        label=_("公示期间起"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("公示期间止"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    posted_on = forms.DateField(
        label=_("公示日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.ChoiceField(label=_("公示方式"), choices=DisclosurePlace.choices)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)
    attachment = forms.FileField(
        label=_("附件（PDF 或照片，可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posted_on"].initial = timezone.localdate


class ScheduleForm(forms.Form):
    interval_months = forms.IntegerField(label=_("公示周期（月）"), min_value=1, max_value=120)


class ProfileForm(forms.Form):
    initial_fund_amount = forms.CharField(
        label=_("维修资金初始金额（元）"),
        max_length=20,
        required=False,
        help_text=_("留空则取首期归集的合计"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    income_tops_up_fund = forms.BooleanField(label=_("公共收益主要用于补充维修资金"), required=False)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=EvidenceKind.choices)
    file = forms.FileField(
        label=_("文件（PDF 或照片）"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    dry_run = forms.BooleanField(label=_("只检查，不写入（试导入）"), required=False)
