"""Forms of the resident portal. They only shape the input; the rules (who may report where,
photo checks, rate limits, the workflow) are enforced by gongzhi.problems.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.number  # the estate is already chosen: "3号", not "甲一小区 3号"


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("问题类别"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("请选择问题类别。"), "invalid_choice": _("请选择列表中的问题类别。")},
    )
    description = forms.CharField(
        label=_("问题描述"),
        min_length=4,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("请用至少 4 个字描述问题。"),
            "min_length": _("请用至少 4 个字描述问题。"),
            "max_length": _("问题描述不能超过 1000 字。"),
        },
    )
    building = BuildingChoiceField(
        label=_("楼栋"),
        queryset=None,
        required=False,
        empty_label=_("不指定楼栋"),
        error_messages={"invalid_choice": _("所选楼栋不在该小区。")},
    )
    location = forms.CharField(
        label=_("具体位置"),
        max_length=100,
        required=False,
        error_messages={"max_length": _("位置说明不能超过 100 字。")},
    )

    def __init__(self, *args, categories, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["building"].queryset = buildings
        self.fields["description"].widget.attrs.update({"minlength": 4, "maxlength": 1000})
        self.fields["location"].widget.attrs.update(
            {"maxlength": 100, "placeholder": _("如：3号楼东侧车棚、小区北门")}
        )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(n, n) for n in range(1, 6)],
        coerce=int,
        error_messages={"required": _("请选择 1 到 5 星。"), "invalid_choice": _("评价为 1 到 5 星。")},
    )
    comment = forms.CharField(max_length=300, required=False)


class ReopenForm(forms.Form):
    note = forms.CharField(
        max_length=1000,
        error_messages={"required": _("请说明为什么要重新打开。")},
    )


# ---- owner account activation ---------------------------------------------------------------------


class ActivationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("激活码"),
        max_length=40,
        error_messages={"required": _("请输入激活信上的激活码。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCD-EFGH-JKMN",
                "class": "code-input",
            }
        ),
    )


class NewAccountForm(forms.Form):
    username = forms.CharField(
        label=_("登录用户名（可用手机号）"),
        max_length=40,
        error_messages={"required": _("请设置登录用户名。")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("设置密码"),
        strip=False,
        error_messages={"required": _("请设置密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("再输一次密码"),
        strip=False,
        error_messages={"required": _("请再输一次密码。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class IssueLettersForm(forms.Form):
    WHICH = (
        ("new", _("尚未发放或激活码已失效的业主")),
        ("pending", _("全部未激活的业主（已发的激活码作废重发）")),
        ("owner", _("指定一位业主（补发；已激活的只能借此开通新账号，原账号密码不变）")),
    )
    which = forms.ChoiceField(label=_("发放给"), choices=WHICH, initial="new", widget=forms.RadioSelect)
    building = forms.ModelChoiceField(
        label=_("楼栋"),
        queryset=None,
        required=False,
        empty_label=_("全部楼栋"),
        error_messages={"invalid_choice": _("所选楼栋不在该小区。")},
    )
    owner = forms.ModelChoiceField(
        label=_("业主"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("所选业主在本小区没有房屋，或是建设单位（不发激活信）。")},
    )

    def __init__(self, *args, buildings, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda o: f"{o.ref} {o.name}"

    def clean(self):
        data = super().clean()
        if data.get("which") == "owner" and not data.get("owner"):
            self.add_error("owner", _("请选择要补发激活信的业主。"))
        return data
