"""``gettext`` for the pure rules, usable with or without Django.

The rules modules (``voting/rules.py``, ``finance/rules.py``) are imported by the pages, the API and the
management commands, where Django is set up and each message follows the active language — and by the
console tools that start without Django (``gongzhi tally FILE``, ``gongzhi ledger verify FILE``,
``gongzhi/cli.py``), where Django's ``gettext`` cannot run (no settings, no app registry). There the text
is the source text: the console speaks ``settings.LANGUAGE_CODE`` (zh-hans), as a management command
does, and zh-hans is the language the messages are written in.

Messages stay ``_()`` calls, so ``makemessages`` finds them as before. The check is two lookups; the
rules call it only when they have something to say (an error, a label), never per row.
"""

from __future__ import annotations

import sys


def gettext(message: str) -> str:
    """Django's ``gettext`` once Django's apps are loaded, else ``message`` as written (zh-hans)."""
    apps_module = sys.modules.get("django.apps")
    if apps_module is not None and apps_module.apps.ready:
        from django.utils.translation import gettext as django_gettext

        return django_gettext(message)
    return message
