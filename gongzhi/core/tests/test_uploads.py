"""Uploaded PDFs carry no active content, and every stored upload is served as a download in a sandbox
(issue 11, hole 10). The refusals are tested through the services every upload path calls (finance
disclosures and fund-use evidence, decision attachments and proxy authorisations); a clean PDF is one
that ``core.pdf`` renders."""

from __future__ import annotations

import datetime as dt
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.pdf import render_pdf
from gongzhi.finance.models import Disclosure, FundUseEvidence
from gongzhi.finance.rules import LedgerError
from gongzhi.finance.services import disclosure_record, evidence_attach, ledger_post
from gongzhi.voting import services as voting
from gongzhi.voting.models import DecisionAttachment
from gongzhi.voting.services import VotingError
from gongzhi.voting.tests.helpers import draft

pytestmark = pytest.mark.django_db


def _pdf(*objects: bytes, trailer: bytes = b"<</Root 1 0 R>>") -> bytes:
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    for number, obj in enumerate(objects, start=1):
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    return body + b"trailer\n" + trailer + b"\nstartxref\n0\n%%EOF\n"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data)
    return b"<</Filter /FlateDecode /Length %d%s>>\nstream\n" % (len(packed), extra) + packed + b"\nendstream"


CATALOG = b"<</Type /Catalog /Pages 2 0 R%s>>"
PAGES = b"<</Type /Pages /Kids [] /Count 0>>"

ACTIVE = {
    "open action javascript": _pdf(CATALOG % b" /OpenAction <</S /JavaScript /JS (app.alert(1))>>", PAGES),
    "hex-escaped name": _pdf(CATALOG % b" /OpenAction <</S /J#61vaScript /J#53 (app.alert(1))>>", PAGES),
    "inside an object stream": _pdf(
        CATALOG % b" /OpenAction 3 0 R",
        PAGES,
        _stream(b"3 0 <</S /JavaScript /JS (app.alert(1))>>", b" /Type /ObjStm /N 1 /First 4"),
    ),
    "additional actions": _pdf(CATALOG % b" /AA <</O 3 0 R>>", PAGES),
    "launch": _pdf(CATALOG % b" /OpenAction <</S /Launch /F (cmd.exe)>>", PAGES),
    "embedded file": _pdf(CATALOG % b" /Names <</EmbeddedFiles 3 0 R>>", PAGES),
    "rich media": _pdf(CATALOG % b"", PAGES, b"<</Type /Annot /Subtype /RichMedia>>"),
    "xfa form": _pdf(CATALOG % b" /AcroForm <</XFA 3 0 R>>", PAGES),
    "html polyglot": b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
    + _pdf(CATALOG % b"", PAGES)[9:],
    "encrypted": _pdf(CATALOG % b"", PAGES, trailer=b"<</Root 1 0 R /Encrypt 3 0 R>>"),
}


@pytest.fixture(scope="module")
def clean_pdf() -> bytes:
    return render_pdf("core/pdf/base.html", {})


