"""Facts about the shared PDF rendering: Chinese text survives, fonts are embedded, QR codes are SVG."""

import re
import subprocess

from django.template import engines

from gongzhi.core.pdf import pdf_response, pdf_text, qr_svg, render_pdf


def test_a_chinese_heading_is_in_the_rendered_pdf_with_an_embedded_cjk_font(tmp_path, settings):
    template_dir = tmp_path / "templates"
    (template_dir / "t").mkdir(parents=True)
    (template_dir / "t" / "doc.html").write_text(
        '{% extends "core/pdf/base.html" %}{% block content %}<h1>小区公示本</h1><p>维修资金收支</p>{% endblock %}',
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir]}]
    engines._engines = {}  # the template engines are cached; pick up the new DIRS
    try:
        content = render_pdf("t/doc.html", {})
    finally:
        engines._engines = {}
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "小区公示本" in text and "维修资金收支" in text
    pdf_file = tmp_path / "doc.pdf"
    pdf_file.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(pdf_file)], capture_output=True, check=True, text=True).stdout
    # Embedded subsets ("ABCDEF+Noto…", emb = yes), never a fallback font without Chinese glyphs.
    assert re.search(r"[A-Z]{6}\+Noto-S(ans|erif)-CJK-SC", fonts)
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])


def test_a_pdf_response_names_a_chinese_file():
    response = pdf_response(b"%PDF-1.7", "公示本.pdf", inline=False)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E5%85%AC%E7%A4%BA%E6%9C%AC.pdf" in response["Content-Disposition"]


def test_a_qr_code_is_an_inline_svg_that_grows_with_its_data():
    short, long = qr_svg("https://x/a"), qr_svg("https://example.org/activate/" + "A" * 60)
    assert short.startswith("<svg") and "<?xml" not in short
    assert len(long) > len(short)
