"""The JSON API at /api/v1/: wiring only — auth, error bodies, routers.

Every error is JSON with a Chinese ``detail``; an object outside the user's scope gets the
same 404 body as one that does not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from gongzhi.api import schemas as s
from gongzhi.api.auth import session_auth, token_auth
from gongzhi.api.docs import LocalSwagger
from gongzhi.api.finance import router as finance_router
from gongzhi.api.registry import router as registry_router
from gongzhi.core.errors import UserError
from gongzhi.core.scopes import scope_for


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not as \\uXXXX escapes: readable in logs and by people."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="gongzhi API",
    version="1",
    description="共治平台台账接口。认证：登录会话（修改类请求需 CSRF 令牌）或个人 API 令牌 "
    "（请求头 Authorization: Bearer gz_…）。个人信息按权限脱敏。",
    urls_namespace="api",
    auth=[token_auth, session_auth],
    docs=LocalSwagger(),
    renderer=Utf8JSONRenderer(),
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    message = (
        exc.message
        if exc.message != "Unauthorized"
        else _("请先登录，或在请求头中提供有效的 API 令牌（Authorization: Bearer gz_…）。")
    )
    return api.create_response(request, {"detail": message}, status=401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("记录不存在。")}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": _("您没有权限执行此操作。")}, status=403)


@api.exception_handler(NinjaValidationError)
def _bad_request(request, exc):
    return api.create_response(request, {"detail": _("请求参数有误。"), "errors": exc.errors}, status=422)


@api.exception_handler(DjangoValidationError)
def _invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": _("数据校验未通过。"), "errors": errors}, status=422)


@api.exception_handler(UserError)
def _refused(request, exc):
    """Every app's refusal (RegistryError, LedgerError, FeeError …): 400 with its Chinese message."""
    return api.create_response(request, {"detail": exc.message}, status=400)


@api.get("/me", response={200: s.MeOut, **s.ALWAYS}, tags=["账户"], summary="当前用户")
def me(request):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "roles": scope_for(user).role_names(),
    }


api.add_router("/", registry_router)
api.add_router("/", finance_router)
