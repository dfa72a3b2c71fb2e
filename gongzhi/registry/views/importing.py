"""Excel import pages: download templates, upload a workbook, read the row-by-row report.
The engine (validation, all-or-nothing writing) lives in the ``importers`` package."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
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
    """The upload goes to the background worker (``registry/jobs.py``); the job's page shows the rows
    checked so far, then the report. The import is still one transaction: all or nothing."""
    street_id = _admin_street_id(request)
    from gongzhi.registry import importers

    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的 Excel 文件。"))
        else:
            job = importers.import_start(
                actor=request.user,
                street_id=street_id,
                upload=upload,
                dry_run=request.POST.get("dry_run") == "1",
            )
            return redirect("jobs:detail", job.pk)
    return render(
        request,
        "registry/import.html",
        {
            "sheets": importers.SHEETS,
            "report": None,
            "dry_run": False,
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
