"""Stairwell notices (楼道公告) of the notices to an estate: a vote opened and the disclosure book
updated. Printed by whoever may open the object's office page (the same door), one page per building
or for the building asked for (``?building=<id>``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.pdf import pdf_response
from gongzhi.core.stairwell import Notice, notice_pdf
from gongzhi.core.validators import parse_id
from gongzhi.disclosure.permissions import get_book_estate
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
