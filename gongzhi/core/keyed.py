"""A text the system writes for people to read later (an inbox message, a note in a problem's history), kept as
its catalogue msgid and parameters so that it is rendered in the reader's language when it is read, not frozen
in the writer's: a street worker in English mode reads "New problem …", the committee in Chinese reads 新问题….

A parameter {"date": "2026-12-06"} is a day and is written as the reader's language writes days (2026年12月6日
星期日 / 6 December 2026); any other parameter is data (a name, a number) and is shown as it is. The Chinese
rendering is stored beside the key as well (``chinese()``): it is what external channels (SMS, e-mail) send and
what older rows, written before keys, show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext


def day_param(value: dt.date) -> dict[str, str]:
    """A date parameter: rendered as the reader's language writes a day."""
    return {"date": value.isoformat()}


def render(key: str, params: dict[str, Any]) -> str:
    """``key`` translated into the active language, with ``params`` filled in (days written as that language
    writes them). A parameter that is missing from the text leaves it unchanged rather than failing."""
    from gongzhi.core.dates import plain_date

    values = {
        name: plain_date(dt.date.fromisoformat(value["date"])) if isinstance(value, dict) else value
        for name, value in params.items()
    }
    text = gettext(key)
    try:
        return text % values if values else text
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not hide the message: the source text is always whole.
        return key % values if values else key


@dataclass(frozen=True)
class Keyed:
    """A message to render later: a msgid marked with ``gettext_noop`` and its parameters (JSON-safe)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def chinese(self) -> str:
        with translation.override("zh-hans"):
            return render(self.key, self.params)

    def __str__(self) -> str:
        return render(self.key, self.params)
