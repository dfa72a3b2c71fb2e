"""The demo street's disclosure-book records (docs/DESIGN.md §8): major matters, the owners' rules and the four
services for every estate — short plausible texts — and a richer set for one showcase estate (the demo
owners' committee's). A pure function of (seed, today) and the street."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from random import Random

from gongzhi.core.models import Role, RoleGrant
from gongzhi.disclosure.models import EstateRules, MajorMatter, RulesKind, Service, ServiceContent
from gongzhi.registry import models as r

# The owners' decided uses of the maintenance fund come from the estate's fund ledger (``_fund_uses``), with
# the ledger's decision number, project and building: one job is told the same way on both. These other
# matters carry no decision number (their decisions, if any, are not on the platform), and none claims a
# payment the ledgers do not show.
MATTERS = [
    ("非机动车充电棚建设", "在小区北侧新建非机动车集中充电棚一处，解决电动自行车“飞线充电”隐患。"),
    ("物业服务合同续签", "业委会与物业服务企业就续签物业服务合同进行协商，合同文本已在公示栏张贴征求意见。"),
    ("停车管理方案调整", "根据业主意见调整地面停车位划线及收费管理方案，公共收益纳入专户管理。"),
    ("化粪池清掏", "对小区化粪池进行全面清掏，费用在物业费中列支。"),
    ("年度物业服务议价会议", "召开年度议价会议，物业服务企业报告服务质量及收支情况，听取业主意见。"),
    ("楼道照明改造", "将楼道照明更换为声控节能灯，提高夜间出行安全。"),
]
# The showcase estate's charging shed is being voted on now (voting/demo_data.py): its book does not say it
# was built.
NOT_IN_SHOWCASE = {"非机动车充电棚建设"}
FUND_USE_DAYS = 330  # the book lists the fund uses of about the past year
STATUTE = (
    "一、业主应当遵守法律法规和本规约，爱护共用部位和共用设施设备；\n"
    "二、不得违法搭建、擅自改变房屋用途，不得占用消防通道；\n"
    "三、按时交纳物业费和专项维修资金；\n"
    "四、公共收益归全体业主所有，专户管理，定期公示。"
)
ASSEMBLY = (
    "一、业主大会由全体业主组成，业委会为其执行机构；\n"
    "二、业主大会会议分为定期会议和临时会议，可采用书面征求意见或集体讨论的形式；\n"
    "三、业主共同决定事项，应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决；"
    "筹集和使用维修资金、改建重建建筑物及其附属设施、改变共有部分用途或利用共有部分从事经营活动，"
    "应当经参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意；其他事项应当经参与表决"
    "专有部分面积过半数的业主且参与表决人数过半数的业主同意（《民法典》第二百七十八条第二款）；\n"
    "四、业委会每两个月至少召开一次会议，决定在三日内公告。"
)
SERVICES = {
    Service.CLEANING: (
        "楼道每周清扫两次、每月拖洗一次；道路每日清扫；垃圾每日清运，分类驳运到位。",
        (2, 6),
        "每日 6:00–18:00",
    ),
    Service.GREENING: (
        "草坪每年修剪不少于六次，灌木造型修剪，病虫害及时防治，枯死苗木及时补种。",
        (1, 3),
        "工作日 7:00–16:00",
    ),
    Service.SECURITY: (
        "主出入口 24 小时值守，夜间巡逻每两小时一次，外来车辆登记，监控全天录像保存 30 天。",
        (3, 10),
        "24 小时",
    ),
    Service.REPAIR: (
        "报修 30 分钟内响应，一般维修 24 小时内完成；共用设施设备定期巡检并记录。",
        (1, 4),
        "8:00–17:00，急修 24 小时",
    ),
}
# The company's published text follows its item-by-item commitment (fees/demo_data.py builds those first), so
# the book never says 30 minutes in words where the check below it says 4 hours: each committed item in words,
# by its unit, then the service's usual closing sentence.
PHRASES = {
    "次/周": "{title}每周 {v} 次",
    "次/日": "{title}每日 {v} 次",
    "次/年": "{title}每年 {v} 次",
    "次/夜": "{title}每夜 {v} 次",
    "小时/日": "{title}每日 {v} 小时",
    "人/万m²": "{title}每万平方米 {v} 人",
    "人/门岗": "{title}每个门岗 {v} 人",
    "小时": "{title}不超过 {v} 小时",
}
CLOSINGS = {
    Service.CLEANING: "垃圾分类驳运到位。",
    Service.GREENING: "枯死苗木及时补种。",
    Service.SECURITY: "外来车辆登记，监控全天录像保存 30 天。",
    Service.REPAIR: "共用设施设备定期巡检并记录。",
}


def _committed_texts(street) -> dict[int, dict[str, str]]:
    """Per estate and service, the standard text written from the company's commitment (none: no entry)."""
    from gongzhi.fees.models import ServiceCommitment, StandardItem

    items = {
        code: (service, title, unit)
        for code, service, title, unit in StandardItem.objects.filter(street=street).values_list(
            "code", "service", "title", "unit"
        )
    }
    phrases: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for estate_id, code, value in (
        ServiceCommitment.objects.filter(estate__area__street=street, value__isnull=False)
        .order_by("estate_id", "code")
        .values_list("estate_id", "code", "value")
    ):
        if code not in items:
            continue
        service, title, unit = items[code]
        shape = PHRASES.get(unit, "{title} {v} " + unit)
        phrases[estate_id][service].append(shape.format(title=title, v=f"{value.normalize():f}"))
    return {
        estate_id: {
            service: "；".join(parts) + "；" + CLOSINGS[service] for service, parts in by_service.items()
        }
        for estate_id, by_service in phrases.items()
    }


