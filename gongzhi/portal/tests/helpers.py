"""Test helpers for the problem loop: small real images made with Pillow, and a problem
walked through the services from report to closure."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

GPS_IFD = 0x8825
MAKE = 0x010F

# Somewhere in Pudong: what a phone writes into a photo taken at home.
GPS = {1: "N", 2: (31.0, 13.0, 30.0), 3: "E", 4: (121.0, 31.0, 12.0)}


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 60, 40), *, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[MAKE] = "TestPhone"
        exif.get_ifd(GPS_IFD).update(GPS)
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def jpeg(**kwargs) -> bytes:
    return image_bytes("JPEG", **kwargs)


def png(**kwargs) -> bytes:
    return image_bytes("PNG", **kwargs)


def upload(name: str = "photo.jpg", data: bytes | None = None, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, jpeg() if data is None else data, content_type=content_type)


def walk(world, category, *, to: str = "closed", reporter: str = "owner_a1", days_ago: int = 2, **report):
    """A problem reported by ``reporter`` (with one report photo) and moved through the loop up
    to status ``to`` by the branch (secretary_a) and the company (staff_x), with one evidence
    photo. Dated ``days_ago`` days back so it does not use up the reporter's hourly allowance."""
    from gongzhi.problems import services

    moment = timezone.now() - dt.timedelta(days=days_ago)
    report.setdefault("description", "3号楼东侧消防通道被车辆长期占用")
    problem = services.problem_report(
        actor=world.user(reporter),
        estate=report.pop("estate", world.estate_a1),
        category=category,
        photos=[upload("report.jpg")],
        now=moment,
        **report,
    )
    if to == "reported":
        return problem
    if to == "rejected":
        return services.problem_reject(
            actor=world.user("secretary_a"), problem=problem, reason="不属于物业范围", now=moment
        )
    problem = services.problem_accept(actor=world.user("secretary_a"), problem=problem, now=moment)
    if to == "assigned":
        return problem
    problem = services.problem_submit(
        actor=world.user("staff_x"),
        problem=problem,
        note="已清理并设置隔离桩",
        photos=[upload("after.jpg")],
        now=moment,
    )
    if to == "submitted":
        return problem
    return services.problem_close(
        actor=world.user("secretary_a"), problem=problem, note="现场核实通道畅通", now=moment
    )
