"""Background tasks of the evaluation app (read by gongzhi/jobs/registry.py):

- the ``evaluation_recompute`` command, run by the platform's own schedule instead of a cron line;
- one campaign's recompute asked for by the street admin ("重新计算排名" on the campaign page, issue 16):
  ``services.campaign_recompute`` (one transaction, safe to run twice: the same inputs give the same
  rows), with a two-step progress bar (gathering the inputs, then the scores written) and its figures
  on the job's page;
- a whole estate's household letters (入户告知书), too many for one request: the codes are issued by
  ``services.codes_issue`` — the service of the direct download — and printed one PDF per building, issue
  and printing in ONE transaction (a code exists only on its letter: if a building's PDF cannot be made,
  no code is issued and none revoked). Run once: a second run would void the printed codes.
"""

from io import StringIO

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def evaluation_recompute(job) -> dict:
    out = StringIO()
    call_command("evaluation_recompute", "all-open", stdout=out)
    return {"output": out.getvalue().strip()[:4000]}


def campaign_recompute(job, *, campaign_id: int) -> dict:
    from gongzhi.core.errors import UserError
    from gongzhi.evaluation.models import Campaign
    from gongzhi.evaluation.services import campaign_recompute as recompute

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise UserError(gettext("测评活动已不存在。"))
    job.progress(0, 1, force=True)
    try:
        result = recompute(actor=job.user, campaign=campaign)
    except PermissionDenied:  # the person is no longer the street's admin
        raise UserError(gettext("您已无权重新计算该测评活动。")) from None
    job.progress(1, 1, force=True)
    return {
        "campaign": campaign.pk,
        "name": campaign.name,
        "estates": result.estates,
        "companies": result.companies,
        "responses": result.responses,
        "seconds": round(result.seconds, 2),
    }


def survey_letters(
    job,
    *,
    campaign_id: int,
    link_id: int,
    building_id: int | None = None,
    reissue: bool = False,
    base_url: str,
) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from gongzhi.core.errors import UserError
    from gongzhi.core.ordering import natural_key
    from gongzhi.evaluation import permissions, services
    from gongzhi.evaluation.documents import survey_letters_pdf
    from gongzhi.evaluation.models import CampaignEstate
    from gongzhi.jobs.files import safe_name, write_pdfs
    from gongzhi.jobs.services import result_dir
    from gongzhi.registry.models import Unit

    link = (
        CampaignEstate.objects.select_related("campaign", "estate__area__street")
        .filter(pk=link_id, campaign_id=campaign_id)
        .first()
    )
    if link is None or not permissions.may_issue_codes(job.user, link.estate):
        raise UserError(gettext("您已无权为该小区打印入户告知书。"))
    campaign, estate = link.campaign, link.estate
    units = Unit.objects.filter(building__estate=estate).select_related("building")
    if building_id is not None:
        units = units.filter(building_id=building_id)
    ordered = sorted(units, key=lambda u: (natural_key(u.building.number), natural_key(u.number)))
    folder = result_dir(job.pk)
    with transaction.atomic():
        try:
            issued = services.codes_issue(
                actor=job.user, campaign=campaign, estate=estate, units=ordered, reissue=reissue
            )
        except PermissionDenied:
            raise UserError(gettext("您已无权为该小区打印入户告知书。")) from None
        if not issued:
            raise UserError(
                gettext(
                    "没有需要发放的测评码：各户已有有效测评码或已答卷。如需补发，请勾选“作废旧码重新打印”。"
                )
            )
        by_building: dict[str, list] = {}
        for item in issued:
            by_building.setdefault(item.unit.building.number, []).append(item)
        total = len(by_building)
        job.progress(0, total, force=True)
        files = []
        for done, (building, items) in enumerate(by_building.items(), start=1):
            content = survey_letters_pdf(campaign=campaign, estate=estate, issued=items, base_url=base_url)
            name = gettext("%(estate)s-%(building)s-入户告知书.pdf") % {
                "estate": safe_name(estate.name),
                "building": safe_name(building),
            }
            files.append((name, content))
            job.progress(done, total)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        base = f"{safe_name(campaign.name)}-{safe_name(estate.name)}-入户告知书-{stamp}"
        file, filename = write_pdfs(folder, files, base)
    return {
        "file": file,
        "filename": filename,
        "estate": estate.name,
        "count": len(issued),
        "buildings": [{"number": number, "count": len(items)} for number, items in by_building.items()],
    }


TASKS = {
    "evaluation.letters": {
        "run": survey_letters,
        "title": _("打印测评入户告知书（PDF）"),
        "template": "evaluation/_letters_job_result.html",
        "progress_label": _("已生成 %(done)s / %(total)s 栋楼的入户告知书"),
        "max_attempts": 1,
    },
    "evaluation.evaluation_recompute": {"run": evaluation_recompute, "title": _("重算进行中的测评得分")},
    "evaluation.campaign_recompute": {
        "run": campaign_recompute,
        "title": _("重新计算测评排名"),
        "template": "evaluation/_recompute_result.html",
        "progress_label": _("已完成 %(done)s / %(total)s 步"),
        "max_attempts": 2,
    },
}
SCHEDULE = [{"task": "evaluation.evaluation_recompute", "daily": "03:00"}]
