"""The registry's background task: the Excel import, with a progress bar (issue 16).

The upload is kept in the jobs folder (readable by the server's user only) until the job has run; the
import itself is ``importers.registry_import`` — still ONE transaction, all or nothing — told to report
the rows it has checked, then the records it has written (two phases, each half of the bar). Progress
goes to a small file (``jobs.services.JobContext``), not to the database: a second connection could not
write it while the import holds SQLite's write lock, and on PostgreSQL the import's own writes would not
be seen before its commit. The report is the job's result; the job's page shows it as the import page did.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongzhi.registry import importers
from gongzhi.registry.importers.report import Counts, ImportReport, RowError

REPORT_MAX_ERRORS = 500  # as many as the page shows; the count is kept


def report_as_dict(report: ImportReport) -> dict:
    return {
        "filename": report.filename,
        "sha256": report.sha256,
        "dry_run": report.dry_run,
        "written": report.written,
        "errors": [e.as_list() for e in report.errors[:REPORT_MAX_ERRORS]],
        "error_count": len(report.errors),
        "counts": report.counts_as_dict(),
        "rows": report.rows,
    }


def report_from_dict(data: dict) -> ImportReport:
    return ImportReport(
        filename=data.get("filename", ""),
        sha256=data.get("sha256", ""),
        dry_run=bool(data.get("dry_run")),
        written=bool(data.get("written")),
        errors=[
            RowError(sheet, int(row) if row else None, column, message)
            for sheet, row, column, message in data.get("errors", [])
        ],
        counts={label: Counts(**c) for label, c in data.get("counts", {}).items()},
        rows=data.get("rows", {}),
    )


def import_task(job, *, street_id: int, upload: str, filename: str = "", dry_run: bool = False) -> dict:
    from gongzhi.jobs.services import jobs_dir
    from gongzhi.registry.models import Street

    path = jobs_dir() / "uploads" / upload
    if path.name != upload or not path.is_file():
        # Already imported by an earlier attempt that died after its commit, or never saved: nothing to do again.
        return {"missing_upload": True, "filename": filename}
    street = Street.objects.get(pk=street_id)
    report = importers.registry_import(
        actor=job.user,
        street=street,
        fileobj=path.read_bytes(),
        filename=filename,
        dry_run=dry_run,
        progress=job.progress,
        phase=job.phase,
    )
    path.unlink(missing_ok=True)
    return report_as_dict(report)


def import_context(result: dict | None) -> dict:
    if not result or result.get("missing_upload"):
        return {"report": None}
    report = report_from_dict(result)
    return {"report": report, "error_count": result.get("error_count", len(report.errors))}


def export_task(job, *, key: str, query: str = "") -> dict:
    """A large registry list as .xlsx (``views.office.export_view`` above the direct limit): the same
    rows, columns and masking as the direct download, for the job's owner as they see the list now."""
    from django.http import QueryDict

    from gongzhi.core.errors import UserError
    from gongzhi.core.scopes import scope_for, visible
    from gongzhi.jobs.exports import counting, write_xlsx_result
    from gongzhi.registry.resources import BY_KEY
    from gongzhi.registry.views.office import EXPORT_MAX_ROWS, export_sheet, filtered_list

    user, resource = job.user, BY_KEY.get(key)
    scope = scope_for(user)
    if resource is None or not resource.readable_by(scope):
        raise UserError(str(_("您已无权导出该列表。")))
    params = QueryDict(query)
    queryset = filtered_list(user, resource, params)[0]
    if params.get("format") == "import" and resource.import_sheet:
        # The rows in the import template's columns (exporters.py: the same scope and masking).
        from gongzhi.jobs.services import result_dir
        from gongzhi.registry import exporters
        from gongzhi.registry.models import Street

        street = visible(user, Street).order_by("pk").first()
        if street is None:
            raise UserError(str(_("您已无权导出该列表。")))
        job.progress(0, 1, force=True)
        folder = result_dir(job.pk)
        (folder / "export.xlsx.part").write_bytes(
            exporters.export_sheet(resource.import_sheet, queryset, user=user)
        )
        (folder / "export.xlsx.part").replace(folder / "export.xlsx")
        rows = queryset.count()
        return {
            "file": "export.xlsx",
            "filename": exporters.export_filename(street, resource.import_sheet),
            "rows": rows,
        }
    total = min(queryset.count(), EXPORT_MAX_ROWS)
    sheet, filename = export_sheet(resource, queryset, scope, rows=lambda rows: counting(rows, job, total))
    return write_xlsx_result(job, [sheet], filename, rows=total)


TASKS = {
    "registry.export": {
        "run": export_task,
        "title": _("导出台账列表（Excel）"),
        "template": "jobs/_export_result.html",
        "progress_label": _("已写入 %(done)s / %(total)s 行"),
        "max_attempts": 2,
    },
    "registry.import": {
        "run": import_task,
        "title": _("Excel 导入台账"),
        "template": "registry/_import_report.html",
        "context": import_context,
        "progress_label": _("已检查 %(done)s / %(total)s 行"),
        # Checking is the bar's first half, writing (inside the same one transaction) its second.
        "phases": [
            ("check", _("正在检查……"), _("已检查 %(done)s / %(total)s 行")),
            ("write", _("正在写入……"), _("已写入 %(done)s / %(total)s 条记录")),
        ],
        "max_attempts": 1,  # an import is asked for by a person, who sees the outcome and may try again
    },
}
