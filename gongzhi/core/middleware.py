"""Headers Django 5.2 does not set by itself: a strict Content-Security-Policy and a
Permissions-Policy. All scripts and styles are vendored and served from our origin. Also: requests
carrying a NUL character are refused before they reach a query."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # ECharts and htmx set style attributes at run time; no inline <style> blocks in our templates.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(self), payment=(), usb=()"


def security_headers(get_response):
    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    if any(
        "\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in [*values, ""]
    ):
        return True
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return False
    if request.content_type == "application/json":
        return b"\x00" in request.body or b"\\u0000" in request.body
    try:
        form = request.POST
    except MultiPartParserError:
        return False  # a malformed upload: the view answers it as before
    return any("\x00" in key or "\x00" in value for key, values in form.lists() for value in [*values, ""])


def refuse_nul(get_response):
    """A NUL character in a path, query, form or JSON body is refused up front with a 400.

    PostgreSQL text cannot hold U+0000: the value would otherwise reach a query and end as an HTTP
    500 there (SQLite would store it). Nobody types a NUL; only a tampered request carries one."""

    def middleware(request):
        if _has_nul(request):
            message = _("请求中含有不允许的空字符（NUL），请删除后重试。")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": message}, status=400, json_dumps_params={"ensure_ascii": False}
                )
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware


# Views a read-only (district-only) user may still change something through: logging out, the
# language, and views marked with ``district_write`` (the district admin's district campaigns).
READ_ONLY_ALLOWED_URLS = frozenset({"logout", "set_language"})


def district_write(view):
    """Mark a view as one a district role may POST to (it checks its own right: the district admin)."""
    view.district_write = True
    return view


class DistrictReadOnly:
    """District roles read every street of their district and change nothing there: a user whose
    roles are district roles only gets 403 on any change (POST, PUT, PATCH, DELETE) except the views
    marked ``district_write``. The apps' write rights already ask the street's own roles
    (``is_street_wide``, ``is_street_admin``…), which a district role never holds; this guard makes
    "read only" hold for every view, the JSON API included, whatever it forgets to ask."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in self.SAFE or getattr(view_func, "district_write", False):
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in READ_ONLY_ALLOWED_URLS:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        from django.core.exceptions import PermissionDenied

        from gongzhi.core.scopes import scope_for

        if scope_for(user).is_read_only():
            raise PermissionDenied
        return None
