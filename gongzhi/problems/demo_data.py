"""The demo street's problem history (问题清单的演示历史; docs/DESIGN.md §4.2, §8): the problems'
``demo_data`` plug-in (``demo_create``, ``demo_delete``, ``demo_fingerprint``; see gongzhi.core.plugins).

``demo_create`` writes several hundred problems over the eighteen months before the
demo's "today" (busier lately, as a street takes the platform up; the wall's trends read
them) — every category and source, every state, some overdue — as a pure function of
(seed, scale, today) and the loaded street, in a handful of bulk inserts. Each row is what the
services would have left behind: the events chain legal transitions of ``rules.py``; status,
timestamps, carriage and assignee agree with the events; a deadline is ``add_working_days`` from
the accept (or reopen) day with the category's working days; and an overdue problem carries the
escalation that the daily ``escalate_overdue`` timer (00:30, docs/OPERATIONS.md) would have made.

What the demo leaves out, and why:

- The history ends when "today" begins, so the street is the same whenever it is loaded that
  day. Today's timer has not run yet: ``gongzhi escalate_overdue`` escalates what fell due
  yesterday.
- Only ``demo_owner`` among the residents has a login, so every other resident's problem has
  ``reporter=None`` — what a real problem looks like once its reporter's account is deleted
  (SET_NULL). Their ratings and reopenings are still the reporter's events. Office steps in
  areas, companies and committees without a demo login have ``actor=None`` and the
  organisation's label, which is what others see of a real history anyway.
- One photo per submission for verification (a small picture drawn once and shared,
  ``demo_photos.py``), none with a report; no audit row per step: the demo street's one
  import audit row covers the history. Only a few recent items are in the demo users' inboxes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from random import Random

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.keyed import Keyed, day_param
from gongzhi.core.models import Notification, RoleGrant, User
from gongzhi.core.workdays import Deadline, UnknownCalendarYear, add_working_days, is_working_day
from gongzhi.demo.errors import DemoError
from gongzhi.problems import rules
from gongzhi.problems.demo_photos import evidence_photos
from gongzhi.problems.models import (
    OPEN_STATUSES,
    Carriage,
    Category,
    Problem,
    ProblemEvent,
    ProblemPhoto,
    Source,
    Status,
)
from gongzhi.problems.services import category_defaults_ensure
from gongzhi.registry import models as r

HISTORY_DAYS = 548  # eighteen months before "today": the wall's trends (docs/WALL.md)
FULL_COUNT = 700  # problems at scale 1
REOPEN_SHARE = 0.01  # of all problems, reopened once by their reporter (at least 2)
TIMER_AT = dt.time(0, 30)  # when the daily escalation timer runs (docs/OPERATIONS.md)
OFFICE_OPENS, OFFICE_CLOSES = 8 * 60 + 30, 17 * 60 + 45  # minutes after midnight

# The state each problem is in when "today" begins: (fate, share of the history, at least).
# Whatever is left is closed. "overdue" = assigned or in progress past its deadline.
FATES = (
    ("reported", 0.012, 3),
    ("rejected", 0.055, 3),
    ("assigned", 0.03, 2),
    ("in_progress", 0.06, 3),
    ("submitted", 0.04, 3),
    ("overdue", 0.07, 4),
)
# Days before "today" on which a problem of that fate may have been reported.
WINDOWS = {
    "reported": (1, 3),
    "rejected": (1, HISTORY_DAYS),
    "assigned": (1, 8),
    "in_progress": (2, 20),
    "submitted": (2, 25),
    "overdue": (5, 70),
    "closed": (6, HISTORY_DAYS),
}

# fmt: off
# code: (weight in an old estate, in a newer one) — the seed's themes weigh most: parking,
# e-bike charging, cleaning and greening, ageing facilities, the maintenance fund.
CATEGORY_WEIGHTS = {
    "parking": (20, 18), "ebike": (15, 9), "cleaning": (15, 12), "greening": (10, 9),
    "security": (5, 8), "repair": (19, 7), "fund": (7, 5), "fees": (5, 6), "other": (4, 4),
}
SOURCES = (Source.RESIDENT, Source.PATROL, Source.HEARING, Source.MEETING, Source.SURVEY, Source.INSPECTION)
SOURCE_WEIGHTS = {  # in the order of SOURCES
    "parking": (55, 25, 6, 6, 3, 5), "ebike": (40, 40, 3, 4, 1, 12), "cleaning": (45, 22, 2, 3, 14, 14),
    "greening": (40, 25, 3, 4, 14, 14), "security": (50, 20, 4, 4, 12, 10), "repair": (60, 22, 5, 5, 3, 5),
    "fund": (35, 0, 30, 30, 5, 0), "fees": (40, 0, 25, 20, 15, 0), "other": (60, 20, 8, 8, 4, 0),
}
SOURCE_PREFIX = {
    Source.RESIDENT: "", Source.PATROL: "日常巡查发现：", Source.HEARING: "听证会上居民反映：",
    Source.MEETING: "五方联席会议提出：", Source.SURVEY: "季度满意度测评低分项：",
    Source.INSPECTION: "第三方检查发现：",
}

# Per category: descriptions ({b} = a building), locations, progress notes, evidence, send-back reasons.
TEXTS = {
    "parking": (
        ["{b}楼下常有车辆乱停，堵住消防通道，救护车进不来。", "小区东门口晚上停满外来车辆，居民进出困难。",
         "绿化带被车压坏，{b}门前的草坪成了停车场。", "僵尸车停在{b}旁已有半年，轮胎都瘪了，占着车位。",
         "夜里车辆停在消防通道上，{b}的老人出门要绕路。", "车位划线看不清，经常有人一车占两个车位，邻里为此争吵。",
         "自行车、电动车乱停在{b}单元门口，轮椅推不过去。"],
        ["消防通道", "小区东门", "{b}门前", "{b}旁空地", "小区主干道", "{b}单元门口"],
        ["已张贴告示并逐一联系车主挪车", "已在消防通道两端设置隔离桩", "已联系交警拖移僵尸车"],
        ["消防通道已重新划线并设隔离桩，车辆已挪走", "已清拖僵尸车 2 辆，车位恢复使用",
         "已重新划定车位并公示停车管理办法"],
        ["隔离桩未装到位，夜间仍有车辆停放", "僵尸车仍未拖走"],
    ),
    "ebike": (
        ["{b}有人从楼上拉电线给电动车充电，电线垂在窗外。", "{b}楼道里停着电动车充电，整夜不拔。",
         "一楼门厅停放多辆电动自行车，堵住楼梯口，有火灾隐患。", "非机动车棚充电桩不够用，居民只能飞线充电。",
         "有人把电瓶拎回家里充电，{b}的邻居很担心。", "车棚充电桩坏了一个多月没人修，大家又开始拉线充电。"],
        ["{b}楼道", "{b}一楼门厅", "非机动车棚", "{b}窗外", "地下车库"],
        ["已上门劝导并拆除飞线", "已清理楼道内停放的电动车", "已联系充电桩运营方维修"],
        ["飞线已全部拆除，已张贴安全告知书", "楼道电动车已清空，住户已签安全承诺书", "充电桩已修复，试充正常"],
        ["楼道内仍有电动车停放", "飞线拆除后又有人拉线"],
    ),
    "cleaning": (
        ["垃圾箱房周边满地垃圾，气味很大，招蚊蝇。", "{b}楼道好久没打扫，台阶上积满灰尘和小广告。",
         "湿垃圾桶没有及时清运，污水流到路上。", "大件垃圾堆在{b}旁边一个多月无人清运。",
         "雨后路面有淤泥，一直没人清扫。", "楼道扶手和信报箱很脏，保洁只扫不擦。"],
        ["垃圾箱房", "{b}楼道", "{b}旁", "小区主干道", "大件垃圾堆放点"],
        ["已安排保洁加班清理", "已联系环卫所加派清运车"],
        ["已全面清扫消毒，每日增加一次清运", "大件垃圾已清运完毕", "楼道已冲洗，扶手和信报箱已擦拭"],
        ["垃圾箱房周边仍有垃圾", "楼道只清扫了一半"],
    ),
    "greening": (
        ["{b}前的树长得太高，挡住低楼层的阳光，树枝碰到窗户。", "绿化带杂草丛生，很久没有修剪。",
         "有居民在{b}南侧绿地里种菜，破坏绿化。", "枯死的树一直没补种，草坪秃了一大块。",
         "大风后树枝折断压在{b}旁的车棚上，还没清理。", "绿化打药不提前通知，孩子就在旁边玩。"],
        ["中心绿地", "{b}南侧绿化带", "小区围墙边", "{b}前", "儿童游乐区旁"],
        ["已联系绿化养护单位，排期修剪", "已与种菜居民沟通，约定清理时间"],
        ["树枝已修剪，不再遮挡采光", "杂草已清除并补种草皮", "绿地已恢复，菜地已清理"],
        ["修剪不彻底，仍碰到窗户", "补种的苗木数量不够"],
    ),
    "security": (
        ["门岗夜里经常没人，外来人员随意进出。", "小区监控坏了好几个，{b}附近有电动车被偷。",
         "门禁失灵，{b}单元门一直敞开。", "保安不登记外卖和快递人员，直接放行。", "围墙有缺口，有人从缺口进出。"],
        ["小区南门", "门岗", "{b}单元门", "围墙边", "监控室"],
        ["已调整门岗排班", "已报修监控设备，等待配件"],
        ["门岗已恢复 24 小时值守", "监控已修复，录像已交派出所", "门禁已更换，单元门可正常关闭", "围墙缺口已封堵"],
        ["夜间门岗仍无人值守", "仍有两个监控不能使用"],
    ),
    "repair": (
        ["{b}顶楼屋面漏水，下雨天家里墙面发霉。", "{b}楼道灯坏了很久，老人晚上上下楼看不见。",
         "{b}单元门闭门器坏了，门关不上。", "雨污水管道堵塞，{b}一楼返水。", "{b}外墙涂层剥落，担心砸到人。",
         "小区路面坑洼，下雨积水，有老人摔倒过。", "{b}楼梯扶手松动，信报箱锈蚀脱落。",
         "二次供水水箱多年未清洗，水有异味。"],
        ["{b}屋面", "{b}楼道", "{b}单元门", "{b}一楼", "{b}外墙", "小区主干道", "水泵房"],
        ["已派维修工现场查看，正在采购材料", "已联系施工队，等待天晴施工"],
        ["屋面已做防水修补，雨后复查无渗漏", "楼道灯已更换为声控 LED 灯", "管道已疏通", "闭门器已更换",
         "路面已修补平整", "水箱已清洗消毒，水质检测合格"],
        ["雨后复查仍有渗漏", "只做了临时处理，请彻底修复"],
    ),
    "fund": (
        ["{b}屋面大修要动用维修资金，业主不清楚账上还有多少钱。", "维修资金使用情况半年多没有公示。",
         "外墙维修的维修资金分摊方案没有征求业主意见。", "维修资金余额已不足首期的 30%，没有续筹方案。",
         "去年屋面修缮的维修资金决算一直没有公布。"],
        ["", "公示栏"],
        ["已向房管部门调取维修资金账目", "已起草续筹方案，征求业主意见中"],
        ["已在公示栏公布维修资金使用明细", "已召开业主代表会说明分摊方案", "已公布维修资金余额和续筹计划"],
        ["公示内容不完整，缺少支出凭证", "分摊方案未按楼栋列明"],
    ),
    "fees": (
        ["物业费收支情况没有公开，不知道钱用在哪里。", "公共收益（广告位、停车费）的账目没有按季度公示。",
         "物业服务内容和收费标准没有在小区公示。", "停车费涨价没有说明依据。", "业委会的经费开支没有向业主公开。"],
        ["物业服务中心", "公示栏", ""],
        ["已整理收支明细，提请业委会审核"],
        ["已公示上半年物业费收支明细", "已按季度公示公共收益", "已公示服务内容与收费标准"],
        ["公示缺少公共收益部分", "收支明细未经业委会盖章"],
    ),
    "other": (
        ["楼道里堆放杂物，邻里有矛盾，希望居委会协调。", "{b}有住户在公共部位搭建，邻居意见很大。",
         "有居民在小区里喂流浪猫，猫越来越多，晚上很吵。", "广场舞音响太响，影响{b}居民休息。",
         "小区公告栏信息陈旧，希望及时更新。"],
        ["{b}楼道", "小区广场", "公告栏", ""],
        ["已上门沟通，双方同意协商", "已组织楼组长协调"],
        ["经协调，杂物已清理", "违章搭建已拆除", "已协调活动时间和音量", "公告栏已更新"],
        ["杂物只清理了一部分"],
    ),
}
GENERIC_SEND_BACK = ["现场核实未整改到位，请补充整改", "整改照片与现场情况不符", "只做了临时处理，请彻底整改"]
CLOSE_NOTES = ["现场核实已整改到位，予以销项", "经现场验收，居民认可", "已回访报告人，同意销项", ""]
REJECT_REASONS = [
    "属于市政道路，已转交城管部门处理", "属于业主自用部位，不属于公共部位维修范围",
    "与已受理的同一问题重复，已合并处理", "经现场核实，问题不存在", "属于燃气公司管辖，已转交燃气公司",
    "属于邻里纠纷，已请居委会人民调解",
]
REOPEN_NOTES = ["整改后又出现同样的问题", "只整改了一部分，问题又反复了", "过了几天又恢复原样了"]
RATING_COMMENTS = {
    1: ["问题没有真正解决"], 2: ["整改太慢", "效果一般"], 3: ["一般，希望保持", "拖了几天", ""],
    4: ["满意", "总体不错", ""], 5: ["处理及时，非常满意", "效果很好，谢谢", ""],
}
# fmt: on


def problem_count(scale: float) -> int:
    """How many problems the history has: FULL_COUNT at scale 1; a small street keeps over a quarter
    (its estates and companies are all there, only the units are fewer)."""
    return round(FULL_COUNT * (0.25 + 0.75 * scale))


# ---- the calendar and the clock ---------------------------------------------------------------


@cache
def _add_working_days(day: dt.date, days: int) -> Deadline:
    """``add_working_days`` remembered: the history asks the same few hundred questions thousands
    of times, and chinesecalendar checks each date against its whole table."""
    return add_working_days(day, days, allow_provisional=True)


@cache
def _working(day: dt.date) -> bool:
    try:
        return is_working_day(day)
    except UnknownCalendarYear:  # a year without a published arrangement: Monday–Friday
        return day.weekday() < 5


def _at(day: dt.date, minutes: int) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(minutes // 60, minutes % 60), tzinfo=timezone.get_default_timezone()
    )


def _minutes(moment: dt.datetime) -> int:
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return local.hour * 60 + local.minute


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _office_after(rng: Random, after: dt.datetime, working_days: int) -> dt.datetime:
    """An office-hours moment ``working_days`` working days after ``after``; 0 = later the same
    working day if there is time left, else the next working day."""
    day = _day(after)
    if working_days == 0:
        if _working(day):
            earliest = max(_minutes(after) + 15, OFFICE_OPENS)
            if earliest <= OFFICE_CLOSES:
                return _at(day, earliest + rng.randint(0, min(150, OFFICE_CLOSES - earliest)))
        working_days = 1
    while working_days:
        day += dt.timedelta(days=1)
        working_days -= _working(day)
    return _at(day, rng.randint(OFFICE_OPENS, OFFICE_CLOSES))


def _resident_after(rng: Random, after: dt.datetime, low_hours: int, high_hours: int) -> dt.datetime:
    """A moment between 7:00 and 22:00 some hours after ``after`` (residents act any day)."""
    moment = after + dt.timedelta(minutes=rng.randint(low_hours * 60, high_hours * 60))
    if not 7 * 60 <= _minutes(moment) < 22 * 60:
        day = _day(moment) + dt.timedelta(days=1 if _minutes(moment) >= 22 * 60 else 0)
        moment = _at(day, 7 * 60 + rng.randint(0, 180))
    return moment


def _reported_at(rng: Random, day: dt.date, source: str) -> dt.datetime:
    """Residents report any time of day; patrols walk in the morning; the office works on working days."""
    if source == Source.RESIDENT:
        return _at(day, rng.randint(7 * 60, 22 * 60 - 1))
    if source == Source.PATROL:
        return _at(day, rng.randint(8 * 60, 11 * 60 + 30))
    while not _working(day):
        day += dt.timedelta(days=1)
    if source in (Source.HEARING, Source.MEETING):  # hearings and joint meetings sit after work
        return _at(day, rng.randint(14 * 60, 20 * 60))
    return _at(day, rng.randint(9 * 60, 16 * 60 + 30))


# ---- the street as the history sees it ----------------------------------------------------------


@dataclass(slots=True)
class _Place:
    estate: r.Estate
    area: r.Area
    old: bool
    weight: float
    buildings: list[r.Building]
    contracts: list[r.Contract]  # newest start first, as services._resolve_assignee reads them
    committees: list[r.OwnersCommittee]
    rc: r.ResidentsCommittee | None


@dataclass(slots=True)
class _Cast:
    """The demo logins and the part of the street each acts in (from their role grants)."""

    users: Mapping[str, User]
    area_id: int | None = None
    company_id: int | None = None
    oc_estate_id: int | None = None
    owner_estate_id: int | None = None
    evaluator_estates: set[int] = field(default_factory=set)

    def user(self, name: str) -> User | None:
        return self.users.get(name)


def _cast(users: Mapping[str, User]) -> _Cast:
    cast = _Cast(users)
    grants = RoleGrant.objects.filter(user__in=list(users.values())).select_related("user", "unit__building")
    for grant in grants.order_by("pk"):
        name = grant.user.username
        if name == "demo_secretary":
            cast.area_id = grant.area_id
        elif name == "demo_company":
            cast.company_id = grant.company_id
        elif name == "demo_oc":
            cast.oc_estate_id = grant.estate_id
        elif name == "demo_owner" and grant.unit_id:
            cast.owner_estate_id = grant.unit.building.estate_id
        elif name == "demo_evaluator" and grant.estate_id:
            cast.evaluator_estates.add(grant.estate_id)
    return cast


def _places(street: r.Street, rng: Random, cast: _Cast, today: dt.date) -> list[_Place]:
    estates = list(r.Estate.objects.filter(area__street=street).select_related("area").order_by("pk"))
    buildings: dict[int, list[r.Building]] = {}
    for building in r.Building.objects.filter(estate__area__street=street).order_by("pk"):
        buildings.setdefault(building.estate_id, []).append(building)
    contracts: dict[int, list[r.Contract]] = {}
    for contract in (
        r.Contract.objects.filter(estate__area__street=street)
        .select_related("company")
        .order_by("-start_date", "pk")
    ):
        contracts.setdefault(contract.estate_id, []).append(contract)
    committees: dict[int, list[r.OwnersCommittee]] = {}
    for committee in r.OwnersCommittee.objects.filter(estate__area__street=street).order_by("pk"):
        committees.setdefault(committee.estate_id, []).append(committee)
    rcs = {rc.area_id: rc for rc in r.ResidentsCommittee.objects.filter(area__street=street).order_by("pk")}
    places = []
    for estate in estates:
        active = next((c for c in contracts.get(estate.pk, []) if c.start_date <= today <= c.end_date), None)
        weight = (2.0 if estate.is_old else 1.0) * rng.uniform(0.6, 1.5)
        if active is not None and active.company.ownership == r.CompanyOwnership.STATE:
            weight *= 1.4  # the big state-owned company manages the oldest, most crowded estates
        if estate.pk == cast.owner_estate_id:
            weight *= 2.5  # the demo logins' own estate is a lively one
        places.append(
            _Place(
                estate,
                estate.area,
                estate.is_old,
                weight,
                buildings.get(estate.pk, []),
                contracts.get(estate.pk, []),
                committees.get(estate.pk, []),
                rcs.get(estate.area_id),
            )
        )
    return places


# ---- one problem's life -----------------------------------------------------------------------


@dataclass(slots=True)
class _Spec:
    fate: str
    place: _Place
    category: Category
    source: str
    reporter: User | None = None
    rated: bool | None = None  # None: the reporter decides by chance
    rating: int | None = None
    reopen: bool = False
    recent_close: bool = False  # closed in the last fortnight (the owner can still rate and reopen)


@dataclass(slots=True)
class _Step:
    at: dt.datetime
    action: str
    to_status: str
    actor: User | None
    label: str
    note: str = ""
    deadline: Deadline | None = None  # the deadline an accept or a reopen sets


@dataclass(slots=True)
class _Story:
    spec: _Spec
    description: str
    building: r.Building | None
    location: str
    steps: list[_Step] = field(default_factory=list)
    carriage: str = ""
    company: r.Company | None = None
    owners_committee: r.OwnersCommittee | None = None
    residents_committee: r.ResidentsCommittee | None = None
    reject_reason: str = ""
    rating: int | None = None
    rating_comment: str = ""

    @property
    def assignee_label(self) -> str:
        if self.carriage == Carriage.COMPANY:
            return self.company.name
        if self.carriage == Carriage.OWNERS_COMMITTEE:
            return str(Carriage.OWNERS_COMMITTEE.label)
        return self.residents_committee.name


class _History:
    """Plans the steps of each problem; all randomness comes from one seeded stream."""

    def __init__(self, *, rng: Random, cast: _Cast, today: dt.date, places: list[_Place]):
        self.rng = rng
        self.cast = cast
        self.today = today
        self.cutoff = _at(today, 0)
        # How each company keeps its deadlines and how often its work fails verification.
        self.late: dict[int, float] = {}
        self.bounce: dict[int, float] = {}
        for place in places:
            for contract in reversed(place.contracts):
                company = contract.company
                if company.pk not in self.late:
                    state = company.ownership == r.CompanyOwnership.STATE
                    self.late[company.pk] = 0.12 if state else rng.uniform(0.02, 0.14)
                    self.bounce[company.pk] = 0.1 if state else rng.uniform(0.04, 0.12)

    # -- who acts

    def _branch(self, place: _Place) -> tuple[User | None, str]:
        label = _("%(area)s联合党支部") % {"area": place.area.name}
        if place.area.pk != self.cast.area_id:
            return None, label
        name = "demo_secretary" if self.rng.random() < 0.7 else "demo_branch"
        return self.cast.user(name), label

    def _assignee(self, story: _Story) -> tuple[User | None, str]:
        place, cast = story.spec.place, self.cast
        actor = None
        if story.carriage == Carriage.COMPANY and story.company.pk == cast.company_id:
            actor = cast.user("demo_company")
        elif story.carriage == Carriage.OWNERS_COMMITTEE and place.estate.pk == cast.oc_estate_id:
            actor = cast.user("demo_oc")
        elif story.carriage == Carriage.RESIDENTS_COMMITTEE and place.area.pk == cast.area_id:
            actor = cast.user("demo_branch")  # the residents' committee director
        return actor, story.assignee_label

    def reporter(self, place: _Place, source: str) -> User | None:
        """Who filed it: the office logins where their role reaches; residents have no login."""
        cast, in_area = self.cast, place.area.pk == self.cast.area_id
        if source == Source.SURVEY:
            return cast.user("demo_admin")  # the street office runs the surveys
        if source == Source.INSPECTION:
            return cast.user("demo_evaluator") if place.estate.pk in cast.evaluator_estates else None
        if source == Source.PATROL and in_area:
            return cast.user("demo_branch")
        if source in (Source.HEARING, Source.MEETING) and in_area:
            return cast.user("demo_secretary")
        return None

    def _assign(self, story: _Story, day: dt.date) -> None:
        """The category's carriage as services._resolve_assignee finds it on the accept day; with
        no company under contract or no owners' committee in office, the residents' committee."""
        place, carriage = story.spec.place, story.spec.category.carriage
        if carriage == Carriage.COMPANY:
            contract = next((c for c in place.contracts if c.start_date <= day <= c.end_date), None)
            if contract is not None:
                story.carriage, story.company = carriage, contract.company
                return
        if carriage == Carriage.OWNERS_COMMITTEE:
            committee = next((c for c in place.committees if c.term_start <= day <= c.term_end), None)
            if committee is not None:
                story.carriage, story.owners_committee = carriage, committee
                return
        story.carriage, story.residents_committee = Carriage.RESIDENTS_COMMITTEE, place.rc

    def _late_and_bounce(self, story: _Story) -> tuple[float, float]:
        if story.company is not None:
            return self.late[story.company.pk], self.bounce[story.company.pk]
        return 0.12, 0.08

    # -- the life

    def live(self, spec: _Spec, reported: dt.datetime) -> _Story:
        """The whole life of a problem reported at ``reported``, as if nothing stopped it."""
        rng = self.rng
        code = spec.category.code
        descriptions, locations, *_rest = TEXTS.get(code, TEXTS["other"])
        building = rng.choice(spec.place.buildings) if spec.place.buildings else None
        number = building.number if building else ""
        text = rng.choice(descriptions)
        location = rng.choice(locations)
        if "{b}" in text + location and building is None:
            text, location = text.replace("{b}", ""), location.replace("{b}", "")
        uses_building = "{b}" in text + location
        story = _Story(
            spec,
            SOURCE_PREFIX[spec.source] + text.replace("{b}", number),
            building if uses_building else None,
            location.replace("{b}", number),
        )
        steps = story.steps
        steps.append(
            _Step(
                reported,
                "report",
                Status.REPORTED,
                spec.reporter,
                str(Source(spec.source).label),
                story.description,
            )
        )

        # The branch takes it up: at once when urgent or filed by the office itself.
        if spec.source != Source.RESIDENT or spec.category.urgent:
            delay = 0
        else:
            delay = rng.choices((0, 1, 2, 3), weights=(30, 45, 18, 7))[0]
        moment = _office_after(rng, reported, delay)
        actor, label = self._branch(spec.place)
        if spec.fate == "rejected":
            story.reject_reason = rng.choice(REJECT_REASONS)
            steps.append(_Step(moment, "reject", Status.REJECTED, actor, label, story.reject_reason))
            return story
        self._assign(story, _day(moment))
        days = spec.category.deadline_days
        deadline = _add_working_days(_day(moment), days)
        note = _("派给%(who)s,%(days)d 个工作日内（%(due)s 前）完成整改。") % {
            "who": story.assignee_label,
            "days": days,
            "due": deadline.due.isoformat(),
        }
        steps.append(_Step(moment, "accept", Status.ASSIGNED, actor, label, note, deadline))

        late_chance, bounce_chance = self._late_and_bounce(story)
        if spec.fate == "overdue":
            late, bounce = True, False
        elif spec.fate in ("assigned", "in_progress"):
            late, bounce = False, rng.random() < bounce_chance
        else:
            late, bounce = rng.random() < late_chance, rng.random() < bounce_chance
        closed = self._rectify(
            story, moment, days, late=late, bounce=bounce, long_late=spec.fate == "overdue"
        )

        if spec.source != Source.RESIDENT:
            return story
        rated = spec.rated if spec.rated is not None else rng.random() < 0.7
        if spec.reopen:
            last = closed
            if rated and rng.random() < 0.5:  # unhappy first, then reopened
                last = self._rate(story, closed, rng.choice((1, 2)))
                rated = False
            # Within the reopen window (rules.REOPEN_WINDOW_DAYS after the closing day).
            again = _resident_after(rng, last, 24, 24 * 20)
            deadline = _add_working_days(_day(again), days)
            steps.append(
                _Step(
                    again,
                    "reopen",
                    Status.ASSIGNED,
                    spec.reporter,
                    _("报告人"),
                    rng.choice(REOPEN_NOTES),
                    deadline,
                )
            )
            closed = self._rectify(story, again, days, late=False, bounce=False, long_late=False)
            if rated and story.rating is None:
                self._rate(story, closed, rng.choice((3, 4, 4)))
        elif rated:
            if spec.rating is not None:
                rating = spec.rating
            elif late or bounce:
                rating = rng.choices((1, 2, 3, 4, 5), weights=(1, 3, 8, 6, 2))[0]
            else:
                rating = rng.choices((2, 3, 4, 5), weights=(1, 3, 10, 12))[0]
            self._rate(story, closed, rating)
        return story

    def _rectify(
        self, story: _Story, start: dt.datetime, days: int, *, late: bool, bounce: bool, long_late: bool
    ) -> dt.datetime:
        """Progress, submission (on time or late), verification, perhaps one send-back, closure.
        Offsets are working days after ``start``; returns the closing moment."""
        rng = self.rng
        _descriptions, _locations, progress, evidence, bounces = TEXTS.get(
            story.spec.category.code, TEXTS["other"]
        )
        if late:
            total = days + rng.randint(2, 25 if long_late else 8)
        else:
            total = rng.randint(max(1, math.ceil(days * 0.3)), days)
        wanted = 2 if late else (1 if total >= 2 and rng.random() < 0.75 else 0)
        offsets = sorted(rng.sample(range(total), min(wanted, total)))
        moment, done = start, 0
        for offset in offsets:
            moment = _office_after(rng, moment, offset - done)
            done = offset
            actor, label = self._assignee(story)
            story.steps.append(
                _Step(moment, "progress", Status.IN_PROGRESS, actor, label, rng.choice(progress))
            )
        moment = _office_after(rng, moment, total - done)
        actor, label = self._assignee(story)
        story.steps.append(_Step(moment, "submit", Status.SUBMITTED, actor, label, rng.choice(evidence)))
        urgent = story.spec.category.urgent
        moment = _office_after(
            rng,
            moment,
            rng.choice((0, 1)) if urgent else rng.choices((0, 1, 2, 3), weights=(25, 40, 25, 10))[0],
        )
        actor, label = self._branch(story.spec.place)
        if bounce:
            story.steps.append(
                _Step(
                    moment,
                    "send_back",
                    Status.IN_PROGRESS,
                    actor,
                    label,
                    rng.choice(bounces + GENERIC_SEND_BACK),
                )
            )
            moment = _office_after(rng, moment, rng.randint(1, 4))
            assignee, assignee_label = self._assignee(story)
            story.steps.append(
                _Step(moment, "submit", Status.SUBMITTED, assignee, assignee_label, rng.choice(evidence))
            )
            moment = _office_after(rng, moment, rng.choice((0, 1, 2)))
            actor, label = self._branch(story.spec.place)
        story.steps.append(_Step(moment, "close", Status.CLOSED, actor, label, rng.choice(CLOSE_NOTES)))
        return moment

    def _rate(self, story: _Story, closed: dt.datetime, rating: int) -> dt.datetime:
        moment = _resident_after(self.rng, closed, 2, 24 * 5)
        story.rating, story.rating_comment = rating, self.rng.choice(RATING_COMMENTS[rating])
        # The note reads as services.problem_rate writes it.
        note = f"{'★' * rating}{'☆' * (5 - rating)} {story.rating_comment}".strip()
        story.steps.append(_Step(moment, "rate", Status.CLOSED, story.spec.reporter, _("报告人"), note))
        return moment

    # -- the morning of "today"

    def escalate(self, story: _Story) -> None:
        """Insert the escalation the daily timer made: the first run (00:30) after the deadline at
        which the problem was still open, before today. Once per problem, as the service does."""
        steps = [s for s in story.steps if s.action not in ("rate", "escalate")]
        deadline = None
        for i, step in enumerate(steps):
            if step.deadline is not None:
                deadline = step.deadline.due
            if step.to_status not in OPEN_STATUSES or deadline is None:
                continue
            start_day = _day(step.at) + dt.timedelta(days=0 if _minutes(step.at) < 30 else 1)
            day = max(deadline + dt.timedelta(days=1), start_day)
            run = _at(day, TIMER_AT.hour * 60 + TIMER_AT.minute)
            end = steps[i + 1].at if i + 1 < len(steps) else None
            if day >= self.today:
                return
            if end is None or run < end:
                note = _("已超过整改期限 %(due)s，升级督办。") % {"due": deadline.isoformat()}
                story.steps.append(_Step(run, "escalate", step.to_status, None, _("系统"), note))
                story.steps.sort(key=lambda s: s.at)
                return

    def cut(self, story: _Story) -> None:
        """What had happened when today began."""
        story.steps = [s for s in story.steps if s.at < self.cutoff]
        if not any(s.action == "rate" for s in story.steps):
            story.rating, story.rating_comment = None, ""
        if not any(s.action == "reject" for s in story.steps):
            story.reject_reason = ""
        if not any(s.action == "accept" for s in story.steps):
            story.carriage, story.company, story.owners_committee, story.residents_committee = (
                "",
                None,
                None,
                None,
            )

    def fits(self, story: _Story) -> bool:
        """Does the story end in the state its fate asks for?"""
        spec, steps = story.spec, story.steps
        if not steps:
            return False
        status = steps[-1].to_status
        deadline = next((s.deadline.due for s in reversed(steps) if s.deadline is not None), None)
        if spec.fate == "overdue":
            return status in OPEN_STATUSES and deadline < self.today
        if spec.fate in ("assigned", "in_progress"):
            return status == spec.fate and deadline >= self.today
        if status != spec.fate:
            return False
        if spec.fate == "closed" and spec.reopen and not any(s.action == "reopen" for s in steps):
            return False
        if spec.recent_close:
            closed = next(s.at for s in reversed(steps) if s.action == "close")
            return (self.today - _day(closed)).days <= 14 and story.rating is None
        return True

    def story(self, spec: _Spec) -> _Story:
        """Draw report days in the fate's window until the life fits it; after 80 misses (say, a
        long holiday just before today) anywhere in the half year; the last try if nothing fits."""
        story = None
        for attempt in range(120):
            low, high = (6, 20) if spec.recent_close else WINDOWS[spec.fate]
            if attempt >= 80:
                low, high = 1, HISTORY_DAYS
            back = low + int((high - low + 1) * self.rng.random() ** 1.3)  # busier lately
            reported = _reported_at(self.rng, self.today - dt.timedelta(days=min(back, high)), spec.source)
            if reported >= self.cutoff:
                continue
            story = self.live(spec, reported)
            self.escalate(story)
            self.cut(story)
            if self.fits(story):
                return story
        return story


# ---- planning and writing ---------------------------------------------------------------------


def _fates(count: int) -> list[str]:
    fates = []
    for fate, share, least in FATES:
        fates += [fate] * max(least, round(count * share))
    return fates + ["closed"] * (count - len(fates))


def _specs(
    rng: Random, count: int, places: list[_Place], categories: list[Category], history: _History
) -> list[_Spec]:
    by_code = {c.code: c for c in categories}
    weights = [p.weight for p in places]
    specs: list[_Spec] = []
    home = next((p for p in places if p.estate.pk == history.cast.owner_estate_id), None)
    owner = history.cast.user("demo_owner")
    if home is not None and owner is not None:
        # The owner's own reports: one closed and rated, one just closed (to rate or reopen in the
        # demo), one being rectified, one not accepted.
        wishes = (
            ("closed", "cleaning", {"rated": True, "rating": 5}),
            ("closed", "parking", {"rated": False, "recent_close": True}),
            ("in_progress", "repair", {}),
            ("rejected", "other", {}),
        )
        for fate, code, extra in wishes:
            category = by_code.get(code) or categories[0]
            specs.append(_Spec(fate, home, category, Source.RESIDENT, owner, **extra))
    fates = _fates(count - len(specs))
    rng.shuffle(fates)
    uncovered = list(SOURCES)
    for i, fate in enumerate(fates):
        place = rng.choices(places, weights=weights)[0]
        if i < len(categories):  # every category appears at least once
            category = categories[i]
        else:
            category_weights = [
                CATEGORY_WEIGHTS.get(c.code, (3, 3))[0 if place.old else 1] for c in categories
            ]
            category = rng.choices(categories, weights=category_weights)[0]
        source_weights = SOURCE_WEIGHTS.get(category.code, SOURCE_WEIGHTS["other"])
        source = rng.choices(SOURCES, weights=source_weights)[0]
        if fate == "reported" or (fate == "rejected" and rng.random() < 0.8):
            # The office takes up at once what it files itself, and rarely rejects it.
            source = Source.RESIDENT
        elif uncovered:  # every source appears at least once
            source = uncovered.pop(0)
        specs.append(_Spec(fate, place, category, source, history.reporter(place, source)))
    # The demo evaluator's own inspections, in the estates it was engaged for.
    evaluated = [p for p in places if p.estate.pk in history.cast.evaluator_estates]
    for spec in [s for s in specs if s.source == Source.INSPECTION][:2] if evaluated else []:
        spec.place = rng.choice(evaluated)
        spec.reporter = history.reporter(spec.place, spec.source)
    # A few residents reopen once (rules.MAX_REOPENS) what was closed.
    reopenable = [s for s in specs if s.fate == "closed" and s.source == Source.RESIDENT and s.rated is None]
    for spec in reopenable[: max(2, round(count * REOPEN_SHARE))]:
        spec.reopen = True
    return specs


def _problem_row(story: _Story, index: int, street: r.Street) -> Problem:
    steps = story.steps
    status = steps[-1].to_status
    accept = next((s for s in steps if s.action == "accept"), None)
    deadline = next((s.deadline for s in reversed(steps) if s.deadline is not None), None)
    reopened = [s for s in steps if s.action == "reopen"]
    last_reopen = reopened[-1].at if reopened else None
    submits = [s.at for s in steps if s.action == "submit" and (last_reopen is None or s.at > last_reopen)]
    closes = [s.at for s in steps if s.action == "close"]
    escalation = next((s for s in steps if s.action == "escalate"), None)
    spec = story.spec
    return Problem(
        number=f"D{street.pk}-{index}",  # replaced by the tracking number once the id is known
        estate=spec.place.estate,
        building=story.building,
        location=story.location,
        category=spec.category,
        source=spec.source,
        description=story.description,
        urgent=spec.category.urgent,
        status=status,
        reporter=spec.reporter,
        carriage=story.carriage,
        company=story.company,
        owners_committee=story.owners_committee,
        residents_committee=story.residents_committee,
        deadline=deadline.due if deadline else None,
        deadline_provisional=deadline.provisional if deadline else False,
        deadline_days=spec.category.deadline_days if deadline else None,
        reject_reason=story.reject_reason,
        created_at=steps[0].at,
        accepted_at=accept.at if accept else None,
        submitted_at=submits[-1] if submits else None,
        closed_at=closes[-1] if status == Status.CLOSED else None,
        overdue_since=_day(escalation.at) if escalation else None,
        rating=story.rating,
        rating_comment=story.rating_comment,
        reopen_count=len(reopened),
    )


@transaction.atomic
def demo_create(
    *, street: r.Street, seed: int, scale: float = 1.0, today: dt.date, users: Mapping[str, User]
) -> dict[str, int]:
    """Write the demo street's problem history and a few inbox notifications; returns row counts.

    ``users`` are the demo logins by username (missing ones simply act as nobody)."""
    rng = Random(seed * 7919 + 3)  # its own stream: the registry's does not move when this changes
    categories = category_defaults_ensure(street=street)
    cast = _cast(users)
    places = _places(street, rng, cast, today)
    history = _History(rng=rng, cast=cast, today=today, places=places)
    stories = [history.story(spec) for spec in _specs(rng, problem_count(scale), places, categories, history)]
    stories.sort(key=lambda s: s.steps[0].at)  # ids, and so tracking numbers, follow the report time

    problems = Problem.objects.bulk_create(
        [_problem_row(story, i, street) for i, story in enumerate(stories)]
    )
    for problem in problems:
        problem.number = rules.tracking_number(timezone.localtime(problem.created_at).year, problem.pk)
    Problem.objects.bulk_update(problems, ["number"], batch_size=500)

    events = []
    for problem, story in zip(problems, stories, strict=True):
        status = ""
        for step in story.steps:
            events.append(
                ProblemEvent(
                    problem=problem,
                    at=step.at,
                    actor=step.actor,
                    actor_label=step.label,
                    action=step.action,
                    from_status=status,
                    to_status=step.to_status,
                    note=step.note,
                )
            )
            status = step.to_status
    ProblemEvent.objects.bulk_create(events, batch_size=1000)
    photos = evidence_photos(street=street, events=events)  # a submission for verification has its photo
    notifications = _inbox(problems, stories, history)
    return {
        "problems": len(problems),
        "problem_events": len(events),
        "problem_photos": photos,
        "notifications": notifications,
    }


INBOX_SIZE = 5  # unread notifications per demo login


def _inbox(problems: list[Problem], stories: list[_Story], history: _History) -> int:
    """The latest few hand-overs of each demo login as unread notifications, in the words the
    services use (problem_report, _accept, _submit, _send_back, _close, escalate_overdue)."""
    cast = history.cast
    owner = cast.user("demo_owner")
    candidates: dict[str, list[tuple[dt.datetime, Notification]]] = {}

    def tell(
        name: str, problem: Problem, when: dt.datetime, text: Keyed, *, resident=False, urgent=False
    ) -> None:
        user = cast.user(name)
        if user is not None:
            url = reverse("portal:problem" if resident else "problems:detail", args=[problem.pk])
            notification = Notification(
                user=user,
                text=text.chinese()[:300],
                text_key=text.key,
                text_params=text.params,
                url=url,
                urgent=urgent,
            )
            candidates.setdefault(name, []).append((when, notification))

    for problem, story in zip(problems, stories, strict=True):
        number, estate, category = problem.number, problem.estate.name, problem.category.name
        in_area = problem.estate.area_id == cast.area_id
        ours = problem.company_id is not None and problem.company_id == cast.company_id
        mine = owner is not None and problem.reporter_id == owner.pk
        due = None
        for step in story.steps:
            due = step.deadline.due if step.deadline is not None else due
            if step.action == "report":
                text = Keyed(
                    gettext_noop("%(estate)s 新问题 %(number)s：%(category)s，待受理。"),
                    {
                        "estate": estate,
                        "number": number,
                        "category": category,
                    },
                )
                if in_area:
                    tell("demo_secretary", problem, step.at, text, urgent=problem.urgent)
                if problem.urgent:
                    tell("demo_admin", problem, step.at, text, urgent=True)
            elif step.action == "submit" and in_area:
                tell(
                    "demo_secretary",
                    problem,
                    step.at,
                    Keyed(gettext_noop("%(number)s 已提交整改，请现场验收。"), {"number": number}),
                )
            elif step.action == "accept" and ours:
                text = Keyed(
                    gettext_noop("新派单 %(number)s（%(category)s），请于 %(due)s 前整改。"),
                    {
                        "number": number,
                        "category": category,
                        "due": day_param(due),
                    },
                )
                tell("demo_company", problem, step.at, text, urgent=problem.urgent)
            elif step.action == "send_back" and ours:
                text = Keyed(
                    gettext_noop("%(number)s 验收未通过，已退回整改：%(note)s"),
                    {
                        "number": number,
                        "note": step.note,
                    },
                )
                tell("demo_company", problem, step.at, text, urgent=problem.urgent)
            elif step.action == "escalate":
                text = Keyed(
                    gettext_noop(
                        "超期：%(number)s（%(estate)s · %(category)s）期限 %(due)s，责任方 %(who)s。"
                    ),
                    {
                        "number": number,
                        "estate": estate,
                        "category": category,
                        "due": day_param(due),
                        "who": story.assignee_label,
                    },
                )
                tell("demo_admin", problem, step.at, text, urgent=True)
                if in_area:
                    tell("demo_secretary", problem, step.at, text, urgent=True)
                if ours:
                    tell("demo_company", problem, step.at, text, urgent=True)
            if not mine:
                continue
            if step.action == "accept":
                text = Keyed(gettext_noop("您报告的问题 %(number)s 已受理，正在整改。"), {"number": number})
                tell("demo_owner", problem, step.at, text, resident=True)
            elif step.action == "reject":
                text = Keyed(
                    gettext_noop("您报告的问题 %(number)s 未予受理：%(reason)s"),
                    {
                        "number": number,
                        "reason": step.note,
                    },
                )
                tell("demo_owner", problem, step.at, text, resident=True)
            elif step.action == "close":
                text = Keyed(
                    gettext_noop("您报告的问题 %(number)s 已整改销项，欢迎评价。"), {"number": number}
                )
                tell("demo_owner", problem, step.at, text, resident=True)
    rows = []
    for name in sorted(candidates):
        rows += sorted(candidates[name], key=lambda row: row[0])[-INBOX_SIZE:]
    created = Notification.objects.bulk_create([n for _when, n in rows])
    for (when, _n), notification in zip(rows, created, strict=True):
        notification.at = when  # ``at`` is auto_now_add: the insert stamps now, this sets the hand-over time
    Notification.objects.bulk_update(created, ["at"], batch_size=500)
    return len(created)


# ---- deleting and comparing -------------------------------------------------------------------


def _problem_urls(pks: list[int]) -> list[str]:
    return [reverse(name, args=[pk]) for pk in pks for name in ("problems:detail", "portal:problem")]


@transaction.atomic
def demo_delete(*, street: r.Street) -> dict[str, int]:
    """Delete the problems of the street's estates with their events, photos (the files after
    commit) and the inbox notifications that link to them; refuse if another street's problem
    points at this street's companies, committees or categories."""
    foreign = Problem.objects.exclude(estate__area__street=street).filter(
        Q(company__street=street)
        | Q(category__street=street)
        | Q(owners_committee__estate__area__street=street)
        | Q(residents_committee__area__street=street)
    )
    if (problem := foreign.first()) is not None:
        raise DemoError(
            _("“%(label)s”属于其他街道却引用了演示数据，演示数据不会改动它。") % {"label": problem}
        )
    problems = Problem.objects.filter(estate__area__street=street)
    deleted: Counter[str] = Counter()
    urls = _problem_urls(list(problems.values_list("pk", flat=True)))
    for start in range(0, len(urls), 500):
        deleted.update(Notification.objects.filter(url__in=urls[start : start + 500]).delete()[1])
    photos = ProblemPhoto.objects.filter(problem__estate__area__street=street)
    files = [name for name in photos.values_list("image", flat=True) if name]
    deleted.update(photos.delete()[1])
    deleted.update(ProblemEvent.objects.filter(problem__estate__area__street=street).delete()[1])
    deleted.update(problems.delete()[1])
    if files:
        storage = ProblemPhoto._meta.get_field("image").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return {label: n for label, n in deleted.items() if n}


