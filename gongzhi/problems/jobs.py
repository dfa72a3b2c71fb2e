"""Background task of the problems app (read by gongzhi/jobs/registry.py): the ``escalate_overdue``
command, run by the platform's own schedule instead of a cron line. The command is safe to run twice."""

from io import StringIO

from django.core.management import call_command
from django.utils.translation import gettext_lazy as _


def escalate_overdue(job) -> dict:
    out = StringIO()
    call_command("escalate_overdue", stdout=out)
    return {"output": out.getvalue().strip()[:4000]}


def export_task(job, *, query: str = "") -> dict:
    """The problems list as .xlsx for the job's owner: the same rows and columns as the direct download."""
    from django.http import QueryDict

    from gongzhi.core.errors import UserError
    from gongzhi.core.scopes import scope_for
    from gongzhi.jobs.exports import counting, write_xlsx_result
    from gongzhi.problems import selectors
    from gongzhi.problems.views.office import EXPORT_MAX_ROWS, export_sheet

    if job.user is None or not scope_for(job.user).is_office:
        raise UserError(str(_("您已无权导出该列表。")))
    params = QueryDict(query)
    queryset, _applied = selectors.filter_problems(selectors.problems_for(job.user), params)
    queryset, _order = selectors.sort_problems(queryset, params.get("o", ""))
    total = min(queryset.count(), EXPORT_MAX_ROWS)
    sheet, filename = export_sheet(queryset, rows=lambda rows: counting(rows, job, total))
    return write_xlsx_result(job, [sheet], filename, rows=total)


TASKS = {
    "problems.escalate_overdue": {"run": escalate_overdue, "title": _("将超期问题升级督办")},
    "problems.export": {
        "run": export_task,
        "title": _("导出问题清单（Excel）"),
        "template": "jobs/_export_result.html",
        "progress_label": _("已写入 %(done)s / %(total)s 行"),
        "max_attempts": 2,
    },
}
SCHEDULE = [{"task": "problems.escalate_overdue", "daily": "00:30"}]
