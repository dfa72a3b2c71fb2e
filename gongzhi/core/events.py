"""Who is told what: every event that sends a notification, with its recipients and the channels it
uses beside the inbox — one table, read by ``core.notify.notify`` and shown to the street admin
(/notifications/events/).

A user receives an external message only on the channels the event names AND the user has switched
on (/notifications/preferences/); the inbox is always written. ``today`` names the item of the
recipient's 今日待办 list (``<app>/today.py`` kind) the event stands behind, if any.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Channel

EMAIL, SMS, WECHAT = Channel.EMAIL.value, Channel.SMS.value, Channel.WECHAT.value


@dataclass(frozen=True)
class Event:
    label: str | Promise
    recipients: str | Promise
    channels: tuple[str, ...]
    today: str = ""


EVENTS: dict[str, Event] = {
    "problems.reported": Event(
        _("新问题待受理"), _("居民区联合党支部（紧急问题另告街道管理员）"), (EMAIL, WECHAT), "problems.accept"
    ),
    "problems.assigned": Event(_("新派单"), _("责任物业公司员工"), (SMS, WECHAT, EMAIL), "problems.mine"),
    "problems.accepted": Event(_("您报告的问题已受理"), _("报告人"), (WECHAT,)),
    "problems.rejected": Event(_("您报告的问题未予受理"), _("报告人"), (SMS, WECHAT)),
    "problems.submitted": Event(
        _("整改已提交，待现场验收"), _("居民区联合党支部"), (WECHAT, EMAIL), "problems.verify"
    ),
    "problems.sent_back": Event(_("验收未通过，退回整改"), _("责任物业公司员工"), (SMS, WECHAT)),
    "problems.closed": Event(_("问题已销项——请评价"), _("报告人"), (SMS, WECHAT)),
    "problems.reopened": Event(_("问题被重新打开"), _("责任物业公司员工、联合党支部"), (SMS, WECHAT)),
    "problems.overdue": Event(
        _("工单超期"),
        _("联合党支部、街道管理员、责任物业公司员工"),
        (SMS, WECHAT, EMAIL),
        "problems.street_overdue",
    ),
    "elections.slate_submitted": Event(
        _("换届人选待审核"), _("领导小组成员"), (EMAIL, WECHAT), "elections.approve"
    ),
    "elections.slate_approved": Event(_("换届人选已通过审核"), _("报送的居民区书记"), (WECHAT,)),
    "elections.slate_returned": Event(
        _("换届人选被退回"), _("报送的居民区书记"), (WECHAT, EMAIL), "elections.returned"
    ),
    "finance.disclosure_due": Event(
        _("收支公示到期未公示"),
        _("业委会（维修资金）或物业公司（物业费）、街道管理员"),
        (EMAIL, WECHAT),
        "finance.disclose",
    ),
    "finance.money_alert": Event(
        _("资金预警"), _("业委会、街道管理员"), (EMAIL, WECHAT), "finance.street_alerts"
    ),
    "voting.short_of_quorum": Event(
        _("表决距法定人数不足"), _("业委会委员、居民区书记"), (SMS, WECHAT), "voting.short"
    ),
    "training.exam_open": Event(_("考试已开放"), _("应考人员"), (SMS, WECHAT)),
    "portal.letters_reissued": Event(_("激活信重新发放"), _("房屋现有业主账号"), (SMS,)),
    "general": Event(_("其他通知"), _("调用方指定"), ()),
}


def event_for(key: str) -> Event:
    """The event of ``key``; an unknown key is a programming error, caught by the tests."""
    return EVENTS[key]
