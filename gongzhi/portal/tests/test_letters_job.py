"""Activation letters as a background job (issue 16): a whole estate (or a building) is issued by the
same service as the direct download and rendered by the worker, one PDF per building, with a progress
bar counted in buildings; all or nothing; the file is the job owner's only."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEvent, Notification
from gongzhi.core.pdf import pdf_text
from gongzhi.jobs import services as jobs
from gongzhi.jobs.models import Job, JobStatus
from gongzhi.jobs.worker import run_burst
from gongzhi.portal import documents, rules
from gongzhi.portal.models import ActivationCode
from gongzhi.registry import models as r

CODE_RE = re.compile(r"\b([2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4})\b")


@pytest.fixture(autouse=True)
def _no_schedule(monkeypatch):
    monkeypatch.setattr(jobs.registry, "schedule", lambda: ())


@pytest.fixture
def estate(world):
    """Estate A1: its owners in building 1号 (A1-1 has activated) and two owners only in a building 2号."""
    building2 = r.Building.objects.create(estate=world.estate_a1, number="2号", floors=6)
    for ref, name, number in (("A1-8", "孙小梅", "101"), ("A1-9", "钱多多", "102")):
        owner = r.Owner.objects.create(street=world.street, ref=ref, name=name, phone="13900009999")
        r.Unit.objects.create(building=building2, number=number, area=Decimal("80.00"), owner=owner)
    world.building2 = building2
    return world.estate_a1


def letters_audits() -> int:
    return AuditEvent.objects.filter(object_type="portal.ActivationCode").count()


def test_an_estate_in_the_background_gives_one_pdf_per_building_with_codes_that_are_stored(
    as_user, world, estate
):
    client = as_user("oc_a1")
    response = client.post(
        reverse("portal:letters_issue", args=[estate.pk]), {"which": "new", "background": "1"}
    )
    job = Job.objects.get(task="portal.letters")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert not ActivationCode.objects.exists()  # nothing issued before the worker runs

    assert run_burst() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.progress_done, job.progress_total) == (2, 2)  # buildings
    assert job.result["count"] == 4 and job.result["buildings"] == [
        {"number": "1号", "count": 2},
        {"number": "2号", "count": 2},
    ]
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "已生成 4 封激活信" in page and "下载 ZIP 文件" in page

    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        names = sorted(archive.namelist())
        assert names == ["甲一小区-1号-激活信.pdf", "甲一小区-2号-激活信.pdf"]
        texts = {name: pdf_text(archive.read(name)) for name in names}
    assert "孙**" in texts[names[1]] and "钱**" in texts[names[1]] and "孙**" not in texts[names[0]]
    assert "孙小梅" not in "".join(texts.values())  # masked, as on the direct letters
    codes = [c for text in texts.values() for c in CODE_RE.findall(text)]
    assert len(codes) == 4
    stored = set(ActivationCode.objects.values_list("code_hash", flat=True))
    assert {rules.code_hash(c.replace("-", "")) for c in codes} == stored
    assert letters_audits() == 1  # the service's one audit record, as on the direct path
    assert Notification.objects.filter(
        user=world.user("oc_a1"), text="后台任务已完成：生成业主激活信（PDF）。"
    ).exists()


def test_one_building_gives_one_pdf(as_user, world, estate):
    client = as_user("admin")
    client.post(
        reverse("portal:letters_issue", args=[estate.pk]),
        {"which": "new", "building": world.building2.pk, "background": "1"},
    )
    run_burst()
    job = Job.objects.get(task="portal.letters")
    assert job.status == JobStatus.DONE and job.result["file"] == "letters.pdf"
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    text = pdf_text(content)
    assert len(CODE_RE.findall(text)) == 2 and "街道办事处" in text  # signed by the street office
    assert sorted(ActivationCode.objects.values_list("owner__ref", flat=True)) == ["A1-8", "A1-9"]


def test_a_batch_above_the_direct_limit_goes_to_the_worker_and_a_small_one_does_not(
    as_user, world, estate, settings
):
    client = as_user("oc_a1")
    url = reverse("portal:letters_issue", args=[estate.pk])
    settings.GONGZHI_LETTERS_DIRECT_MAX = 3
    response = client.post(url, {"which": "new"})  # 4 owners > 3
    assert response.status_code == 302 and Job.objects.filter(task="portal.letters").count() == 1
    settings.GONGZHI_LETTERS_DIRECT_MAX = 4
    response = client.post(url, {"which": "new", "building": world.building2.pk})  # 2: the PDF at once
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert Job.objects.filter(task="portal.letters").count() == 1


def test_a_failed_render_issues_nothing_and_revokes_nothing(as_user, world, estate, monkeypatch):
    client = as_user("oc_a1")
    url = reverse("portal:letters_issue", args=[estate.pk])
    client.post(url, {"which": "new", "building": world.building2.pk})  # live codes for 2号, directly
    live_before = set(ActivationCode.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True))
    audits_before = letters_audits()
    real = documents.letters_pdf
    calls = []

    def failing_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(documents, "letters_pdf", failing_second)
    client.post(url, {"which": "pending", "background": "1"})  # would revoke 2号's codes and reissue
    run_burst()
    job = Job.objects.get(task="portal.letters")
    assert job.status == JobStatus.FAILED and "disk full" in job.error and job.attempts == 1
    assert (
        set(ActivationCode.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True))
        == live_before
    )
    assert ActivationCode.objects.count() == len(live_before)
    assert letters_audits() == audits_before
    assert not list(jobs.result_dir(job.pk).iterdir())
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_nothing_to_issue_fails_the_job_with_the_plain_reason(as_user, world, estate):
    client = as_user("oc_a1")
    url = reverse("portal:letters_issue", args=[estate.pk])
    client.post(url, {"which": "new", "background": "1"})
    client.post(url, {"which": "new", "background": "1"})  # enqueued before the first one ran
    run_burst()
    first, second = Job.objects.filter(task="portal.letters").order_by("pk")
    assert first.status == JobStatus.DONE
    assert second.status == JobStatus.FAILED and "没有需要发放激活信的业主" in second.error
    assert ActivationCode.objects.count() == 4


def test_the_letters_are_their_issuers_only(as_user, world, estate):
    as_user("oc_a1").post(
        reverse("portal:letters_issue", args=[estate.pk]), {"which": "new", "background": "1"}
    )
    run_burst()
    job = Job.objects.get(task="portal.letters")
    for persona in ("admin", "secretary_a", "secretary_b", "leader"):
        client = as_user(persona)
        assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
        assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
