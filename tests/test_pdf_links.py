"""Links printed on paper (issue #15): a PDF or a printed slip carries the site's public address
(GONGZHI_PUBLIC_BASE_URL) — a bare "/ledgers/2/" is useless on paper, and the address a request came in
on (behind nginx, 127.0.0.1) is not the one a resident can type. Each PDF that prints a link is read back
as text and must hold the absolute URL; a lint keeps request.build_absolute_uri out of printing code."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

import gongzhi
from gongzhi.core.pdf import pdf_text
from gongzhi.evaluation.tests import factories

BASE = "https://gongzhi.example.cn"
PACKAGE_DIR = Path(gongzhi.__file__).resolve().parent


@pytest.fixture
def public_base(settings):
    settings.GONGZHI_PUBLIC_BASE_URL = BASE
    return BASE


def squeezed(content: bytes) -> str:
    """The PDF's text without line breaks: a long URL wraps on paper."""
    return "".join(pdf_text(content).split())


def test_the_disclosure_book_prints_the_ledger_address_in_full_with_a_qr(public_base, as_user, world):
    response = as_user("admin").get(reverse("book:pdf", args=[world.estate_a1.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = squeezed(response.content)
    assert BASE + reverse("ledgers:estate", args=[world.estate_a1.pk]) in text
    assert "核对方法：访问" + BASE in text


def test_survey_letters_print_the_public_address(public_base, as_user, world):
    campaign = factories.open_campaign(world)
    link = campaign.campaign_estates.get(estate=world.estate_a1)
    response = as_user("secretary_a").post(reverse("evaluation:letters", args=[campaign.pk, link.pk]))
    assert response.status_code == 200
    text = squeezed(response.content)
    assert BASE + "/" in text and "testserver" not in text


def test_activation_letters_print_the_public_address(public_base, as_user, world):
    response = as_user("oc_a1").post(
        reverse("portal:letters_issue", args=[world.estate_a1.pk]), {"which": "new"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = squeezed(response.content)
    assert BASE + reverse("portal:activate") in text and "testserver" not in text


PRINTING = {"render_pdf", "qr_svg", "survey_letters_pdf", "letters_pdf", "qr_png_uri"}


def test_printing_code_takes_links_from_the_public_base_url():
    """A module that renders a PDF or a QR code builds its links with core.channels.absolute_url (or
    the setting), never with request.build_absolute_uri."""
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names
        }
        if not names & PRINTING:
            continue
        found += [
            f"{path.relative_to(PACKAGE_DIR)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "build_absolute_uri"
        ]
    assert found == []
