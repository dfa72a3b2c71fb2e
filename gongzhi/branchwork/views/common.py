"""Helpers shared by the office pages of the branch's work (``gongzhi.branchwork.views.*``)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.utils import timezone

from gongzhi.branchwork import permissions, rules
from gongzhi.branchwork.services import BranchworkError
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.validators import is_id
from gongzhi.problems.models import Category
from gongzhi.problems.services import category_defaults_ensure
from gongzhi.registry.models import Area, Street

PAGE_SIZE = 50


def require_reader(request) -> None:
    permissions.require_branch_reader(request.user)


def local_today() -> dt.date:
    return timezone.localdate()


def chosen_week(request) -> dt.date:
    monday = rules.parse_week(request.GET.get("week", ""))
    return monday or rules.week_start(local_today())


def visible_areas(user):
    return permissions.reader_areas(user).order_by(*pinyin_order(Area, "name"))


def chosen_area(request, *, write_roles=None) -> Area | None:
    """The area a page works on: ?area= among the visible ones, else the user's only area."""
    areas = visible_areas(request.user)
    raw = request.GET.get("area") or request.POST.get("area") or ""
    if is_id(raw):
        area = areas.filter(pk=raw).first()
        if area is None:
            raise Http404
        return area
    own = list(areas.filter(pk__in=permissions.member_area_ids(request.user))[:2])
    return own[0] if len(own) == 1 else None


def flash_error(request, exc: BranchworkError) -> None:
    messages.error(request, exc.message)


def street_categories(street_id: int):
    street = Street.objects.get(pk=street_id)
    category_defaults_ensure(street=street)
    return Category.objects.filter(street_id=street_id)
