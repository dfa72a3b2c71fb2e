"""``{% public_url 'ledgers:estate' estate.pk %}``: the address of a public page in the current language.

Public pages carry their language in the address (core/publicpages.py); a link between them keeps the
reader's choice by adding ``?lang=`` when it is not the default."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language

from gongzhi.core.publicpages import LANG_PARAM

register = template.Library()


@register.simple_tag
def public_url(viewname: str, *args) -> str:
    url = reverse(viewname, args=args)
    language = get_language()
    if language and language != settings.LANGUAGE_CODE:
        url += "?" + urlencode({LANG_PARAM: language})
    return url
