"""Forms of the voting pages. They shape the input; the rules (window, who may vote, channel rule,
thresholds) live in ``voting.services`` and ``voting.rules``."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.validators import DateWindowValidator, IdMultipleChoiceField
from gongzhi.voting.models import Choice, Matter
from gongzhi.voting.services import closing_error, opening_window


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DecisionForm(forms.Form):
    title = forms.CharField(
        label=_("表决事项名称"),
        max_length=120,
        error_messages={"required": _("请填写表决事项名称。"), "max_length": _("表决事项名称最多 120 字。")},
    )
    matter = forms.TypedChoiceField(
        label=_("事项类别（《民法典》第二百七十八条第一款）"),
        # A callable, evaluated per form: a list built at import time would freeze the labels in the
        # language of whichever request first imported this module.
        choices=lambda: [(m.value, f"({m.value}) {m.label}") for m in Matter],
        coerce=int,
        error_messages={
            "required": _("请选择事项类别。"),
            "invalid_choice": _("事项类别必须是《民法典》第二百七十八条第一款所列的第（一）至（九）项。"),
        },
    )
    text = forms.CharField(
        label=_("表决事项全文"),
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("请填写表决事项全文。")},
    )
    opens_at = forms.DateTimeField(
        label=_("投票开始时间"),
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[
            DateWindowValidator(
                label=_("投票开始时间"),
                earliest=lambda: opening_window(timezone.now())[0],
                latest=lambda: opening_window(timezone.now())[1],
            )
        ],
        error_messages={"required": _("请填写投票开始时间。"), "invalid": _("投票开始时间格式不对。")},
    )
    closes_at = forms.DateTimeField(
        label=_("投票截止时间"),
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": _("请填写投票截止时间。"), "invalid": _("投票截止时间格式不对。")},
    )
    objection_days = forms.IntegerField(
        label=_("异议期天数"),
        min_value=1,
        max_value=60,
        initial=7,
        error_messages={
            "required": _("请填写异议期天数。"),
            "invalid": _("异议期天数应在 1 到 60 天之间。"),
            "min_value": _("异议期天数应在 1 到 60 天之间。"),
            "max_value": _("异议期天数应在 1 到 60 天之间。"),
        },
    )
    buildings = IdMultipleChoiceField(
        label=_("涉及楼栋（不选即全小区）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("所选楼栋不在该小区。"),
            "invalid_pk_value": _("所选楼栋不在该小区。"),
        },
    )

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buildings"].queryset = buildings
        self.fields["buildings"].label_from_instance = lambda b: b.number

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and (message := closing_error(opens, closes)):
            self.add_error("closes_at", message)
        return data


class AttachmentForm(forms.Form):
    name = forms.CharField(label=_("附件名称"), max_length=120, required=False)
    file = forms.FileField(
        label=_("文件（PDF 或照片）"), error_messages={"required": _("请选择要上传的文件。")}
    )


class VoterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Only managers (who see the estate's personal data) enter paper and proxy ballots.
        units = "、".join(u.label for u in obj.units.all())
        return f"{units} · {obj.name}"


class OfflineBallotForm(forms.Form):
    voter = VoterChoiceField(
        label=_("业主（房屋）"),
        queryset=None,
        error_messages={
            "required": _("请选择业主。"),
            "invalid_choice": _("所选业主不在本次表决的业主名册中。"),
        },
    )
    choice = forms.ChoiceField(
        label=_("表决意见"),
        choices=Choice.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择表决意见。"),
            "invalid_choice": _("表决意见只能是同意、反对或弃权。"),
        },
    )
    collector_name = forms.CharField(label=_("收票人"), max_length=60, required=False)

    def __init__(self, *args, voters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voter"].queryset = voters


class PaperBallotForm(OfflineBallotForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector_name"].required = True
        self.fields["collector_name"].error_messages["required"] = _("纸质表决票必须填写收票人。")


class ProxyBallotForm(OfflineBallotForm):
    proxy_name = forms.CharField(
        label=_("受托人"), max_length=60, error_messages={"required": _("请填写受托人姓名。")}
    )
    authorisation = forms.FileField(
        label=_("业主签名的书面委托书（PDF 或照片）"),
        error_messages={"required": _("委托投票必须上传业主签名的书面委托书。")},
    )


class PreliminaryForm(forms.Form):
    objection_days = forms.IntegerField(
        label=_("异议期天数"),
        min_value=1,
        max_value=60,
        error_messages={
            "required": _("请填写异议期天数。"),
            "invalid": _("异议期天数应在 1 到 60 天之间。"),
            "min_value": _("异议期天数应在 1 到 60 天之间。"),
            "max_value": _("异议期天数应在 1 到 60 天之间。"),
        },
    )


class CastForm(forms.Form):
    choice = forms.ChoiceField(
        choices=Choice.choices,
        error_messages={
            "required": _("请选择同意、反对或弃权。"),
            "invalid_choice": _("表决意见只能是同意、反对或弃权。"),
        },
    )
    confirm = forms.BooleanField(required=False)


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("回执码"),
        max_length=40,
        error_messages={"required": _("请输入回执码。")},
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCD-EFGH-JKMN-PQRS",
            }
        ),
    )