def _upload(content: bytes, name: str = "文件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def fund_use(world):
    def post(direction, amount, summary):
        return ledger_post(
            actor=world.user("oc_a1"),
            estate=world.estate_a1,
            ledger="maintenance_fund",
            date=timezone.localdate() - dt.timedelta(days=3),
            direction=direction,
            amount=amount,
            summary=summary,
        )

    post("in", "1000.00", "首期归集")
    return post("out", "200.00", "屋面防水维修工程款")


def _disclose(world, attachment):
    day = timezone.localdate() - dt.timedelta(days=1)
    return disclosure_record(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        ledger="maintenance_fund",
        period_start=day - dt.timedelta(days=180),
        period_end=day - dt.timedelta(days=1),
        posted_on=day,
        place="board",
        attachment=attachment,
    )


@pytest.mark.parametrize("case", sorted(ACTIVE))
def test_a_pdf_with_active_content_is_refused_on_every_upload_path(world, fund_use, case):
    content = ACTIVE[case]
    why = "是加密的 PDF" if case == "encrypted" else "含有脚本、自动动作、嵌入文件或网页内容"
    with pytest.raises(LedgerError, match=why):
        evidence_attach(
            actor=world.user("oc_a1"), entry=fund_use, kind="price_audit", upload=_upload(content)
        )
    with pytest.raises(LedgerError, match=why):
        _disclose(world, _upload(content))
    decision = draft(world)
    with pytest.raises(VotingError, match=why):
        voting.decision_attachment_add(actor=world.user("oc_a1"), decision=decision, upload=_upload(content))
    assert not FundUseEvidence.objects.exists()
    assert not Disclosure.objects.exists()
    assert not DecisionAttachment.objects.exists()


def test_a_proxy_authorisation_with_javascript_is_refused(world):
    start = timezone.now() - dt.timedelta(days=2)
    decision = draft(world, opens_at=start, closes_at=start + dt.timedelta(days=7))
    decision = voting.decision_publish(actor=world.user("oc_a1"), decision=decision, now=start)
    with pytest.raises(VotingError, match="含有脚本"):
        voting.ballot_enter_proxy(
            actor=world.user("oc_a1"),
            decision=decision,
            voter=decision.electorate_owners.get(key="A1-2"),
            choice="yes",
            proxy_name="赵受托",
            authorisation=_upload(ACTIVE["open action javascript"], "委托书.pdf"),
            now=start + dt.timedelta(days=1),
        )
    assert not decision.ballots.exists()


MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def test_the_office_page_names_the_file_and_keeps_nothing(client, world):
    decision = draft(world)
    client.force_login(world.user("oc_a1"), backend=MODEL_BACKEND)
    response = client.post(
        reverse("voting:attachment_add", args=[decision.pk]),
        {"name": "报价单", "file": _upload(ACTIVE["html polyglot"], "报价单.pdf")},
        follow=True,
    )
    assert response.status_code == 200
    assert "含有脚本、自动动作、嵌入文件或网页内容" in response.content.decode()
    assert not DecisionAttachment.objects.exists()


def test_a_clean_pdf_is_accepted(world, fund_use, clean_pdf):
    evidence = evidence_attach(
        actor=world.user("oc_a1"), entry=fund_use, kind="price_audit", upload=_upload(clean_pdf)
    )
    assert evidence.content_type == "application/pdf"
    assert _disclose(world, _upload(clean_pdf)).attachment.name.endswith(".pdf")
    attachment = voting.decision_attachment_add(
        actor=world.user("oc_a1"), decision=draft(world), upload=_upload(clean_pdf)
    )
    with attachment.file.open("rb") as handle:
        assert handle.read() == clean_pdf


# Every view that serves a stored upload (the matrix rows that name them), with a persona allowed to read it.
FILE_URLS = {
    "finance:evidence_file",
    "finance:disclosure_file",
    "decide:attachment",
    "voting:authorisation",
    "problems:photo",
    "board:photo",
    "duty:photo",
}


def test_every_served_upload_is_a_sandboxed_download(client, world):
    from importlib import import_module

    seen = set()
    for app in ("finance", "voting", "problems", "portal", "branchwork"):
        for name, url, method, expected in import_module(f"gongzhi.{app}.tests.matrix_cases").cases(world):
            if name not in FILE_URLS or method != "get" or name in seen:
                continue
            persona = sorted(p for p, status in expected.items() if status == 200)[0]
            client.force_login(world.user(persona), backend=MODEL_BACKEND)
            response = client.get(url)
            assert response.status_code == 200, name
            assert response["Content-Disposition"].startswith("attachment"), name
            assert response["X-Content-Type-Options"] == "nosniff", name
            assert "sandbox" in response["Content-Security-Policy"], name
            seen.add(name)
    assert seen == FILE_URLS
