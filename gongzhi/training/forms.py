from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.validators import IdMultipleChoiceField
from gongzhi.training.models import QuestionKind, TargetGroup, Topic

LETTERS = "ABCDEF"


class QuestionForm(forms.Form):
    topic = forms.ChoiceField(label=_("专题"), choices=Topic.choices)
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("题目"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    option_a = forms.CharField(label=_("选项 A"), max_length=300, required=False)
    option_b = forms.CharField(label=_("选项 B"), max_length=300, required=False)
    option_c = forms.CharField(label=_("选项 C"), max_length=300, required=False)
    option_d = forms.CharField(label=_("选项 D"), max_length=300, required=False)
    option_e = forms.CharField(label=_("选项 E"), max_length=300, required=False)
    answer = forms.CharField(
        label=_("正确答案"),
        max_length=10,
        help_text=_("单选填一个字母如 B；多选填多个字母如 ACD；判断题填“正确”或“错误”"),
    )
    explanation = forms.CharField(
        label=_("解析"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def choices(self) -> list[tuple[str, bool]]:
        """[(text, correct)] from the form; raises ValidationError in Chinese on a bad answer key."""
        data = self.cleaned_data
        answer = data["answer"].strip().upper().replace(",", "").replace(",", "").replace(" ", "")
        if data["kind"] == QuestionKind.TRUE_FALSE:
            if answer in ("正确", "对", "√", "T", "TRUE"):
                return [("正确", True), ("错误", False)]
            if answer in ("错误", "错", "×", "F", "FALSE"):
                return [("正确", False), ("错误", True)]
            raise forms.ValidationError(_("判断题的正确答案请填“正确”或“错误”。"))
        texts = [data[f"option_{c.lower()}"].strip() for c in LETTERS[:5]]
        while texts and not texts[-1]:
            texts.pop()
        letters = set(answer)
        bad = letters - set(LETTERS[: len(texts)])
        if not letters or bad:
            raise forms.ValidationError(_("正确答案须是已填写选项的字母，如 B 或 ACD。"))
        return [(t, LETTERS[i] in letters) for i, t in enumerate(texts)]


class ExamForm(forms.Form):
    title = forms.CharField(label=_("考试名称"), max_length=100)
    groups = forms.MultipleChoiceField(
        label=_("考试对象"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("按角色授权自动列入本街道的相关人员"),
    )
    time_limit_minutes = forms.IntegerField(
        label=_("答题时限（分钟）"), min_value=1, max_value=600, initial=20
    )
    pass_mark = forms.IntegerField(label=_("及格线（%）"), min_value=0, max_value=100, initial=60)
    max_attempts = forms.IntegerField(label=_("最多考试次数"), min_value=1, max_value=20, initial=2)
    cooling_off_hours = forms.IntegerField(
        label=_("补考间隔（小时）"), min_value=0, max_value=720, initial=24
    )

    mode = forms.ChoiceField(
        label=_("出题方式"),
        choices=[("random", _("每人随机抽题（按专题）")), ("fixed", _("固定试题（所有人相同）"))],
        initial="random",
        widget=forms.RadioSelect,
    )
    fixed_questions = IdMultipleChoiceField(
        label=_("固定试题"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("出题方式为“固定试题”时勾选"),
    )

    def __init__(self, *args, questions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fixed_questions"].queryset = questions
        self.fields["fixed_questions"].label_from_instance = lambda q: (
            f"[{q.get_topic_display()}·{q.get_kind_display()}] {q.text}"
        )
        for value, label in Topic.choices:
            self.fields[f"n_{value}"] = forms.IntegerField(
                label=_("随机抽题：%(topic)s") % {"topic": label},
                min_value=0,
                max_value=100,
                required=False,
                initial=2,
            )

    def clean(self):
        data = super().clean()
        if data.get("mode") == "fixed" and not data.get("fixed_questions"):
            self.add_error("fixed_questions", _("请勾选固定试题。"))
        return data

    def per_topic(self) -> dict[str, int]:
        if self.cleaned_data.get("mode") == "fixed":
            return {}
        return {value: self.cleaned_data.get(f"n_{value}") or 0 for value, _l in Topic.choices}

    def fixed(self) -> list:
        if self.cleaned_data.get("mode") != "fixed":
            return []
        return list(self.cleaned_data.get("fixed_questions") or [])
