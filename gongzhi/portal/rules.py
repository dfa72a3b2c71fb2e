"""Activation codes as plain functions (no ORM): how a code looks, is read back and is stored."""

from __future__ import annotations

import hashlib
import secrets

# No 0/O, 1/I/L: a code is read off paper and typed on a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31**12 ≈ 2**59: not guessable online, and tries are throttled anyway
GROUP = 4
VALID_DAYS = 60
# The throttle: this many failed tries from one address within the window lock that address out.
MAX_FAILURES = 10
FAILURE_WINDOW_MINUTES = 60


def generate_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """ABCD2345EFGH → ABCD-2345-EFGH, as printed on the letter."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize_code(raw: str) -> str | None:
    """What the owner typed → the bare code, or None if it cannot be one. Spaces, dashes and case are
    forgiven."""
    text = "".join((raw or "").split()).replace("-", "").replace("—", "").upper()
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def code_hash(code: str) -> str:
    """The stored form of a code. Codes carry ~59 bits of randomness, so a plain SHA-256 is enough
    (like an API token); a salt would only stop the lookup by hash."""
    return hashlib.sha256(code.encode()).hexdigest()
