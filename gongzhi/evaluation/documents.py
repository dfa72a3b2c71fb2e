"""The printed household letters of a campaign (入户告知书): two letters per A4 page, each with its unit's
single-use code and a QR code to the survey. The codes are printed in clear here and nowhere else."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from gongzhi.core.pdf import qr_svg, render_pdf


def survey_letters_pdf(*, campaign, estate, issued: Sequence, base_url: str) -> bytes:
    """The letters of ``issued`` (``services.IssuedCode``, in print order) for ``estate``; ``base_url`` is
    the site's address as the household will type it (scheme and host, no trailing slash)."""
    letters = []
    for item in issued:
        url = base_url + reverse("survey:answer", args=[item.printed])
        letters.append(
            {
                "estate": estate.name,
                "building": item.unit.building.number,
                "unit": item.unit.number,
                "code": item.printed,
                "url": url,
                "qr": qr_svg(url),
            }
        )
    return render_pdf(
        "evaluation/pdf/letters.html",
        {"campaign": campaign, "letters": letters, "street_name": estate.area.street.name},
    )
