"""The printed activation letters: one A4 page per owner, in one PDF for the whole batch."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils import timezone

from gongzhi.core.masking import mask_name
from gongzhi.core.pdf import render_pdf
from gongzhi.portal.services import IssuedLetter
from gongzhi.registry.models import Estate


def activation_link(activate_url: str, code: str) -> str:
    """What the QR code opens: the activation page with the code filled in."""
    return f"{activate_url}?{urlencode({'code': code})}"


def qr_png_uri(data: str) -> str:
    """A QR code as a PNG data URI. Not ``core.pdf.qr_svg``: WeasyPrint lays out 400 inline SVGs about
    twice as slowly as 400 small bitmaps, and a batch of letters is hundreds of pages."""
    import segno

    return segno.make(data, error="m", micro=False).png_data_uri(scale=5, border=2)


def letters_issuer(user, estate: Estate) -> str:
    """Who signs the letters: the committee (its own letterhead, empty here), the residents' committee,
    or the street office — whoever issues them."""
    from django.utils.translation import gettext as _

    from gongzhi.portal import permissions

    capacity = permissions.issuing_capacity(user, estate)
    return {
        permissions.CAPACITY_COMMITTEE: "",
        permissions.CAPACITY_AREA: _("%(area)s居民委员会") % {"area": estate.area.name},
    }.get(capacity, _("%(street)s办事处") % {"street": estate.area.street.name})


def letters_pdf(*, estate: Estate, letters: list[IssuedLetter], activate_url: str, issuer: str = "") -> bytes:
    """The batch PDF. Names are masked (the letter travels through letter boxes); the code is printed
    in clear here and nowhere else."""
    pages = [
        {
            "masked_name": mask_name(letter.owner.name),
            "units": letter.units,
            "code_display": letter.code_display,
            "expires_at": timezone.localtime(letter.expires_at),
            "qr": qr_png_uri(activation_link(activate_url, letter.code)),
        }
        for letter in letters
    ]
    context = {
        "estate": estate,
        "letters": pages,
        "activate_url": activate_url,
        "issued_on": timezone.localdate(),
        "issuer": issuer,
    }
    return render_pdf("portal/pdf/activation_letters.html", context)
