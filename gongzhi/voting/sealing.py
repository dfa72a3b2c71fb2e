"""Sealed choices (docs/VOTING_RULES.md §3a): how an owner voted is stored only as a keyed seal.

``seal`` is HMAC-SHA256 under a key derived from the application's SECRET_KEY (kept outside the
database: the ``GONGZHI_SECRET_KEY`` environment variable or ``var/secret_key``) over the decision, the
voter, the cast's random receipt and the choice. Without the key the 64 hex digits say nothing about
the choice (a DBA, a database dump or backup sees who voted, when and by which channel, never how);
with it the application opens a seal by trying the three possible choices. The receipt makes every
seal of the same choice different, so equal choices cannot be grouped by equal seals.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "gongzhi.voting.ballot-seal"
CHOICES = ("yes", "no", "abstain")


class BallotSealError(RuntimeError):
    """A seal that opens to no choice under the application's keys (wrong or rotated SECRET_KEY)."""


def _mac(message: str, secret: str | None = None) -> str:
    return salted_hmac(SALT, message, secret=secret, algorithm="sha256").hexdigest()


def _message(decision_id: int, voter_id: int, receipt: str, choice: str) -> str:
    return f"{decision_id}|{voter_id}|{receipt}|{choice}"


def seal(*, decision_id: int, voter_id: int, receipt: str, choice: str) -> str:
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r}")
    return _mac(_message(decision_id, voter_id, receipt, choice))


def unseal(*, decision_id: int, voter_id: int, receipt: str, sealed: str) -> str:
    """The choice sealed in ``sealed``, under the current key or a fallback (SECRET_KEY_FALLBACKS)."""
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        for choice in CHOICES:
            if constant_time_compare(_mac(_message(decision_id, voter_id, receipt, choice), secret), sealed):
                return choice
    raise BallotSealError(f"ballot seal of voter {voter_id} in decision {decision_id} does not open")
