"""Legal citations in the official form Chinese documents use: 《民法典》第二百七十八条第一款第（四）项 —
the law's name in 书名号, article, paragraph (款) and item (项) in Chinese numerals, the item in full-width
parentheses (GB/T 15834 and the drafting practice of the NPC's 立法技术规范). Pure functions; the only
Django used is gettext, so that English pages read "Civil Code, Article 278(1)(4)".

Civil Code art. 278 para. 1 lists the nine matters the owners decide together (items 1–9); para. 2 holds
the quorum and majorities (voting/rules.py)."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

_DIGITS = "零一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 108 → 一百零八, 278 → 二百七十八, 1010 → 一千零一十;
    for 1 ≤ n ≤ 9999, as article and item numbers are written."""
    if not 1 <= n <= 9999:
        raise ValueError(f"chinese_number covers 1…9999, not {n}")
    if 10 <= n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    text, zero_pending, rest = "", False, n
    for value, unit in _UNITS:
        digit, rest = divmod(rest, value)
        if digit:
            text += ("零" if zero_pending else "") + _DIGITS[digit] + unit
            zero_pending = False
        elif text:
            zero_pending = True
    if rest:
        text += ("零" if zero_pending else "") + _DIGITS[rest]
    return text


def _number(n: int) -> str:
    """A number as the citation in the current language writes it: Chinese numerals in Chinese."""
    return chinese_number(n) if (get_language() or "zh-hans").startswith("zh") else str(n)


def civil_code_278_item(item: int) -> str:
    """The matter ``item`` of Civil Code art. 278 para. 1: 《民法典》第二百七十八条第一款第（四）项."""
    if not 1 <= item <= 9:
        raise ValueError(f"Civil Code art. 278 para. 1 has items 1…9, not {item}")
    return _("《民法典》第二百七十八条第一款第（%(item)s）项") % {"item": _number(item)}
