"""Forms of core's own pages: a user's notification channels."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import ChannelPreference

# A mainland mobile number: 11 digits, 1 then 3–9 (the numbering plan of 工业和信息化部).
MOBILE = re.compile(r"1[3-9][0-9]{9}")
# An Official Account OpenID: 28 characters of letters, digits, - and _ (allow 10–64 for other apps).
OPENID = re.compile(r"[A-Za-z0-9_-]{10,64}")


class ChannelPreferenceForm(forms.ModelForm):
    # Longer than the column: spaces, dashes and +86 are taken out by clean_phone before the length counts.
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )

    class Meta:
        model = ChannelPreference
        fields = [
            "email_on",
            "email",
            "sms_on",
            "phone",
            "wechat_on",
            "wechat_openid",
            "quiet_start",
            "quiet_end",
        ]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip().replace(" ", "").replace("-", "")
        if phone.startswith("+86"):
            phone = phone[3:]
        if phone and not MOBILE.fullmatch(phone):
            raise forms.ValidationError(_("请填写 11 位中国大陆手机号码，如 13800001234。"))
        return phone

    def clean_wechat_openid(self) -> str:
        openid = self.cleaned_data.get("wechat_openid", "").strip()
        if openid and not OPENID.fullmatch(openid):
            raise forms.ValidationError(_("OpenID 只含字母、数字、- 和 _，长度 10–64 位。"))
        return openid

    def clean(self):
        data = super().clean()
        for flag, field, message in (
            ("email_on", "email", _("开启电子邮件通知前请填写电子邮箱。")),
            ("sms_on", "phone", _("开启短信通知前请填写手机号码。")),
            ("wechat_on", "wechat_openid", _("开启微信通知前请填写微信 OpenID。")),
        ):
            if data.get(flag) and not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        return data
