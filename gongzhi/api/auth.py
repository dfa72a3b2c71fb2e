"""Who is calling: a personal API token (``Authorization: Bearer gz_…``) or a Django session.

Token requests carry no ambient credentials, so they need no CSRF token. Session requests
do: unsafe methods are refused without a valid CSRF token, exactly like the web pages.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from gongzhi.api.models import ApiToken
from gongzhi.api.services import TOKEN_PREFIX, hash_secret

# Writing last_used on every call would turn every read into a write; a minute is precise enough.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """A live token of an active user. A malformed, unknown or revoked token is a 401 at once."""

    def authenticate(self, request: HttpRequest, token: str):
        if not token.startswith(TOKEN_PREFIX):
            raise AuthenticationError(401, _("API 令牌无效。"))
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_secret(token), revoked=False, user__is_active=True)
            .first()
        )
        if found is None:
            raise AuthenticationError(401, _("API 令牌无效或已被吊销。"))
        now = timezone.now()
        if found.last_used is None or now - found.last_used > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
        request.user = found.user
        return found.user


class _CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check, answering with the reason instead of rendering the HTML
    failure page (as Django REST framework does): the API answers in JSON."""

    def _reject(self, request, reason):
        return reason


def _csrf_failure(request: HttpRequest) -> str | None:
    check = _CsrfCheck(lambda _request: None)
    request.csrf_processing_done = False
    check.process_request(request)
    return check.process_view(request, _csrf_failure, (), {})


class SessionAuth(APIKeyCookie):
    """The logged-in web user. CSRF is checked only once we know the session is a real login,
    so an anonymous call gets the 401 it deserves rather than a CSRF 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and _csrf_failure(request) is not None:
            raise HttpError(403, _("CSRF 校验失败，请刷新页面后重试。"))
        return user


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
