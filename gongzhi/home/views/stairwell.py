"""Stairwell notices (楼道公告) of the notices to an estate: a vote opened, the disclosure book updated, a
satisfaction survey open and a fault-finding window (找茬) open. Printed by whoever may open the object's
office page (the same door) — for a survey or a fault-finding window, of those, whoever posts paper in the
estate (evaluation.permissions.may_post_notice) — one page per building or for the building asked for
(``?building=<id>``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.pdf import pdf_response
from gongzhi.core.scopes import scope_for, visible
from gongzhi.core.stairwell import Notice, notice_pdf
from gongzhi.core.validators import parse_id
from gongzhi.disclosure.permissions import get_book_estate
from gongzhi.evaluation import permissions as evaluation_permissions
from gongzhi.evaluation.models import CampaignEstate, CampaignStatus, EliminationStatus
from gongzhi.evaluation.selectors import fault_window_contracts
from gongzhi.registry.models import Building
from gongzhi.voting.models import DecisionStatus
from gongzhi.voting.permissions import get_decision_for_user, reads_votes


def building_label(number: str) -> str:
    """12 → 12号楼, 12号 → 12号楼; a building written out otherwise (3幢, 甲楼) stays as it is."""
    if number[-1:].isdigit():
        return _("%(number)s号楼") % {"number": number}
    if number.endswith("号") and number[:-1]:
        return _("%(number)s号楼") % {"number": number[:-1]}
    return number


def _buildings(request, queryset) -> list[str]:
    raw = request.GET.get("building", "")
    if raw:
        building = queryset.filter(pk=parse_id(raw)).first() if parse_id(raw) else None
        if building is None:
            raise Http404
        return [building_label(building.number)]
    return [building_label(b.number) for b in queryset.order_by("number")]


def _answer(notice: Notice, buildings: list[str]):
    # Outside the f-string, so that makemessages sees the word.
    filename = _("楼道公告") + f"-{notice.estate}.pdf"
    return pdf_response(notice_pdf(notice, buildings), filename, inline=False)


@login_required
def vote_notice(request, pk: int):
    """表决公告 of a published decision, for the buildings that vote on it."""
    if not reads_votes(request.user):  # the same door as the decision's office page
        raise PermissionDenied
    decision = get_decision_for_user(request.user, pk)
    if decision.status == DecisionStatus.DRAFT:
        raise Http404  # a draft is not announced
    estate = decision.estate
    voting_buildings = decision.buildings.all()
    buildings = voting_buildings if voting_buildings.exists() else Building.objects.filter(estate=estate)
    notice = Notice(
        kind=_("表决公告"),
        title=decision.title,
        estate=estate.name,
        url=reverse("decide:decision", args=[decision.pk]),
        lines=[
            _("本小区业主请在投票期间内表决。业主可用手机扫码投票，也可按业委会通知领取纸质表决票。"),
        ],
        dates=[(_("投票开始"), decision.opens_at), (_("投票截止"), decision.closes_at)],
        signed=_("%(estate)s业主委员会") % {"estate": estate.name},
    )
    return _answer(notice, _buildings(request, buildings))


@login_required
def disclosure_notice(request, estate_id: int):
    """公示本更新 of an estate's disclosure book."""
    estate = get_book_estate(request.user, estate_id)
    notice = Notice(
        kind=_("公示通知"),
        title=_("%(estate)s公示本已更新") % {"estate": estate.name},
        estate=estate.name,
        url=reverse("book:estate", args=[estate.pk]),
        lines=[
            _("小区的重大事项、业主规约、物业服务内容和收支情况已在公示本中更新，欢迎业主查阅、监督。"),
        ],
        dates=[(_("更新日期"), timezone.now())],
        signed=_("%(estate)s业主委员会") % {"estate": estate.name},
    )
    return _answer(notice, _buildings(request, Building.objects.filter(estate=estate)))


def _street_office(name: str) -> str:
    """示例街道 → 示例街道办事处; a street recorded without the word (示例) → 示例街道办事处."""
    if not name.endswith("街道"):
        name = _("%(street)s街道") % {"street": name}
    return _("%(street)s办事处") % {"street": name}


def _require_office(request) -> None:
    # The campaign and elimination pages are office pages (evaluation/views/common.py require_office).
    if not scope_for(request.user).is_office:
        raise PermissionDenied


@login_required
def survey_notice(request, pk: int, estate_id: int):
    """满意度测评 of a campaign in one of its estates: residents answer with the code of their household
    letter or, logged in, for their own unit (the QR code leads to /survey/)."""
    _require_office(request)
    campaign = evaluation_permissions.get_campaign_for_user(request.user, pk)
    if campaign.status != CampaignStatus.OPEN:
        raise Http404  # not open to residents (not yet, or no longer): nothing to announce
    link = (
        visible(request.user, CampaignEstate)
        .filter(campaign=campaign, estate_id=estate_id)
        .select_related("estate__area", "campaign__street")
        .first()
    )
    if link is None:
        raise Http404
    estate = link.estate
    if not evaluation_permissions.may_post_notice(request.user, estate):
        raise PermissionDenied
    notice = Notice(
        kind=_("测评公告"),
        title=_("%(campaign)s：物业服务满意度测评") % {"campaign": campaign.name},
        estate=estate.name,
        url=reverse("survey:start"),
        lines=[
            _("请各户对本小区物业服务（保洁、保绿、保安、保修等）评分。答卷不记名，每户一份。"),
            _("可用手机扫码，输入入户告知书上的测评码答卷；已登录的业主也可为自家房屋答卷。"),
        ],
        dates=[(_("答卷开始"), campaign.opens_on), (_("答卷截止"), campaign.closes_on)],
        signed=_street_office(campaign.street.name),
    )
    return _answer(notice, _buildings(request, Building.objects.filter(estate=estate)))


@login_required
def fault_notice(request, pk: int, estate_id: int):
    """问题征集（找茬） of an elimination campaign in an estate served by one of its bottom-N companies, while
    the window is open for faults; the QR code leads to the fault form (logged-in residents)."""
    _require_office(request)
    elimination = evaluation_permissions.get_elimination_for_user(request.user, pk)
    if elimination.status != EliminationStatus.FAULT_FINDING:
        raise Http404  # the window is over (or not this step): nothing to post
    contract = next(
        (c for c in fault_window_contracts(request.user, elimination) if c.estate_id == estate_id), None
    )
    if contract is None:
        raise Http404
    estate = contract.estate
    if not evaluation_permissions.may_post_notice(request.user, estate):
        raise PermissionDenied
    notice = Notice(
        kind=_("问题征集"),
        title=_("物业服务问题征集（找茬）：%(company)s") % {"company": contract.company.name},
        estate=estate.name,
        url=reverse("survey:fault", args=[elimination.pk]),
        lines=[
            _("本小区物业服务企业在街道物业服务测评中排名靠后，现向业主征集物业服务中的问题。"),
            _("请扫码登录后提交问题（可附照片）；每个问题都将记入问题清单，逐项整改销项。"),
        ],
        dates=[(_("征集开始"), elimination.fault_opens_on), (_("征集截止"), elimination.fault_closes_on)],
        signed=_street_office(elimination.street.name),
    )
    return _answer(notice, _buildings(request, Building.objects.filter(estate=estate)))
