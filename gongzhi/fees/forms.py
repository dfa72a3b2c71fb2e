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
        label=_("应收金额（元）"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    collected = forms.CharField(
        label=_("实收金额（元）"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
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
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    replace = forms.BooleanField(label=_("替换已登记的数据"), required=False)
    dry_run = forms.BooleanField(label=_("只检查，不导入"), required=False, initial=True)


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


# ---- the fee-adjustment intent (调价意向), its price meeting and the street's gate rule ---------------------


def _text(label, *, help_text="", required=True, decimal=True):
    attrs = {"inputmode": "decimal"} if decimal else {}
    return forms.CharField(
        label=label,
        max_length=20,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


class IntentForm(forms.Form):
    """The intent and the company's cost account; amounts stay text so the service judges them exactly."""

    proposed_amount = _text(_("拟调整标准（元/m²/月）"), help_text=_("住宅物业费，最多 4 位小数"))
    effective_from = forms.DateField(
        label=_("拟执行日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reasons = forms.CharField(label=_("调价理由"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    area = _text(_("收费面积（m²）"), required=False)
    income_basis = _text(_("年度物业费应收收入（元）"), required=False, help_text=_("按现行标准计算"))
    collection_basis = _text(_("测算依据的收缴率（%）"), required=False)
    staff_cleaning = _text(_("保洁人员费用（元/年）"), required=False)
    heads_cleaning = _text(_("保洁人数"), required=False)
    staff_greening = _text(_("保绿人员费用（元/年）"), required=False)
    heads_greening = _text(_("保绿人数"), required=False)
    staff_security = _text(_("保安人员费用（元/年）"), required=False)
    heads_security = _text(_("保安人数"), required=False)
    staff_repair = _text(_("保修人员费用（元/年）"), required=False)
    heads_repair = _text(_("保修人数"), required=False)
    materials = _text(_("物料消耗（元/年）"), required=False)
    energy = _text(_("公共能耗（元/年）"), required=False)
    management = _text(_("管理费用（元/年）"), required=False)
    other_cost = _text(_("其他费用（元/年）"), required=False)

    @classmethod
    def initial_from(cls, intent) -> dict:
        initial = {name: getattr(intent, name) for name in cls.base_fields}
        for name, value in initial.items():
            if value is not None and name not in {"effective_from", "reasons"}:
                initial[name] = f"{value.normalize():f}"
        return initial


class MeetingOutcomeForm(forms.Form):
    meeting = forms.ChoiceField(label=_("议价会议"), help_text=_("支部登记的、涉及本小区的议价会议"))
    committee_position = forms.CharField(
        label=_("业委会意见"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.ChoiceField(
        label=_("议价结果"), choices=[("agreed", _("达成一致")), ("no_agreement", _("未达成一致"))]
    )
    agreed_amount = _text(_("议定标准（元/m²/月）"), required=False, help_text=_("达成一致时填写"))
    note = forms.CharField(
        label=_("议价说明"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = {str(m.pk): m for m in meetings}
        self.fields["meeting"].choices = [("", "—")] + [
            (str(m.pk), f"{timezone.localtime(m.starts_at):%Y-%m-%d} {m.title}") for m in meetings
        ]


class VoteForm(forms.Form):
    opens_at = forms.DateTimeField(
        label=_("投票开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("投票截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class GateRuleForm(forms.Form):
    min_score = _text(_("最近一次测评综合得分不低于（分）"), help_text=_("默认 80 分；含本数"))
    disclosure_months = forms.IntegerField(
        label=_("物业费收支连续公示月数"), min_value=1, max_value=36, help_text=_("默认 12 个月")
    )
    meeting_within_days = forms.IntegerField(
        label=_("年度议价会议间隔（天）"), min_value=30, max_value=730, help_text=_("默认 365 天；含本数")
    )


class InitiativeForm(forms.Form):
    """The street admin records a company's initiative (主动提升); the service decides."""

    company = forms.ChoiceField(label=_("物业服务企业"), choices=())
    estate = forms.ChoiceField(label=_("小区"), choices=(), required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=())
    done_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    asked_on = forms.DateField(
        label=_("街道提出要求的日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("街道未提出要求的留空；在要求之后才做的，登记但不计入主动提升"),
    )
    summary = forms.CharField(label=_("做了什么"), max_length=200)
    evidence = forms.CharField(label=_("佐证"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, companies, estates, **kwargs):
        from gongzhi.fees.models import InitiativeKind

        super().__init__(*args, **kwargs)
        self.companies = {str(c.pk): c for c in companies}
        self.estates = {str(e.pk): e for e in estates}
        self.fields["company"].choices = [("", _("请选择"))] + [(str(c.pk), c.name) for c in companies]
        self.fields["estate"].choices = [("", _("全部在管小区"))] + [(str(e.pk), e.name) for e in estates]
        self.fields["kind"].choices = InitiativeKind.choices
