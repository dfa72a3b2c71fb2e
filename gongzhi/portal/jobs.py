"""The portal's background task: a batch of owner activation letters, per building (issue 16).

The letters are issued by ``services.letters_issue`` — the very service of the direct download, with its
revocations, its notices to existing accounts and its audit record — and rendered by
``documents.letters_pdf``, one PDF per building (the building of the owner's first unit, so that each
letter is printed once). Issue and rendering run in ONE transaction: a code exists only in the PDF that
carries it, so if any building's PDF cannot be made, no code is issued and no earlier code is revoked
(all or nothing). The progress bar counts buildings. The result (one PDF, or a zip of one PDF per
building) is kept in the job's own folder, served to the job's owner only (``jobs/views.py``).

The task runs once (``max_attempts`` 1): a second run would issue new codes and void the printed ones.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import UserError
from gongzhi.jobs.files import safe_name, write_pdfs


def letters_task(
    job,
    *,
    estate_id: int,
    which: str,
    building_id: int | None = None,
    owner_id: int | None = None,
    activate_url: str,
) -> dict:
    from gongzhi.jobs.services import result_dir
    from gongzhi.portal import services
    from gongzhi.portal.documents import letters_issuer, letters_pdf
    from gongzhi.registry.models import Estate

    estate = Estate.objects.select_related("area__street").get(pk=estate_id)
    folder = result_dir(job.pk)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    with transaction.atomic():
        owner_ids, include_activated = services.letters_selection(
            estate, which=which, building_id=building_id, owner_id=owner_id
        )
        if not owner_ids:
            raise UserError(_("没有需要发放激活信的业主（所选范围内的业主都已激活或已有有效激活码）。"))
        try:
            issued = services.letters_issue(
                actor=job.user, estate=estate, owner_ids=owner_ids, include_activated=include_activated
            )
        except PermissionDenied:  # the person's role ended between the click and the run
            raise UserError(_("您已无权为该小区发放激活信。")) from None
        if not issued:
            raise UserError(_("没有需要发放激活信的业主（所选范围内的业主都已激活或已有有效激活码）。"))
        by_building: dict[str, list] = {}
        for letter in issued:  # units come ordered by building, then number
            by_building.setdefault(letter.units[0].building.number if letter.units else "", []).append(letter)
        issuer = letters_issuer(job.user, estate)
        total = len(by_building)
        job.progress(0, total, force=True)
        files = []
        for done, (building, letters) in enumerate(by_building.items(), start=1):
            content = letters_pdf(estate=estate, letters=letters, activate_url=activate_url, issuer=issuer)
            name = _("%(estate)s-%(building)s-激活信.pdf") % {
                "estate": safe_name(estate.name),
                "building": safe_name(building),
            }
            files.append((name, content))
            job.progress(done, total)
        file, filename = write_pdfs(folder, files, f"{safe_name(estate.name)}-激活信-{stamp}")
    return {
        "file": file,
        "filename": filename,
        "estate": estate.name,
        "count": len(issued),
        "buildings": [{"number": number, "count": len(letters)} for number, letters in by_building.items()],
    }


TASKS = {
    "portal.letters": {
        "run": letters_task,
        "title": gettext_lazy("生成业主激活信（PDF）"),
        "template": "portal/_letters_job_result.html",
        "progress_label": gettext_lazy("已生成 %(done)s / %(total)s 栋楼的激活信"),
        "max_attempts": 1,
    }
}
