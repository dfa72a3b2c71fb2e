from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.elections.models import CheckKind, CheckOutcome

CHECK_CHOICES = [("", _("未核查")), *CheckOutcome.choices]


class SlateForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None, empty_label=_("请选择小区"))
    election_date = forms.DateField(label=_("选举日期"), widget=forms.DateInput(attrs={"type": "date"}))
    planned_size = forms.IntegerField(label=_("拟设委员人数"), min_value=1, max_value=41)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, estates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if estates is None:
            del self.fields["estate"]
        else:
            self.fields["estate"].queryset = estates
            self.fields["estate"].label_from_instance = lambda e: f"{e.area.name} · {e.name}"


class CandidateForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    owner_ref = forms.CharField(
        label=_("业主编号"), max_length=40, required=False, help_text=_("填写后核对台账：须为本小区登记业主")
    )
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
    is_cross_appointed = forms.BooleanField(label=_("同时任居委会成员（交叉任职）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in CheckKind.choices:
            self.fields[f"check_{value}"] = forms.ChoiceField(
                label=label,
                choices=CHECK_CHOICES,
                required=False,
                help_text=_("本人书面声明并签字后选择；保存即由您签字确认"),
            )

    def checks(self) -> dict:
        return {value: self.cleaned_data.get(f"check_{value}") or None for value, _label in CheckKind.choices}


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("审核意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TargetsForm(forms.Form):
    party_share = forms.DecimalField(
        label=_("党员占比目标（%）"), min_value=0, max_value=100, decimal_places=2
    )
    cross_share = forms.DecimalField(
        label=_("交叉任职占比目标（%）"), min_value=0, max_value=100, decimal_places=2
    )


class InstallForm(forms.Form):
    """Filing the committee elected by the owners' vote (备案): the vote, the elected candidates, the director
    and deputies chosen at the first meeting, the term's length in years."""

    vote = forms.ModelChoiceField(label=_("选举表决"), queryset=None, empty_label=_("请选择业主大会表决"))
    members = forms.TypedMultipleChoiceField(
        label=_("当选委员"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=()
    )
    director = forms.TypedChoiceField(label=_("主任"), coerce=int, choices=())
    deputies = forms.TypedMultipleChoiceField(
        label=_("副主任"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=(), required=False
    )
    years = forms.TypedChoiceField(
        label=_("任期（年）"), coerce=int, choices=((5, "5"), (4, "4"), (3, "3")), initial=5
    )

    def __init__(self, *args, votes, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vote"].queryset = votes
        self.fields["vote"].label_from_instance = lambda d: f"{d.title}（{d.closes_at:%Y-%m-%d}）"
        choices = [(c.pk, c.name) for c in candidates]
        for name in ("members", "director", "deputies"):
            self.fields[name].choices = choices
