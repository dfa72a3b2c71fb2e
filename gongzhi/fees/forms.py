"""Office forms of the fee app; amounts stay text so the rules judge them exactly (never floats)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core.validators import DateWindowValidator, IdMultipleChoiceField
from gongzhi.fees.models import FeeBasis, FeeKind, FeeUnit
from gongzhi.fees.rules import MAX_HOUSEHOLDS, standard_date_window
from gongzhi.registry.models import Estate


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
    basis = forms.ChoiceField(
        label=_("依据"),
        choices=FeeBasis.choices,
        help_text=_("收费标准只能依据已通过的业主共同决定、业委会签订的物业服务合同或政府价格文件确定。"),
    )
    decision = forms.ChoiceField(label=_("业主表决事项"), required=False)
    contract = forms.ChoiceField(label=_("物业服务合同"), required=False)
    document = forms.ChoiceField(label=_("政府价格文件"), required=False)
    basis_reference = forms.CharField(label=_("依据说明"), max_length=100, required=False)

    def __init__(self, *args, options: dict[str, list] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate
        options = options or {"decisions": [], "contracts": [], "documents": []}
        self.options = {
            "decision": {str(d.pk): d for d in options["decisions"]},
            "contract": {str(c.pk): c for c in options["contracts"]},
            "document": {str(p.pk): p for p in options["documents"]},
        }
        empty = [("", "—")]
        self.fields["decision"].choices = empty + [
            (
                str(d.pk),
                f"{d.title}({d.get_status_display()},{gettext('通过') if d.passed else gettext('未通过')})",
            )
            for d in options["decisions"]
        ]
        self.fields["contract"].choices = empty + [
            (str(c.pk), f"{c.company.name} {c.start_date:%Y-%m-%d}–{c.end_date:%Y-%m-%d} {c.fee_standard}")
            for c in options["contracts"]
        ]
        self.fields["document"].choices = empty + [
            (str(p.pk), f"{p.number} {p.title}（{p.level}，{p.range_text}）") for p in options["documents"]
        ]

    def links(self) -> dict:
        """The chosen decision / contract / document objects (from the options offered, never others)."""
        d = self.cleaned_data
        return {
            "basis_decision": self.options["decision"].get(d.get("decision") or ""),
            "basis_contract": self.options["contract"].get(d.get("contract") or ""),
            "basis_document": self.options["document"].get(d.get("document") or ""),
        }


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("收费项目"), choices=FeeKind.choices)
    label = forms.CharField(label=_("细目"), max_length=60, required=False)
    amount = forms.CharField(
        label=_("建议标准"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("最多 4 位小数"),
    )
    unit = forms.ChoiceField(label=_("计费单位"), choices=FeeUnit.choices)
    effective_from = forms.DateField(
        label=_("建议执行日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[
            DateWindowValidator(
                label=_("建议执行日期"),
                earliest=lambda: standard_date_window(timezone.localdate())[0],
                latest=lambda: standard_date_window(timezone.localdate())[1],
            )
        ],
    )
    reasons = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


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


class PriceDocumentForm(forms.Form):
    issuer = forms.CharField(label=_("发文机关"), max_length=60)
    number = forms.CharField(label=_("文号"), max_length=60)
    title = forms.CharField(label=_("文件名称"), max_length=120)
    issued_on = forms.DateField(
        label=_("发布日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[
            DateWindowValidator(
                label=_("发布日期"),
                earliest=lambda: standard_date_window(timezone.localdate())[0],
                latest=timezone.localdate,
            )
        ],
    )
    kind = forms.ChoiceField(label=_("收费项目"), choices=FeeKind.choices)
    unit = forms.ChoiceField(label=_("计费单位"), choices=FeeUnit.choices)
    level = forms.CharField(label=_("指导价等级"), max_length=30, help_text=_("如“二级”"))
    low = forms.CharField(
        label=_("指导价下限"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    high = forms.CharField(
        label=_("指导价上限"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    estates = IdMultipleChoiceField(
        label=_("适用小区（政府指导价）"),
        queryset=Estate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只选实行政府指导价的小区（售后公房等）。"),
    )

    def __init__(self, *args, estates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if estates is not None:
            self.fields["estates"].queryset = estates
