"""Agendas and minutes of the demo street's meetings (演示会议的议程与纪要), by the meeting's kind and facts.

Each kind of meeting has its own agenda (a branch's weekly meeting is not a hearing, nor the annual price
meeting, nor an owners' committee's meeting), and its minutes are written from what happened: the day and
place, who was invited, present, absent and why, the estates concerned, each agenda item in order with
what the kind of meeting does with it, and the resolutions recorded. So no two meetings carry the same minutes (data health:
``branchwork.minutes_fit_meetings``). Demo data, in Chinese like every other text of the demo street.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from gongzhi.branchwork import models as m

NUMERALS = "一二三四五六七八九十"

# kind → [(agenda item, what the minutes record of it)]; "{estates}" is the meeting's estates.
AGENDAS: dict[str, list[tuple[str, str]]] = {
    m.MeetingKind.BRANCH: [
        (
            "本周问题清单销项情况",
            "逐项核对{estates}问题清单，已整改的由成员现场复核后销项，未按期整改的明确催办人。",
        ),
        ("日巡发现问题", "成员汇报本周日巡情况，新发现的问题当场登记，转物业企业限期整改。"),
        ("下周工作安排", "排定下周日巡和“今天我接待”值班，明确各项工作的责任人和完成时限。"),
    ],
    m.MeetingKind.JOINT: [
        ("问题清单逐项过堂", "五方逐项过堂{estates}问题清单，物业企业说明每项整改进度。"),
        ("各方汇报“四保”服务情况", "物业企业汇报保洁、保绿、保安、保修情况，业委会和居委会提出意见。"),
        ("需联合推进的事项分工", "对需多方配合的事项明确牵头单位和配合单位。"),
    ],
    m.MeetingKind.HEARING: [
        ("主持人说明听证事项和程序", "主持人说明本次听证涉及{estates}的物业服务事项、发言顺序和记录方式。"),
        ("居民代表陈述意见", "居民代表逐一陈述意见，记录员当场记录，意见集中在门岗值守和报修响应。"),
        ("物业企业答复并说明整改计划", "物业企业逐条答复，说明整改措施和完成时间。"),
        ("形成整改事项和时限", "听证会汇总意见，形成整改事项，明确时限，由联合党支部跟踪销项。"),
    ],
    m.MeetingKind.FORUM: [
        ("听取居民意见和建议", "{estates}居民代表围绕小区环境和日常服务发言。"),
        ("有关方面回应", "物业企业、居委会对居民关心的问题当场回应，不能当场答复的限期答复。"),
        ("梳理问题，转入问题清单", "会后将居民反映的问题梳理成条，转入问题清单跟踪。"),
    ],
    m.MeetingKind.COORDINATION: [
        ("通报需协调的问题", "通报{estates}久拖未决、需要协调的问题及其来由。"),
        ("物业企业说明原因和整改计划", "物业企业说明未能按期整改的原因，提出整改计划。"),
        ("明确整改时限和责任人", "协调各方意见，明确每项整改的时限和责任人。"),
    ],
    m.MeetingKind.PRICE: [
        ("物业企业报告本年度服务质量和收支情况", "物业企业报告{estates}本年度“四保”服务和物业费收支情况。"),
        ("通报满意度测评和第三方检查结果", "通报本年度满意度测评得分和第三方检查发现的问题。"),
        ("业主代表提出意见", "业主代表对服务质量和收支情况提出意见和问题。"),
        (
            "先质后价，商议下一年度服务标准和收费",
            "按先质后价的原则，先对照服务标准评议服务质量，再商议下一年度的收费。",
        ),
    ],
    m.MeetingKind.OWNERS_COMMITTEE: [
        ("上次会议决定落实情况", "逐项通报上次会议决定的落实情况。"),
        ("维修资金和公共收益收支", "审核{estates}维修资金和公共收益近两个月的收支，核对账目和凭证。"),
        ("业主来信来访和报修处理", "通报业主来信来访和报修的办理情况。"),
        ("需要公告的决定", "议定本次会议需要公告的决定，按规定在三日内公告。"),
    ],
}


# The resolution each special meeting of the demo area leaves open for the secretary to hand over.
OPEN_RESOLUTIONS = {
    m.MeetingKind.COORDINATION: "物业公司半个月内完成整改，业委会进一步召开会议拿出具体办法。",
    m.MeetingKind.PRICE: "物业企业按本次评议意见提出下一年度服务标准和收费方案，业委会征求业主意见后提请业主大会决定。",
    m.MeetingKind.FORUM: "座谈会反映的垃圾分类和保洁问题，物业企业两周内整改，联合党支部跟踪销项。",
    m.MeetingKind.HEARING: "物业公司半个月内完成听证会形成的整改事项，联合党支部逐项跟踪销项。",
}


def agenda(kind: str) -> str:
    """The numbered agenda of a meeting of this kind."""
    return "\n".join(f"{n}. {item}" for n, (item, _said) in enumerate(AGENDAS[kind], start=1))


def _day(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def minutes(
    meeting: m.Meeting,
    *,
    estates: Sequence[str],
    invitees: Sequence[m.Invitee],
    resolutions: Sequence[str],
) -> str:
    """The minutes of a held meeting from its facts (kind, day, place, attendance, estates, resolutions)."""
    members = [i for i in invitees if not i.non_voting]
    present = [i for i in members if i.attendance == m.Attendance.PRESENT]
    absent = [i for i in members if i.attendance == m.Attendance.ABSENT]
    guests = [i for i in invitees if i.non_voting and i.attendance == m.Attendance.PRESENT]
    lines = [f"时间：{_day(meeting.starts_at)}；地点：{meeting.place}。"]
    attendance = f"应到{len(members)}人，实到{len(present)}人"
    if absent:
        attendance += "；缺席：" + "、".join(f"{i.name}（{i.absence_reason}）" for i in absent)
    if guests:
        attendance += f"；列席{len(guests)}人"
    lines.append(f"出席：{attendance}。")
    where = "、".join(estates) or "本居民区各小区"
    for number, (item, said) in enumerate(AGENDAS[meeting.kind]):
        lines.append(f"{NUMERALS[number]}、{item}：{said.format(estates=where)}")
    if resolutions:
        lines.append("会议决议：")
        lines += [f"{n}. {text}" for n, text in enumerate(resolutions, start=1)]
    else:
        lines.append("本次会议未形成需要跟踪的决议。")
    return "\n".join(lines)
