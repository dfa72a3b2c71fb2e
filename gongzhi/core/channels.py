"""Channel adapters: one class per way a notification leaves the platform, one interface.

``address(preference)`` says where the user wants it (their e-mail, phone or OpenID; "" = not wanted),
``send(message, address)`` delivers one outbox row or raises ``ChannelError`` (``permanent`` when a
retry cannot help: a refused number, a missing setting). The adapters speak the providers' plain HTTP
or SMTP; the tests run each against a fake server on 127.0.0.1 (core/tests/fakes.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.events import EVENTS
from gongzhi.core.models import Channel, ChannelPreference, OutboxMessage


class ChannelError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class ChannelAdapter(Protocol):
    name: str

    def address(self, preference: ChannelPreference) -> str: ...

    def send(self, message: OutboxMessage, address: str) -> None: ...


def absolute_url(url: str) -> str:
    """A site path as a link that works outside the site (GONGZHI_PUBLIC_BASE_URL + path)."""
    if not url:
        return settings.GONGZHI_PUBLIC_BASE_URL + "/"
    if url.startswith(("http://", "https://")):
        return url
    return settings.GONGZHI_PUBLIC_BASE_URL + (url if url.startswith("/") else "/" + url)


def _templates(raw: str) -> dict[str, str]:
    """``"default:SMS_1,problems.overdue:SMS_2"`` → {event: template}."""
    pairs = (item.split(":", 1) for item in raw.split(",") if ":" in item)
    return {key.strip(): value.strip() for key, value in pairs if key.strip() and value.strip()}


def _template_for(raw: str, event: str, what: str) -> str:
    table = _templates(raw)
    template = table.get(event) or table.get("default", "")
    if not template:
        raise ChannelError(_("未配置%(what)s模板。") % {"what": what}, permanent=True)
    return template


def _http(request: urllib.request.Request | str) -> dict[str, Any]:
    """One HTTP call, its JSON answer; network trouble is transient, a non-JSON answer too."""
    try:
        with urllib.request.urlopen(request, timeout=settings.GONGZHI_NOTIFY_TIMEOUT_SECONDS) as response:  # noqa: S310 (configured https/http base URL)
            body = response.read()
    except urllib.error.HTTPError as exc:
        # A provider's refusal (a bad signature, a bad number) comes as 4xx with its JSON code: read it.
        try:
            refusal = json.loads(exc.read())
        except (ValueError, OSError):
            refusal = None
        if exc.code < 500 and isinstance(refusal, dict):
            return refusal
        raise ChannelError(_("网关返回 HTTP %(code)s。") % {"code": exc.code}) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ChannelError(_("无法连接网关：%(reason)s") % {"reason": str(exc)[:120]}) from exc
    try:
        answer = json.loads(body)
    except ValueError as exc:
        raise ChannelError(_("网关返回的不是 JSON。")) from exc
    if not isinstance(answer, dict):
        raise ChannelError(_("网关返回的不是 JSON。"))
    return answer


# ---- inbox --------------------------------------------------------------------------------------


class InboxChannel:
    """The in-app inbox: written at once by ``notify`` in the event's own transaction, never queued."""

    name = Channel.INBOX.value

    def address(self, preference: ChannelPreference) -> str:
        return str(preference.user_id)

    def send(self, message: OutboxMessage, address: str) -> None:
        from gongzhi.core.models import Notification

        Notification.objects.get_or_create(user_id=message.user_id, text=message.text[:300], url=message.url)


# ---- e-mail -------------------------------------------------------------------------------------


