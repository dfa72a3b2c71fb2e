"""Forms of the evaluation pages. The survey form is built from the template's items (one radio
group per item); the rules of what is valid live in rules.py and services.py."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.validators import IdMultipleChoiceField, parse_id
from gongzhi.evaluation import rules

DONT_KNOW = "x"  # "不了解": an answer that is left out of the means
SCALE_LABELS_5 = (_("很不满意"), _("不满意"), _("一般"), _("满意"), _("很满意"))


def scale_choices(scale_max: int) -> list[tuple[str, str]]:
    if scale_max == 5:
        return [(str(i), str(label)) for i, label in enumerate(SCALE_LABELS_5, start=1)]
    return [(str(i), "") for i in range(1, scale_max + 1)]


def item_field(item_id: int) -> str:
    return f"item-{item_id}"


def parse_answers(data, item_ids: list[int], scale_max: int) -> tuple[dict[int, int | None], list[int]]:
    """The submitted answers {item id: score or None for 不了解} and the ids left unanswered.
    A value outside 1..scale_max counts as unanswered (a tampered form changes nothing)."""
    answers: dict[int, int | None] = {}
    missing: list[int] = []
    for item_id in item_ids:
        raw = (data.get(item_field(item_id)) or "").strip()
        if raw == DONT_KNOW:
            answers[item_id] = None
        elif (value := parse_id(raw)) is not None and value <= scale_max:
            answers[item_id] = value
        else:
            missing.append(item_id)
    return answers, missing


class CodeForm(forms.Form):
    code = forms.CharField(label=_("测评码"), max_length=40)

    def clean_code(self) -> str:
        code = rules.normalise_code(self.cleaned_data["code"])
        if not rules.code_well_formed(code):
            raise forms.ValidationError(
                _("测评码应为 12 位字母和数字（如 ABCD-EFGH-JKMN），请对照告知书重新输入。")
            )
        return code


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("活动名称"), max_length=80)
    template = forms.ModelChoiceField(label=_("问卷"), queryset=None, empty_label=None)
    period_start = forms.DateField(
        label=_("考核期开始"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("考核期结束"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    opens_on = forms.DateField(
        label=_("开始答卷"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closes_on = forms.DateField(
        label=_("截止答卷"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ESTATE_MODES = [
        ("old", _("全部老旧小区（1996 年前建成）")),
        ("all", _("全部小区")),
        ("area", _("指定居民区的小区")),
        ("company", _("指定物业公司服务的小区")),
        ("pick", _("逐个勾选")),
    ]
    estate_mode = forms.ChoiceField(label=_("参评小区"), choices=ESTATE_MODES, initial="old")
    areas = IdMultipleChoiceField(label=_("居民区"), queryset=None, required=False)
    companies = IdMultipleChoiceField(label=_("物业公司"), queryset=None, required=False)
    estates = IdMultipleChoiceField(label=_("小区"), queryset=None, required=False)
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

    def __init__(self, *args, templates, areas, companies, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self.fields["areas"].queryset = areas
        self.fields["companies"].queryset = companies
        self.fields["estates"].queryset = estates

    def clean(self):
        data = super().clean()
        weights = {key: data.get(f"weight_{key}") for key in rules.COMPONENTS}
        if all(v is not None for v in weights.values()):
            for error in rules.composite_weight_errors(weights):
                self.add_error(None, error)
        mode = data.get("estate_mode")
        needs = {"area": "areas", "company": "companies", "pick": "estates"}.get(mode or "")
        if needs and not data.get(needs):
            self.add_error(needs, _("请至少选择一项。"))
        return data


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("检查意见"), max_length=2000, required=False, widget=forms.Textarea)

    def clean_inspected_on(self):
        day = self.cleaned_data["inspected_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("检查日期不能是将来的日期。"))
        return day


class AssessmentForm(forms.Form):
    score = forms.DecimalField(
        label=_("考核得分（0–100）"), min_value=0, max_value=100, max_digits=6, decimal_places=2
    )
    comment = forms.CharField(label=_("考核意见"), max_length=2000, required=False, widget=forms.Textarea)


class EliminationForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=80)
    bottom_n = forms.IntegerField(
        label=_("末位家数 N"), min_value=1, max_value=100, initial=rules.DEFAULT_BOTTOM_N
    )
    final_m = forms.IntegerField(
        label=_("拟淘汰家数 M"), min_value=1, max_value=100, initial=rules.DEFAULT_FINAL_M
    )
    min_responses = forms.IntegerField(
        label=_("淘汰所需最少答卷数"),
        min_value=0,
        max_value=10000,
        initial=rules.MIN_EVIDENCE_RESPONSES,
        required=False,
        help_text=_("复评答卷少于此数的企业只列入末位、不得淘汰。"),
    )
    min_survey_weight = forms.DecimalField(
        label=_("淘汰所需最低自身权重"),
        min_value=0,
        max_value=1,
        max_digits=3,
        decimal_places=2,
        initial="0.50",
        required=False,
        help_text=_("测评分中来自本企业答卷的份额 n/（n+k）；低于此值的企业不得淘汰。"),
    )
    fault_opens_on = forms.DateField(
        label=_("找茬开始"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    fault_closes_on = forms.DateField(
        label=_("找茬截止"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        n, m = data.get("bottom_n"), data.get("final_m")
        if n and m and m > n:
            self.add_error("final_m", _("拟淘汰家数不能多于末位家数。"))
        start, end = data.get("fault_opens_on"), data.get("fault_closes_on")
        if start and end and end < start:
            self.add_error("fault_closes_on", _("找茬截止日期不能早于开始日期。"))
        # Left blank: the documented minimum evidence (rules.MIN_EVIDENCE_*).
        if data.get("min_responses") is None and "min_responses" not in self.errors:
            data["min_responses"] = rules.MIN_EVIDENCE_RESPONSES
        if data.get("min_survey_weight") is None and "min_survey_weight" not in self.errors:
            data["min_survey_weight"] = Decimal(str(rules.MIN_EVIDENCE_WEIGHT))
        return data


class FaultForm(forms.Form):
    company = forms.TypedChoiceField(label=_("物业公司"), coerce=int, choices=())
    category = forms.ModelChoiceField(
        label=_("问题类别"), queryset=None, empty_label=None, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("问题描述"), min_length=4, max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, companies, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = companies
        self.fields["category"].queryset = categories


class AwardForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=())
    company = forms.ModelChoiceField(label=_("物业公司"), queryset=None, required=False)
    committee = forms.ModelChoiceField(label=_("业委会"), queryset=None, required=False)
    title = forms.CharField(label=_("称号"), max_length=80)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    citation = forms.CharField(
        label=_("事迹"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, kinds, companies, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["company"].queryset = companies
        self.fields["committee"].queryset = committees


class BenchmarkForm(forms.Form):
    """The leadership group names a benchmark (标杆企业) from the candidate list, with a reason and a term."""

    company = forms.ModelChoiceField(label=_("企业"), queryset=None)
    reason = forms.CharField(label=_("命名理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(
        label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies


class BenchmarkRevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=1000)
