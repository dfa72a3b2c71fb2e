"""The wall's indicators (挂图作战的指标), in one module: each is a pure function from an estate's facts to a
number, a number→colour rule with the street's thresholds, and a one-line explanation shown on the page.

No ORM here. The facts come from ``wall/facts.py``: one set-based gathering per fact source for many
estates at once (``SOURCES``); several indicators may read the same source. Adding an indicator is one
measure function and one ``register(Indicator(…))`` below (and, for a new kind of fact, one gatherer in
``facts.py``). docs/WALL.md lists every indicator with its definition and default thresholds.

The colour rule (``colour_for``): an indicator is either *higher is worse* (overdue problems: red from
``red`` up, amber from ``amber`` up) or *lower is worse* (collection rate: red under ``red``, amber under
``amber``). No number means no colour (无数据, grey), never green. Colour is never the only signal:
every colour has an icon and a word (``COLOUR_ICON``, ``COLOUR_LABEL``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RED, AMBER, GREEN, NONE = "red", "amber", "green", "none"
SEVERITY = {NONE: 0, GREEN: 1, AMBER: 2, RED: 3}
COLOUR_ICON = {RED: "▲", AMBER: "●", GREEN: "✓", NONE: "—"}
COLOUR_LABEL = {
    RED: gettext_lazy("红"),
    AMBER: gettext_lazy("黄"),
    GREEN: gettext_lazy("绿"),
    NONE: gettext_lazy("无数据"),
}
OVERALL = "overall"
ONE_PLACE = Decimal("0.1")

Facts = dict[str, Any]


@dataclass(frozen=True)
class Bands:
    """Where amber and red begin (see the module's docstring for the two directions)."""

    amber: Decimal
    red: Decimal


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any  # lazy Chinese label: 超期问题
    explanation: Any  # one line, shown on the page
    unit: Any  # shown after the number: 项 / % / 天 (lazy)
    source: str  # the fact source in facts.py (problems, finance …)
    measure: Callable[[Facts], Decimal | None]  # pure: facts → number (None: no data)
    describe: Callable[[Facts], str]  # the figures behind the number, one line
    higher_is_worse: bool
    default: Bands
    low: Decimal  # the thresholds the street may set lie within [low, high]
    high: Decimal
    evidence: tuple[str, bool, str]  # url name, takes the estate id as argument, query string

    def colour(self, value: Decimal | None, bands: Bands | None = None) -> str:
        return colour_for(value, bands or self.default, higher_is_worse=self.higher_is_worse)

    def thresholds_text(self, bands: Bands | None = None) -> str:
        b = bands or self.default
        unit = self.unit
        if self.higher_is_worse:
            return _("≥ %(red)s%(unit)s 红，≥ %(amber)s%(unit)s 黄，其余绿") % {
                "red": number_text(b.red),
                "amber": number_text(b.amber),
                "unit": unit,
            }
        return _("< %(red)s%(unit)s 红，< %(amber)s%(unit)s 黄，其余绿") % {
            "red": number_text(b.red),
            "amber": number_text(b.amber),
            "unit": unit,
        }


def colour_for(value: Decimal | None, bands: Bands, *, higher_is_worse: bool) -> str:
    """The number → colour rule. Known answers: higher is worse with amber 1, red 3: 0 → green,
    1 → amber, 3 → red; lower is worse with amber 90, red 75: 90 → green, 89.9 → amber, 74.9 → red."""
    if value is None:
        return NONE
    if higher_is_worse:
        if value >= bands.red:
            return RED
        return AMBER if value >= bands.amber else GREEN
    if value < bands.red:
        return RED
    return AMBER if value < bands.amber else GREEN


def bands_error(indicator: Indicator, bands: Bands) -> str | None:
    """Why these thresholds cannot stand (plain Chinese), or None."""
    for edge in (bands.amber, bands.red):
        if not (indicator.low <= edge <= indicator.high):
            return _("界线应在 %(low)s 到 %(high)s 之间。") % {
                "low": number_text(indicator.low),
                "high": number_text(indicator.high),
            }
    if indicator.higher_is_worse and bands.amber > bands.red:
        return _("该指标越大越差：黄色界线不能高于红色界线。")
    if not indicator.higher_is_worse and bands.amber < bands.red:
        return _("该指标越小越差：黄色界线不能低于红色界线。")
    return None


def worst(colours: Iterable[str]) -> str:
    """The overall state: the worst colour among the indicators that have a number."""
    return max(colours, key=SEVERITY.__getitem__, default=NONE)


def number_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal place (half up), None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.key in REGISTRY or indicator.key == OVERALL:
        raise ValueError(f"indicator {indicator.key!r} registered twice")
    REGISTRY[indicator.key] = indicator
    return indicator


def d(n: int | str | Decimal) -> Decimal:
    return Decimal(n)


# ---- problems (问题与销项, DESIGN.md §4.2) ---------------------------------------------------------------


register(
    Indicator(
        key="problems_overdue",
        label=gettext_lazy("超期问题"),
        explanation=gettext_lazy("已受理、超过整改期限仍未提交验收的问题数。"),
        unit=gettext_lazy("项"),
        source="problems",
        measure=lambda f: Decimal(f["overdue"]),
        describe=lambda f: _("超期 %(overdue)s 项，在办 %(open)s 项") % f,
        higher_is_worse=True,
        default=Bands(d(1), d(3)),
        low=d(0),
        high=d(1000),
        evidence=("problems:list", False, "?estate={estate}&overdue=yes"),
    )
)
register(
    Indicator(
        key="problems_open",
        label=gettext_lazy("未销项问题"),
        explanation=gettext_lazy("已报告、尚未销项的问题数（待受理、待整改、整改中、待验收）。"),
        unit=gettext_lazy("项"),
        source="problems",
        measure=lambda f: Decimal(f["open"]),
        describe=lambda f: _("未销项 %(open)s 项，其中超期 %(overdue)s 项") % f,
        higher_is_worse=True,
        default=Bands(d(8), d(15)),
        low=d(0),
        high=d(1000),
        evidence=("problems:list", False, "?estate={estate}&status=active"),
    )
)


def _on_time(f: Facts) -> Decimal | None:
    return share(f["on_time"], f["closed"])


register(
    Indicator(
        key="closure_on_time",
        label=gettext_lazy("按期销项率"),
        explanation=gettext_lazy("近 12 个月销项的问题中，在整改期限内提交验收的比例。"),
        unit="%",
        source="closure",
        measure=_on_time,
        describe=lambda f: _("近 12 个月销项 %(closed)s 项，按期 %(on_time)s 项") % f,
        higher_is_worse=False,
        default=Bands(d(90), d(75)),
        low=d(0),
        high=d(100),
        evidence=("problems:list", False, "?estate={estate}&status=closed"),
    )
)


def _median_days(f: Facts) -> Decimal | None:
    median = f.get("median_days")
    return None if median is None else Decimal(median)


def _median_text(f: Facts) -> str:
    if not f.get("closed_all"):
        return _("近 12 个月无销项问题")
    return _("近 12 个月销项 %(closed_all)s 项，从报告到销项的天数中位数 %(median)s 天") % {
        "closed_all": f["closed_all"],
        "median": number_text(Decimal(f["median_days"])),
    }


register(
    Indicator(
        key="closure_days",
        label=gettext_lazy("销项天数中位数"),
        explanation=gettext_lazy("近 12 个月销项的问题从报告到销项所用天数的中位数（自然日）。"),
        unit=gettext_lazy("天"),
        source="closure",
        measure=_median_days,
        describe=_median_text,
        higher_is_worse=True,
        default=Bands(d(15), d(30)),
        low=d(0),
        high=d(3650),
        evidence=("problems:list", False, "?estate={estate}&status=closed"),
    )
)

# ---- money (资金与公开, DESIGN.md §4.4 and §5) ------------------------------------------------------------

FUND_ALERT_KINDS = ("low_fund", "use_no_decision", "use_no_audit", "transfer_short")


def _fund_text(f: Facts) -> str:
    if not sum(f[k] for k in FUND_ALERT_KINDS):
        return _("无资金预警")
    return (
        _(
            "余额低于初始 30%%：%(low_fund)s；缺业主大会决定：%(use_no_decision)s；缺审价报告：%(use_no_audit)s；"
            "公共收益转入未过半：%(transfer_short)s"
        )
        % f
    )


register(
    Indicator(
        key="fund_health",
        label=gettext_lazy("资金预警"),
        explanation=gettext_lazy(
            "维修资金余额低于初始金额 30％、使用缺业主大会决定或审价报告、公共收益转入未过半的预警条数。"
        ),
        unit=gettext_lazy("条"),
        source="finance",
        measure=lambda f: Decimal(sum(f[k] for k in FUND_ALERT_KINDS)),
        describe=_fund_text,
        higher_is_worse=True,
        default=Bands(d(1), d(3)),
        low=d(0),
        high=d(1000),
        evidence=("finance:estate", True, ""),
    )
)


def _fund_ratio(f: Facts) -> Decimal | None:
    initial, balance = f.get("fund_initial"), f.get("fund_balance")
    if initial is None or balance is None or Decimal(initial) <= 0:
        return None
    return (Decimal(balance) * 100 / Decimal(initial)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _fund_ratio_text(f: Facts) -> str:
    if f.get("fund_balance") is None:
        return _("无维修资金台账")
    if f.get("fund_initial") is None or Decimal(f["fund_initial"]) <= 0:
        return _("余额 %(balance)s 元；未登记初始金额") % {"balance": f"{Decimal(f['fund_balance']):,.2f}"}
    return _("余额 %(balance)s 元，初始金额 %(initial)s 元") % {
        "balance": f"{Decimal(f['fund_balance']):,.2f}",
        "initial": f"{Decimal(f['fund_initial']):,.2f}",
    }


register(
    Indicator(
        key="fund_ratio",
        label=gettext_lazy("维修资金余额比"),
        explanation=gettext_lazy(
            "专项维修资金余额占初始金额的比例；低于 30％ 应当续筹（《上海市住宅物业管理规定》）。"
        ),
        unit="%",
        source="finance",
        measure=_fund_ratio,
        describe=_fund_ratio_text,
        higher_is_worse=False,
        default=Bands(d(50), d(30)),
        low=d(0),
        high=d(1000),
        evidence=("finance:estate", True, ""),
    )
)
register(
    Indicator(
        key="disclosure_overdue",
        label=gettext_lazy("公开逾期"),
        explanation=gettext_lazy("账目公开逾期最久的一本账已逾期的天数（0 表示按期公开）。"),
        unit=gettext_lazy("天"),
        source="disclosure",
        measure=lambda f: Decimal(f["max_days"]),
        describe=lambda f: _("%(ledgers)s 本账逾期未公开，最久 %(max_days)s 天") % f,
        higher_is_worse=True,
        default=Bands(d(1), d(31)),
        low=d(0),
        high=d(3650),
        evidence=("finance:estate", True, ""),
    )
)

# ---- evaluation (测评与排名, DESIGN.md §4.3) ---------------------------------------------------------------

CLASS_ORDER = {"benchmark": 1, "keep": 2, "improve": 3, "elimination": 4}
CLASS_LABEL = {
    "benchmark": gettext_lazy("标杆候选"),
    "keep": gettext_lazy("保持"),
    "improve": gettext_lazy("提升"),
    "elimination": gettext_lazy("末位候选"),
}


ELIMINATION_STAGES_RED = ("proposed", "eliminated")
# The words of evaluation.models.EliminationStatus and CandidateStage (the same catalogue entries).
ELIMINATION_STATUS_LABEL = {
    "fault_finding": gettext_lazy("居民找茬"),
    "rectification": gettext_lazy("整改提质"),
    "re_evaluation": gettext_lazy("复评"),
    "proposed": gettext_lazy("待领导小组审定"),
    "approved": gettext_lazy("已审定"),
    "owners_decision": gettext_lazy("交业主大会决定"),
}
ELIMINATION_STAGE_LABEL = {
    "selected": gettext_lazy("末位入选"),
    "proposed": gettext_lazy("拟淘汰"),
    "eliminated": gettext_lazy("淘汰"),
}


def _ranking(f: Facts) -> Decimal | None:
    """1 标杆候选, 2 保持, 3 提升, 4 末位候选; an estate whose company is proposed for elimination (拟淘汰) or
    eliminated in an open bottom elimination counts as 4."""
    value = CLASS_ORDER.get(f.get("class") or "")
    if f.get("elimination_stage") in ELIMINATION_STAGES_RED:
        value = 4
    return None if value is None else Decimal(value)


def _ranking_text(f: Facts) -> str:
    if not f.get("campaign"):
        text = _("尚无测评排名")
    else:
        text = _("%(campaign)s：物业企业分类“%(cls)s”，本小区第 %(rank)s / %(of)s 名") % {
            "campaign": f["campaign"],
            "cls": CLASS_LABEL[f["class"]] if f.get("class") else "—",
            "rank": f.get("rank") or "—",
            "of": f["of"],
        }
    if f.get("elimination"):
        text += _("；物业企业处于末尾淘汰：%(status)s · %(stage)s") % {
            "status": ELIMINATION_STATUS_LABEL.get(f["elimination"], f["elimination"]),
            "stage": ELIMINATION_STAGE_LABEL.get(f["elimination_stage"], f["elimination_stage"]),
        }
    return text


register(
    Indicator(
        key="ranking",
        label=gettext_lazy("排名与淘汰"),
        explanation=gettext_lazy(
            "最近一次测评中在管物业企业的分类：1 标杆候选、2 保持、3 提升、4 末位候选；企业在末尾淘汰中被拟淘汰或淘汰的记为 4。"
        ),
        unit="",
        source="evaluation",
        measure=_ranking,
        describe=_ranking_text,
        higher_is_worse=True,
        default=Bands(d(3), d(4)),
        low=d(1),
        high=d(4),
        evidence=("evaluation:index", False, ""),
    )
)


def _satisfaction(f: Facts) -> Decimal | None:
    mean = f.get("satisfaction")
    return None if mean is None else Decimal(mean).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _satisfaction_text(f: Facts) -> str:
    if f.get("satisfaction") is None:
        return _("最近一次测评无本小区答卷") if f.get("campaign") else _("尚无测评")
    return _("%(campaign)s：%(responses)s 份答卷，平均 %(mean)s 分（满分 100）") % {
        "campaign": f["campaign"],
        "responses": f.get("responses", 0),
        "mean": number_text(_satisfaction(f)),
    }


register(
    Indicator(
        key="satisfaction",
        label=gettext_lazy("居民满意度"),
        explanation=gettext_lazy("最近一次测评中本小区居民答卷的平均分（0—100 分，未修正）。"),
        unit=gettext_lazy("分"),
        source="evaluation",
        measure=_satisfaction,
        describe=_satisfaction_text,
        higher_is_worse=False,
        default=Bands(d(75), d(60)),
        low=d(0),
        high=d(100),
        evidence=("evaluation:index", False, ""),
    )
)

# ---- owners' committee (业委会, DESIGN.md §4.6) ------------------------------------------------------------

COMMITTEE_MIN_SIZE = 5  # 上海市住宅物业管理规定: at least 5 members (3 only in small estates)


def _term(f: Facts) -> Decimal | None:
    return Decimal(f["days_left"]) if f["has_committee"] else None


def _term_text(f: Facts) -> str:
    if not f["has_committee"]:
        return _("无在任业委会")
    if f["days_left"] < 0:
        return _("任期已于 %(term_end)s 届满，逾期 %(over)s 天") % {**f, "over": -f["days_left"]}
    return _("任期至 %(term_end)s，剩 %(days_left)s 天") % f


register(
    Indicator(
        key="committee_term",
        label=gettext_lazy("业委会任期"),
        explanation=gettext_lazy(
            "在任业委会距任期届满的天数；届满前 5 个月应向街道报告换届（负数为已届满）。"
        ),
        unit=gettext_lazy("天"),
        source="committee",
        measure=_term,
        describe=_term_text,
        higher_is_worse=False,
        default=Bands(d(150), d(0)),
        low=d(-3650),
        high=d(3650),
        evidence=("elections:terms", False, ""),
    )
)


def _vacancies(f: Facts) -> Decimal | None:
    return Decimal(max(0, COMMITTEE_MIN_SIZE - f["members"])) if f["has_committee"] else None


register(
    Indicator(
        key="committee_vacancies",
        label=gettext_lazy("业委会缺额"),
        explanation=gettext_lazy("在任业委会委员少于 5 人的缺额人数。"),
        unit=gettext_lazy("人"),
        source="committee",
        measure=_vacancies,
        describe=lambda f: _("在任委员 %(members)s 人") % f if f["has_committee"] else _("无在任业委会"),
        higher_is_worse=True,
        default=Bands(d(1), d(2)),
        low=d(0),
        high=d(20),
        evidence=("elections:terms", False, ""),
    )
)


def _party(f: Facts) -> Decimal | None:
    return share(f["party"], f["members"]) if f["has_committee"] else None


def _cross(f: Facts) -> Decimal | None:
    return share(f["cross"], f["members"]) if f["has_committee"] else None


def _members_text(f: Facts) -> str:
    if not f["has_committee"]:
        return _("无在任业委会")
    return _("委员 %(members)s 人，党员 %(party)s 人，交叉任职 %(cross)s 人") % f


register(
    Indicator(
        key="party_share",
        label=gettext_lazy("党员比例"),
        explanation=gettext_lazy("在任业委会委员中党员的比例（街道目标 55%）。"),
        unit="%",
        source="committee",
        measure=_party,
        describe=_members_text,
        higher_is_worse=False,
        default=Bands(d(55), d(40)),
        low=d(0),
        high=d(100),
        evidence=("elections:terms", False, ""),
    )
)
register(
    Indicator(
        key="cross_share",
        label=gettext_lazy("交叉任职比例"),
        explanation=gettext_lazy("在任业委会委员中与居委会交叉任职的比例（街道目标 40%）。"),
        unit="%",
        source="committee",
        measure=_cross,
        describe=_members_text,
        higher_is_worse=False,
        default=Bands(d(40), d(25)),
        low=d(0),
        high=d(100),
        evidence=("elections:terms", False, ""),
    )
)

# ---- voting (业主表决, DESIGN.md §4.5) -----------------------------------------------------------------------


def _votes_text(f: Facts) -> str:
    if not f["live"]:
        return _("无进行中的表决")
    text = _("进行中 %(live)s 项，未达法定人数 %(n)s 项") % {"live": f["live"], "n": len(f["short"])}
    for vote in f["short"][:2]:
        text += _("；“%(title)s”还差 %(owners_missing)s 户，剩 %(days_left)s 天") % vote
    return text


register(
    Indicator(
        key="votes_short",
        label=gettext_lazy("表决未达法定人数"),
        explanation=gettext_lazy("进行中的业主表决里，参与户数或面积尚未达到三分之二的项数。"),
        unit=gettext_lazy("项"),
        source="voting",
        measure=lambda f: Decimal(len(f["short"])),
        describe=_votes_text,
        higher_is_worse=True,
        default=Bands(d(1), d(2)),
        low=d(0),
        high=d(100),
        evidence=("voting:index", False, "?estate={estate}"),
    )
)

# ---- the branch at work (支部运行, DESIGN.md §4.6) --------------------------------------------------------------

RHYTHM_PARTS = ("patrol_gap", "meeting_gap", "committee_overdue", "postings_bad")

register(
    Indicator(
        key="branch_rhythm",
        label=gettext_lazy("支部运行节奏"),
        explanation=gettext_lazy(
            "上一整周所在联合党支部巡查、支部会议的缺口，加本小区业委会例会逾期和决定未按时公示的次数。"
        ),
        unit=gettext_lazy("处"),
        source="branch",
        measure=lambda f: Decimal(sum(f[k] for k in RHYTHM_PARTS)),
        describe=lambda f: (
            _(
                "%(week)s 一周：巡查缺 %(patrol_gap)s 人次，支部会议缺 %(meeting_gap)s 次，业委会例会逾期 "
                "%(committee_overdue)s，决定公示逾期 %(postings_bad)s"
            )
            % f
        ),
        higher_is_worse=True,
        default=Bands(d(1), d(3)),
        low=d(0),
        high=d(100),
        evidence=("branchwork:compliance", False, ""),
    )
)

# ---- fees (物业费, docs/FEES.md) ------------------------------------------------------------------------------


def _collection(f: Facts) -> Decimal | None:
    billed = Decimal(f["billed"])
    if billed > 0:
        return (Decimal(f["collected"]) * 100 / billed).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    if f["contract_rate"] is not None:
        return Decimal(f["contract_rate"]).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)
    return None


def _collection_text(f: Facts) -> str:
    if Decimal(f["billed"]) > 0:
        return _("近 %(months)s 个月应收 %(billed)s 元，实收 %(collected)s 元") % {
            "months": f["months"],
            "billed": f"{Decimal(f['billed']):,.2f}",
            "collected": f"{Decimal(f['collected']):,.2f}",
        }
    if f["contract_rate"] is not None:
        return _("无月度收缴记录；合同台账登记的收缴率")
    return _("无收缴数据")


register(
    Indicator(
        key="fee_collection",
        label=gettext_lazy("物业费收缴率"),
        explanation=gettext_lazy("近 12 个月实收金额 ÷ 应收金额；无月度记录时用合同台账登记的收缴率。"),
        unit="%",
        source="fees",
        measure=_collection,
        describe=_collection_text,
        higher_is_worse=False,
        default=Bands(d(85), d(70)),
        low=d(0),
        high=d(100),
        evidence=("fees:estate", True, ""),
    )
)

# ---- the overall state -------------------------------------------------------------------------------------

OVERALL_LABEL = gettext_lazy("综合状态")
OVERALL_EXPLANATION = gettext_lazy("两项及以上指标为红：红；一项红或有黄：黄；其余绿。数值为红色指标的项数。")
OVERALL_RED_FROM = 2  # one red indicator alone makes an estate amber overall, two make it red


def overall(colours: dict[str, str]) -> tuple[Decimal, str]:
    """The overall state of an estate from its indicators' colours: (number of reds, colour). Known
    answers: two reds → red; one red → amber; ambers only → amber; greens only → green; no data → none."""
    reds = sum(1 for c in colours.values() if c == RED)
    if reds >= OVERALL_RED_FROM:
        return Decimal(reds), RED
    if reds or any(c == AMBER for c in colours.values()):
        return Decimal(reds), AMBER
    return Decimal(reds), worst(colours.values())


def indicator_keys() -> list[str]:
    return [OVERALL, *REGISTRY]


def label_of(key: str) -> str:
    return str(OVERALL_LABEL if key == OVERALL else REGISTRY[key].label)


def explanation_of(key: str) -> str:
    return str(OVERALL_EXPLANATION if key == OVERALL else REGISTRY[key].explanation)