NUMBER = re.compile(r"WT-(\d{4})-\d+")


def demo_fingerprint(street: r.Street) -> str:
    """SHA-256 over the street's problems, events and their notifications by natural keys (no ids;
    a tracking number counts by its year): same seed and day → same fingerprint."""
    sid = street.pk
    problems = Problem.objects.filter(estate__area__street_id=sid)
    queries = [
        problems.values_list(
            "number",
            "estate__name",
            "building__number",
            "location",
            "category__code",
            "source",
            "description",
            "urgent",
            "status",
            "reporter__username",
            "carriage",
            "company__name",
            "owners_committee__estate__name",
            "residents_committee__name",
            "deadline",
            "deadline_provisional",
            "reject_reason",
            "created_at",
            "accepted_at",
            "submitted_at",
            "closed_at",
            "overdue_since",
            "rating",
            "rating_comment",
            "reopen_count",
        ),
        ProblemEvent.objects.filter(problem__estate__area__street_id=sid).values_list(
            "problem__estate__name",
            "problem__created_at",
            "at",
            "actor__username",
            "actor_label",
            "action",
            "from_status",
            "to_status",
            "note",
        ),
        Notification.objects.filter(
            url__in=_problem_urls(list(problems.values_list("pk", flat=True)))
        ).values_list("user__username", "text", "urgent", "read_at", "at"),
    ]
    digest = hashlib.sha256()
    for query in queries:
        rows = sorted(tuple(NUMBER.sub(r"WT-\1", "" if v is None else str(v)) for v in row) for row in query)
        digest.update(repr(rows).encode())
    return digest.hexdigest()
