"""Forms of the branch's office and phone pages. Validation of meaning lives in services.py;
these only parse input into typed values."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.branchwork.models import BodyKind, MeetingKind, Metric, Shift
from gongzhi.core.validators import IdMultipleChoiceField


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=100)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    place = forms.CharField(label=_("地点"), max_length=100)
    agenda = forms.CharField(
        label=_("议程"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
    estates = IdMultipleChoiceField(
        label=_("涉及小区"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    members = IdMultipleChoiceField(
        label=_("邀请支部成员"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("非党员负责人为列席，无表决权"),
    )
    guests = forms.CharField(
        label=_("其他列席人员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一人：姓名 单位/职务"),
    )

    def __init__(self, *args, estates, members, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estates"].queryset = estates
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda m: (
            f"{m.name}({m.position or m.get_organisation_display()}){'' if m.membership == 'member' else ' · 列席'}"
        )
        if editing:
            for name in ("kind", "members", "guests"):
                del self.fields[name]


class ResolutionForm(forms.Form):
    text = forms.CharField(label=_("决议内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    estate = forms.ModelChoiceField(label=_("涉及小区"), queryset=None, required=False)
    needs_action = forms.BooleanField(label=_("需要落实（可转为问题跟踪）"), required=False, initial=True)

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates


class HandOverForm(forms.Form):
    category = forms.ModelChoiceField(label=_("问题类别"), queryset=None)
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None, required=False)

    def __init__(self, *args, categories, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["estate"].queryset = estates


class RatingSetupForm(forms.Form):
    items = forms.CharField(
        label=_("测评事项"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("每行一项，写成“类别：事项”，如“保洁：楼道清扫”。"),
    )
    tokens = forms.IntegerField(label=_("测评票数量"), min_value=1, max_value=500, initial=60)


class RulesForm(forms.Form):
    patrol_days_per_week = forms.IntegerField(label=_("每名成员每周巡查天数"), min_value=0, max_value=7)
    branch_meetings_per_week = forms.IntegerField(label=_("每周支部会议次数"), min_value=0, max_value=14)
    oc_meeting_interval_months = forms.IntegerField(
        label=_("业委会会议最长间隔（月）"), min_value=1, max_value=12
    )
    oc_decision_post_days = forms.IntegerField(label=_("业委会决定公告期限（日）"), min_value=1, max_value=30)


class PatrolStartForm(forms.Form):
    member = forms.ModelChoiceField(label=_("巡查人"), queryset=None, empty_label=None)
    estates = IdMultipleChoiceField(label=_("巡查小区"), queryset=None, widget=forms.CheckboxSelectMultiple)
    route_note = forms.CharField(label=_("路线说明（可不填）"), max_length=300, required=False)

    def __init__(self, *args, members, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["estates"].queryset = estates


class FindingForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=None, widget=forms.RadioSelect, empty_label=None
    )
    text = forms.CharField(label=_("发现的问题"), max_length=300)
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None, empty_label=None)

    def __init__(self, *args, categories, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["estate"].queryset = estates


class SecurityLogForm(forms.Form):
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None)
    day = forms.DateField(label=_("日期"), widget=DateInput())
    shift = forms.ChoiceField(label=_("班次"), choices=Shift.choices)
    text = forms.CharField(
        label=_("工作安排/点评"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates


class DutyShiftForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=DateInput())
    member = forms.ModelChoiceField(label=_("值班人"), queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class DutyProfileForm(forms.Form):
    role_label = forms.CharField(label=_("身份"), max_length=60, help_text=_("如“居民区党总支书记”"))
    commitment = forms.CharField(label=_("承诺"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    duties = forms.CharField(label=_("职责"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(label=_("照片"), required=False, help_text=_("JPEG/PNG 照片；位置等信息会被去除"))


class ReceptionForm(forms.Form):
    visitor = forms.CharField(label=_("来访人"), max_length=60, required=False)
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None, required=False)
    matter = forms.CharField(label=_("来访事项"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(
        label=_("答复"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates


# ---- street bodies, tracked actions, the plan (issue 13) ------------------------------------------


class BodyForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=BodyKind.choices)
    name = forms.CharField(label=_("名称"), max_length=80)
    remit = forms.CharField(
        label=_("职责"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class BodyMemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    role_label = forms.CharField(label=_("职务"), max_length=40, required=False)
    unit = forms.CharField(label=_("单位"), max_length=80, required=False)
    username = forms.CharField(
        label=_("平台账号（用户名）"),
        max_length=150,
        required=False,
        help_text=_("有账号的成员可查看本机构的会议和纪要"),
    )


class BodyMeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=100)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    place = forms.CharField(label=_("地点"), max_length=100)
    agenda = forms.CharField(
        label=_("议程"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
    members = IdMultipleChoiceField(
        label=_("邀请成员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    guests = forms.CharField(
        label=_("其他列席人员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一人：姓名 单位/职务"),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda m: (
            f"{m.name}({m.unit} {m.role_label})" if (m.unit or m.role_label) else m.name
        )


class TrackForm(forms.Form):
    owner_label = forms.CharField(label=_("责任人"), max_length=80)
    due_on = forms.DateField(label=_("完成期限"), widget=DateInput())


class CloseForm(forms.Form):
    evidence = forms.CharField(label=_("办结情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("佐证材料（PDF 或照片，可不传）"), required=False)


class MilestoneForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("阶段"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("节点"), max_length=120)
    owner_label = forms.CharField(label=_("责任人"), max_length=80)
    due_on = forms.DateField(label=_("时间节点"), widget=DateInput())
    metric = forms.ChoiceField(label=_("衡量方式"), choices=Metric.choices)
    target = forms.DecimalField(
        label=_("目标值"),
        required=False,
        max_digits=7,
        decimal_places=2,
        help_text=_("数量或百分比；不填则按规则默认（如全部居民区、选举目标）"),
    )

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = stages


class TickForm(forms.Form):
    evidence = forms.CharField(label=_("完成依据"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("佐证材料（PDF 或照片，可不传）"), required=False)


class BodyEditForm(forms.Form):
    """A body's name and remit (its kind stays what it was created as)."""

    name = forms.CharField(label=_("名称"), max_length=80)
    remit = forms.CharField(
        label=_("职责"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class PilotEditForm(forms.Form):
    programme = forms.CharField(
        label=_("试点方案"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    agreement = forms.CharField(
        label=_("协议"), max_length=120, required=False, help_text=_("如：党建联建协议")
    )
    since = forms.DateField(label=_("试点开始"), widget=DateInput())


class PilotForm(PilotEditForm):
    """A new pilot: one joint branch or one company of the street that is not a pilot yet."""

    which = forms.ChoiceField(label=_("试点对象"), choices=())

    field_order = ["which", "programme", "agreement", "since"]

    def __init__(self, *args, branches, companies, **kwargs):
        super().__init__(*args, **kwargs)
        which = self.fields["which"]
        assert isinstance(which, forms.ChoiceField)
        which.choices = [
            ("", _("请选择")),
            (_("联合党支部"), [(f"branch-{b.pk}", str(b)) for b in branches]),
            (_("物业企业"), [(f"company-{c.pk}", c.name) for c in companies]),
        ]
