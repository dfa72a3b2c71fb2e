"""Stairwell notices (楼道公告): paper for residents without a phone. One A4 page per building, large
type, the estate and the building, the dates written out in Chinese (2026年12月6日 星期日) and a QR code
to the page's absolute address (GONGZHI_PUBLIC_BASE_URL), for the branch or the committee to post."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from gongzhi.core.channels import absolute_url
from gongzhi.core.dates import long_date
from gongzhi.core.pdf import qr_svg, render_pdf

MAX_PAGES = 80  # an estate's buildings; more is a mistake, not a notice


@dataclass
class Notice:
    kind: str  # 表决公告, 公示本更新 …
    title: str
    estate: str
    url: str  # the site path the QR code leads to
    lines: list[str] = field(default_factory=list)
    dates: list[tuple[str, dt.date | dt.datetime]] = field(default_factory=list)
    signed: str = ""  # who posts it (……业主委员会 / ……联合党支部)


def notice_pdf(notice: Notice, buildings: list[str]) -> bytes:
    """The PDF: one page per building name ("" for one page without a building)."""
    link = absolute_url(notice.url)
    pages = (buildings or [""])[:MAX_PAGES]
    return render_pdf(
        "core/pdf/stairwell.html",
        {
            "notice": notice,
            "pages": pages,
            "link": link,
            "qr": qr_svg(link, scale=6),
            "dates": [(label, long_date(value)) for label, value in notice.dates],
            "printed": long_date(timezone.now()),
        },
    )