class EmailChannel:
    """Plain-text e-mail through Django's SMTP backend (settings EMAIL_HOST, EMAIL_PORT …)."""

    name = Channel.EMAIL.value

    def address(self, preference: ChannelPreference) -> str:
        return preference.email if preference.email_on else ""

    def send(self, message: OutboxMessage, address: str) -> None:
        if not settings.EMAIL_HOST:
            raise ChannelError(_("未配置邮件服务器（GONGZHI_EMAIL_HOST）。"), permanent=True)
        event = EVENTS.get(message.event)
        subject = _("【共治】%(label)s") % {"label": event.label if event else _("通知")}
        body = message.text + "\n\n" + absolute_url(message.url) + "\n"
        connection = get_connection(settings.GONGZHI_EMAIL_BACKEND, fail_silently=False)
        try:
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address], connection=connection).send()
        except OSError as exc:  # smtplib.SMTPException is an OSError
            raise ChannelError(_("邮件发送失败：%(reason)s") % {"reason": str(exc)[:120]}) from exc


# ---- SMS: Alibaba Cloud dysmsapi ----------------------------------------------------------------


def aliyun_percent_encode(value: str) -> str:
    """Alibaba Cloud's POP encoding: RFC 3986 percent-encoding of UTF-8, only A–Z a–z 0–9 - _ . ~
    left as they are (so a space is %20, * is %2A, ~ stays ~)."""
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_string_to_sign(params: dict[str, str], method: str = "GET") -> str:
    """``METHOD&%2F&`` + the encoded canonicalised query (parameters sorted by name, each name and
    value encoded, joined with = and &)."""
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items())
    )
    return f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """Base64 of HMAC-SHA1 over the string to sign, keyed with the AccessKey secret plus "&"."""
    digest = hmac.new(
        (secret + "&").encode("utf-8"), aliyun_string_to_sign(params, method).encode("utf-8"), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def aliyun_signed_query(params: dict[str, str], secret: str) -> str:
    """The query string of a signed GET: Signature first, then the canonicalised parameters."""
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}" for k, v in sorted(params.items())
    )
    return f"Signature={aliyun_percent_encode(aliyun_signature(params, secret))}&{canonical}"


class AliyunSmsChannel:
    """SendSms of Alibaba Cloud SMS (dysmsapi, API version 2017-05-25), signature version 1.0."""

    name = Channel.SMS.value
    # Codes after which a retry cannot help (a bad number, template or signature; the account's).
    PERMANENT: ClassVar[set[str]] = {
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.SMS_TEMPLATE_ILLEGAL",
        "isv.SMS_SIGNATURE_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.INVALID_PARAMETERS",
        "isv.ACCOUNT_NOT_EXISTS",
        "isv.BLACK_KEY_CONTROL_LIMIT",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId.NotFound",
    }

    def address(self, preference: ChannelPreference) -> str:
        return preference.phone if preference.sms_on else ""

    def params(
        self, message: OutboxMessage, phone: str, *, nonce: str, timestamp: dt.datetime
    ) -> dict[str, str]:
        return {
            "AccessKeyId": settings.GONGZHI_SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": settings.GONGZHI_SMS_REGION,
            "SignName": settings.GONGZHI_SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce,
            "SignatureVersion": "1.0",
            "TemplateCode": _template_for(settings.GONGZHI_SMS_TEMPLATES, message.event, _("短信")),
            "TemplateParam": json.dumps(
                {"text": message.text, "url": absolute_url(message.url)},
                ensure_ascii=False,
                separators=(",", ":"),
            ),
            "Timestamp": timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }

    def send(self, message: OutboxMessage, address: str) -> None:
        if not (settings.GONGZHI_SMS_ACCESS_KEY_ID and settings.GONGZHI_SMS_ACCESS_KEY_SECRET):
            raise ChannelError(_("未配置短信网关（GONGZHI_SMS_ACCESS_KEY_ID）。"), permanent=True)
        params = self.params(message, address, nonce=uuid.uuid4().hex, timestamp=timezone.now())
        base = settings.GONGZHI_SMS_BASE_URL
        url = (
            base
            + ("&" if "?" in base else "?")
            + aliyun_signed_query(params, settings.GONGZHI_SMS_ACCESS_KEY_SECRET)
        )
        answer = _http(url)
        code = str(answer.get("Code", ""))
        if code != "OK":
            text = _("短信网关拒绝：%(code)s %(message)s") % {
                "code": code,
                "message": str(answer.get("Message", ""))[:100],
            }
            raise ChannelError(text, permanent=code in self.PERMANENT)


