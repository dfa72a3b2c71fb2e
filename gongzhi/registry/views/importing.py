"""Excel import pages: download templates, upload a workbook, read the row-by-row report.
The engine (validation, all-or-nothing writing) lives in the ``importers`` package."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.core.scopes import scope_for


def _admin_street_id(request) -> int:
    street_id = scope_for(request.user).admin_street_id()
    if street_id is None:
        raise PermissionDenied
    return street_id


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request):
    street_id = _admin_street_id(request)
    from gongzhi.registry import importers

    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的 Excel 文件。"))
        else:
            dry_run = request.POST.get("dry_run") == "1"
            report = importers.import_upload(
                actor=request.user, street_id=street_id, upload=upload, dry_run=dry_run
            )
            if report.ok and not dry_run:
                messages.success(request, _("导入成功。"))
            elif report.ok:
                messages.info(request, _("检查通过,没有发现错误。取消“只检查”后再次上传即可写入。"))
            else:
                messages.error(request, _("文件有错误,没有导入任何数据。请按下表修改后重新上传。"))
    return render(
        request,
        "registry/import.html",
        {
            "sheets": importers.SHEETS,
            "report": report,
            "dry_run": request.method == "POST" and request.POST.get("dry_run") == "1",
            "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
            "nav_active": "import",
        },
    )


@login_required
def template_view(request, sheet: str):
    _admin_street_id(request)
    from gongzhi.registry import importers

    if sheet != "all" and sheet not in {s.key for s in importers.SHEETS}:
        raise Http404
    return importers.template_response(sheet)
