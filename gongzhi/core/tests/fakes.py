"""Local stand-ins for the notification gateways, each a real server on 127.0.0.1 started by the test:
an SMTP sink, Alibaba Cloud's SendSms (it recomputes the request's signature on its own) and the
WeChat Official Account API (token and template message). Never the internet."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import socketserver
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# ---- SMTP ---------------------------------------------------------------------------------------


@dataclass
class SmtpSink:
    """A minimal SMTP server (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that keeps
    every message it is given."""

    messages: list[dict] = field(default_factory=list)
    server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    def start(self) -> SmtpSink:
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write((line + "\r\n").encode("ascii"))

            def handle(self) -> None:
                self.reply("220 fake.smtp ESMTP")
                sender, recipients = "", []
                while raw := self.rfile.readline():
                    command = raw.decode("utf-8", "replace").strip()
                    verb = command[:4].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-fake.smtp\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    elif verb == "HELO":
                        self.reply("250 fake.smtp")
                    elif verb == "MAIL":
                        sender, recipients = command.split(":", 1)[1].split()[0].strip("<>"), []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        lines = []
                        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                            lines.append(line[1:] if line.startswith(b"..") else line)
                        message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                        sink.messages.append({"from": sender, "to": recipients, "message": message})
                        self.reply("250 OK queued")
                    elif verb in {"RSET", "NOOP"}:
                        self.reply("250 OK")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


# ---- HTTP fakes ---------------------------------------------------------------------------------


class _Http:
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _serve(self, handler) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def pop_encode(value: str) -> str:
    """Alibaba Cloud's encoding written the way the provider's documentation does it (Java's
    URLEncoder, then + → %20, * → %2A, %7E → ~), independently of gongzhi.core.channels."""
    encoded = urllib.parse.quote_plus(value, safe="", encoding="utf-8")
    return encoded.replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def pop_signature(params: dict[str, str], secret: str) -> str:
    canonical = "&".join(pop_encode(k) + "=" + pop_encode(params[k]) for k in sorted(params))
    string_to_sign = "GET&" + pop_encode("/") + "&" + pop_encode(canonical)
    mac = hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


@dataclass
class FakeAliyunSms(_Http):
    """SendSms: answers {"Code": "OK"} to a correctly signed request; the signature is recomputed
    here from the raw query. ``fail_next`` answers that many requests with HTTP 503 first."""

    access_key_id: str = "LTAI-test-id"
    secret: str = "test-secret"  # noqa: S105 (a fake server's)
    received: list[dict[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    fail_next: int = 0

    def start(self) -> FakeAliyunSms:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if fake.fail_next > 0:
                    fake.fail_next -= 1
                    self.answer(503, {"Code": "ServiceUnavailable"})
                    return
                raw = urllib.parse.urlsplit(self.path).query
                params = {}
                for part in raw.split("&"):
                    key, _, value = part.partition("=")
                    params[urllib.parse.unquote(key)] = urllib.parse.unquote(value)
                signature = params.pop("Signature", "")
                expected = pop_signature(params, fake.secret)
                if params.get("AccessKeyId") != fake.access_key_id or not hmac.compare_digest(
                    signature, expected
                ):
                    fake.refused.append(signature)
                    self.answer(
                        400,
                        {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"},
                    )
                    return
                fake.received.append(params)
                self.answer(200, {"Code": "OK", "Message": "OK", "BizId": f"biz{len(fake.received)}"})

        self._serve(Handler)
        return self


@dataclass
class FakeWeChat(_Http):
    """/cgi-bin/token and /cgi-bin/message/template/send. ``expire()`` makes the current token
    invalid (errcode 40001), as WeChat does when a token is refreshed elsewhere."""

    appid: str = "wx-test-appid"
    secret: str = "wx-test-secret"  # noqa: S105 (a fake server's)
    tokens_issued: int = 0
    valid_token: str = ""
    sent: list[dict] = field(default_factory=list)

    def expire(self) -> None:
        self.valid_token = ""

    def start(self) -> FakeWeChat:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def answer(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path != "/cgi-bin/token" or query.get("grant_type") != "client_credential":
                    self.answer({"errcode": 40002, "errmsg": "invalid grant_type"})
                elif query.get("appid") != fake.appid or query.get("secret") != fake.secret:
                    self.answer({"errcode": 40125, "errmsg": "invalid appsecret"})
                else:
                    fake.tokens_issued += 1
                    fake.valid_token = f"TOKEN-{fake.tokens_issued}"
                    self.answer({"access_token": fake.valid_token, "expires_in": 7200})

            def do_POST(self) -> None:  # noqa: N802
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if url.path != "/cgi-bin/message/template/send":
                    self.answer({"errcode": 404, "errmsg": "not found"})
                elif not fake.valid_token or query.get("access_token") != fake.valid_token:
                    self.answer({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})
                elif not body.get("touser") or not body.get("template_id"):
                    self.answer({"errcode": 40003, "errmsg": "invalid openid"})
                else:
                    fake.sent.append(body)
                    self.answer({"errcode": 0, "errmsg": "ok", "msgid": len(fake.sent)})

        self._serve(Handler)
        return self


@dataclass
class Gateways:
    smtp: SmtpSink
    sms: FakeAliyunSms
    wechat: FakeWeChat


def configure(settings, gateways: Gateways) -> None:
    """Point every channel's settings at the fakes."""
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = gateways.smtp.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.GONGZHI_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.GONGZHI_SMS_BASE_URL = gateways.sms.base_url + "/"
    settings.GONGZHI_SMS_ACCESS_KEY_ID = gateways.sms.access_key_id
    settings.GONGZHI_SMS_ACCESS_KEY_SECRET = gateways.sms.secret
    settings.GONGZHI_SMS_SIGN_NAME = "周家渡街道"
    settings.GONGZHI_SMS_TEMPLATES = "default:SMS_100001,problems.overdue:SMS_100002"
    settings.GONGZHI_WECHAT_API_BASE = gateways.wechat.base_url
    settings.GONGZHI_WECHAT_APPID = gateways.wechat.appid
    settings.GONGZHI_WECHAT_SECRET = gateways.wechat.secret
    settings.GONGZHI_WECHAT_TEMPLATES = "default:TPL-general"
    settings.GONGZHI_NOTIFY_CHANNELS = ["email", "sms", "wechat"]
    settings.GONGZHI_PUBLIC_BASE_URL = "https://gongzhi.example.cn"