# ---- WeChat Official Account template messages --------------------------------------------------


class WeChatTemplateChannel:
    """message/template/send of a WeChat Official Account, with the access_token fetched by appid and
    secret, kept in the cache until shortly before it expires and fetched anew when refused."""

    name = Channel.WECHAT.value
    TOKEN_ERRORS: ClassVar[set[int]] = {40001, 40014, 42001}  # invalid, malformed, expired access_token
    PERMANENT: ClassVar[set[int]] = {40003, 40037, 43004, 40036}  # bad openid, bad template, not following

    def address(self, preference: ChannelPreference) -> str:
        return preference.wechat_openid if preference.wechat_on else ""

    def _cache_key(self) -> str:
        return f"gongzhi:wechat:token:{settings.GONGZHI_WECHAT_APPID}"

    def access_token(self, *, fresh: bool = False) -> str:
        if not (settings.GONGZHI_WECHAT_APPID and settings.GONGZHI_WECHAT_SECRET):
            raise ChannelError(_("未配置微信公众号（GONGZHI_WECHAT_APPID）。"), permanent=True)
        if not fresh and (token := cache.get(self._cache_key())):
            return str(token)
        query = urllib.parse.urlencode(
            {
                "grant_type": "client_credential",
                "appid": settings.GONGZHI_WECHAT_APPID,
                "secret": settings.GONGZHI_WECHAT_SECRET,
            }
        )
        answer = _http(f"{settings.GONGZHI_WECHAT_API_BASE}/cgi-bin/token?{query}")
        token = answer.get("access_token")
        if not token:
            raise ChannelError(
                _("微信获取 access_token 失败：%(code)s %(message)s")
                % {"code": answer.get("errcode", ""), "message": str(answer.get("errmsg", ""))[:100]}
            )
        expires = int(answer.get("expires_in", 7200))
        cache.set(self._cache_key(), token, timeout=max(expires - 300, 60))
        return str(token)

    def payload(self, message: OutboxMessage, openid: str) -> dict[str, Any]:
        event = EVENTS.get(message.event)
        return {
            "touser": openid,
            "template_id": _template_for(settings.GONGZHI_WECHAT_TEMPLATES, message.event, _("微信")),
            "url": absolute_url(message.url),
            "data": {
                "first": {"value": str(event.label if event else _("通知"))},
                "keyword1": {"value": message.text},
                "keyword2": {"value": timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M")},
                "remark": {"value": _("详情请点击查看。")},
            },
        }

    def _post(self, token: str, body: bytes) -> dict[str, Any]:
        query = urllib.parse.urlencode({"access_token": token})
        request = urllib.request.Request(  # noqa: S310 (configured base URL)
            f"{settings.GONGZHI_WECHAT_API_BASE}/cgi-bin/message/template/send?{query}",
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        return _http(request)

    def send(self, message: OutboxMessage, address: str) -> None:
        body = json.dumps(self.payload(message, address), ensure_ascii=False).encode("utf-8")
        answer = self._post(self.access_token(), body)
        if int(answer.get("errcode", 0) or 0) in self.TOKEN_ERRORS:
            cache.delete(self._cache_key())
            answer = self._post(self.access_token(fresh=True), body)
        code = int(answer.get("errcode", 0) or 0)
        if code != 0:
            raise ChannelError(
                _("微信拒绝：%(code)s %(message)s")
                % {"code": code, "message": str(answer.get("errmsg", ""))[:100]},
                permanent=code in self.PERMANENT,
            )


ADAPTERS: dict[str, type] = {
    Channel.INBOX.value: InboxChannel,
    Channel.EMAIL.value: EmailChannel,
    Channel.SMS.value: AliyunSmsChannel,
    Channel.WECHAT.value: WeChatTemplateChannel,
}


def adapter(name: str) -> ChannelAdapter:
    return ADAPTERS[name]()
