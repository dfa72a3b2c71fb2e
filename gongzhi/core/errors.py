"""The one user error: a refusal the person can act on, in plain Chinese (HackSoft's ``ApplicationError``).

Every app's refusal (``RegistryError``, ``LedgerError``, ``VotingError`` …) is a subclass, so
callers may catch the app's own class or ``UserError`` for all of them. The JSON API maps it in one
place (``gongzhi/api/urls.py``: 400 with ``{"detail": message}``); an action page whose only answer
to a refusal is "say why, go back" uses ``refuse_with_message``. Forms that re-render with the
message beside the fields keep their own ``except``: what they show differs per form.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

# Django's web modules are imported where they are used, not here: the pure rules raise UserError and
# are imported by the console tools that run without Django (gongzhi tally FILE, gongzhi ledger verify).
View = Callable[..., "HttpResponse"]


class UserError(Exception):
    """Refused for a reason the user can act on; nothing was changed.

    ``message`` is plain Chinese for the user; ``field`` names the form field (or column) at fault
    and ``row`` the spreadsheet row, when known.
    """

    def __init__(self, message: Any, *, field: str | None = None, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row


def refuse_with_message(url_name: str, *url_kwargs: str) -> Callable[[View], View]:
    """An action view (POST → redirect) whose refusal is "say why, go back": a ``UserError`` becomes
    an error message and a redirect to ``url_name`` with the view's ``url_kwargs`` (e.g. ``"pk"``)."""

    from django.contrib import messages
    from django.shortcuts import redirect

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except UserError as error:
                messages.error(request, error.message)
                return redirect(url_name, *(kwargs[name] for name in url_kwargs))

        return wrapped

    return decorate