SHOWCASE_EXTRA = [
    (
        "联合党支部听证会",
        "物业治理联合党支部就小区停车难、电动车充电等问题召开听证会，形成 20 项整改事项，逐项销项。",
    ),
    ("“今天我接待”公示牌启用", "联合党支部成员每日轮流接待来访居民，亮身份、亮承诺、亮职责。"),
    ("专项维修资金使用公示", "本年度维修资金使用情况在公示栏及本公示本同步公示 30 天，接受业主监督。"),
]


def _showcase_estate_id(street, users) -> int | None:
    user = (users or {}).get("demo_oc")
    if user is not None:
        grant = (
            RoleGrant.objects.filter(user=user, role=Role.OC_MEMBER)
            .values_list("estate_id", flat=True)
            .first()
        )
        if grant:
            return grant
    return r.Estate.objects.filter(area__street=street).order_by("pk").values_list("pk", flat=True).first()


def demo_create(*, street, seed: int, scale: float = 1.0, today: dt.date, users) -> dict[str, int]:
    rng = Random(seed * 6007 + 31)
    estates = list(r.Estate.objects.filter(area__street=street).order_by("pk"))
    showcase = _showcase_estate_id(street, users)
    fund_uses = _fund_uses(street, since=today - dt.timedelta(days=FUND_USE_DAYS))
    committed = _committed_texts(street)
    matters, rules, contents = [], [], []
    for estate in estates:
        rich = estate.pk == showcase
        offered = [m for m in MATTERS if not (rich and m[0] in NOT_IN_SHOWCASE)]
        picks = rng.sample(offered, min(6, len(offered)) if rich else rng.randint(1, 3))
        if rich:
            picks += SHOWCASE_EXTRA
        for title, body in picks:
            day = today - dt.timedelta(days=rng.randint(5, 330))
            matters.append(MajorMatter(estate=estate, date=day, title=title, body=body))
        # Each decided use of the fund as the ledger has it (data health: voting.decision_citations_agree).
        for day, project, reference, amount, contractor in fund_uses.get(estate.pk, []):
            paid = f"向{contractor}支付{amount:,.2f}元" if contractor else f"支付{amount:,.2f}元"
            matters.append(
                MajorMatter(
                    estate=estate,
                    date=day,
                    title=project,
                    body=f"经业主大会表决通过（{reference}），使用专项维修资金实施{project}，{paid}。",
                    reference=reference,
                )
            )
        adopted = today - dt.timedelta(days=rng.randint(400, 3000))
        for kind, summary in ((RulesKind.MANAGEMENT_STATUTE, STATUTE), (RulesKind.ASSEMBLY_RULES, ASSEMBLY)):
            rules.append(
                EstateRules(
                    estate=estate,
                    kind=kind,
                    adopted_on=adopted,
                    summary=summary,
                    text=(summary + "\n" + "（全文共六章三十二条，详见业委会办公室存档。）") if rich else "",
                )
            )
        for service, (standard, (low, high), hours) in SERVICES.items():
            contents.append(
                ServiceContent(
                    estate=estate,
                    service=service,
                    standard=committed.get(estate.pk, {}).get(service, standard),
                    staffing=rng.randint(low, high),
                    hours=hours,
                )
            )
    MajorMatter.objects.bulk_create(matters)
    EstateRules.objects.bulk_create(rules)
    ServiceContent.objects.bulk_create(contents)
    return {"major_matters": len(matters), "estate_rules": len(rules), "service_contents": len(contents)}


def _fund_uses(street, *, since: dt.date) -> dict[int, list[tuple]]:
    """{estate id: [(day, project, decision number, amount, contractor)]}: the payments out of the maintenance
    fund since ``since`` that cite an owners' decision (finance/demo_data.py wrote them), corrections left out."""
    from gongzhi.finance.models import Direction, LedgerEntry, LedgerKind

    uses: dict[int, list[tuple]] = {}
    for estate_id, *row in (
        LedgerEntry.objects.filter(
            estate__area__street=street,
            ledger=LedgerKind.MAINTENANCE_FUND,
            direction=Direction.OUT,
            reverses=None,
            reversed_by=None,
            date__gte=since,
        )
        .exclude(reference="")
        .exclude(project="")
        .order_by("estate_id", "date", "seq")
        .values_list("estate_id", "date", "project", "reference", "amount", "counterparty")
    ):
        uses.setdefault(estate_id, []).append(tuple(row))
    return uses


def demo_delete(*, street) -> dict[str, int]:
    counts = {}
    for label, model in (
        ("major_matters", MajorMatter),
        ("estate_rules", EstateRules),
        ("service_contents", ServiceContent),
    ):
        counts[label], _ = model.objects.filter(estate__area__street=street).delete()
    return counts


def demo_fingerprint(street) -> str:
    digest = hashlib.sha256()
    order = ("estate__area__name", "estate__name")
    for model, fields in (
        (MajorMatter, ("date", "title", "body", "reference")),
        (EstateRules, ("kind", "adopted_on", "summary", "text")),
        (ServiceContent, ("service", "standard", "staffing", "hours")),
    ):
        for row in (
            model.objects.filter(estate__area__street=street)
            .order_by(*order, *fields)
            .values_list(*order, *fields)
        ):
            digest.update(repr(row).encode())
    return digest.hexdigest()
