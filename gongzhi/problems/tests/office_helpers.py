"""Small builders shared by the office-page tests (test_office_*.py). Data goes through the
services, as everywhere else; ``days_ago`` back-dates a step so tests can make problems old
(overdue, long to close) without waiting — and without tripping the reporting rate limit,
which counts the last hour and day only."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.problems import services


def png(name: str = "photo.png", colour: str = "red") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


_anchor: list[dt.datetime] = []


def anchor_reset() -> None:
    """Called before each test (conftest): the next ``ago`` takes a fresh "now" and keeps it."""
    _anchor.clear()


def ago(days: float) -> dt.datetime:
    # One fixed "now" per test: back-dated moments differ by exactly the days asked for, however
    # long the test itself takes on a loaded machine (durations are compared to the second).
    if not _anchor:
        _anchor.append(timezone.now())
    return _anchor[0] - dt.timedelta(days=days)


def report(
    world,
    categories,
    *,
    code="parking",
    who="owner_a1",
    estate=None,
    days_ago=0.0,
    description="楼下乱停车,消防通道被堵",
    **kw,
):
    source = kw.pop("source", "resident" if who == "owner_a1" else "patrol")
    return services.problem_report(
        actor=world.user(who),
        estate=estate or world.estate_a1,
        category=categories[code],
        description=description,
        source=source,
        now=ago(days_ago) if days_ago else None,
        **kw,
    )


def accept(world, problem, *, who="secretary_a", days_ago=0.0, **kw):
    return services.problem_accept(
        actor=world.user(who), problem=problem, now=ago(days_ago) if days_ago else None, **kw
    )


def close(world, problem, *, days_ago=0.0, assignee="staff_x"):
    """Submit (by the assignee) and close (by the branch) at the same back-dated moment."""
    moment = ago(days_ago) if days_ago else None
    services.problem_submit(
        actor=world.user(assignee), problem=problem, note="已整改", photos=[png()], now=moment
    )
    return services.problem_close(actor=world.user("secretary_a"), problem=problem, now=moment)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)
