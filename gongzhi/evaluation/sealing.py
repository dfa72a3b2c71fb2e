"""Sealing of the ballots that wait in a ballot box (docs/EVALUATION.md §5).

A waiting ballot sits beside the household markers of the few households that answered since the
last release, so in clear text a database dump, a WAL archive or a copied database file taken
at that moment would narrow it down to those few households (to one, if one is waiting). Sealed
with AES-256-GCM under a key derived from ``SECRET_KEY`` — which lives in the environment or
``var/secret_key``, never in the database — such a copy holds only ciphertexts of equal length.
The box is bound in as associated data, so a sealed ballot cannot be moved to another box."""

from __future__ import annotations

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

BLOCK = 4096  # plaintexts are padded to a multiple of this: the length says nothing about the answers
NONCE = 12
CONTEXT = b"gongzhi.evaluation.ballot-box.v1"


class SealError(Exception):
    """A sealed ballot that no configured key opens (SECRET_KEY rotated without a fallback)."""


def _cipher(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CONTEXT).derive(secret.encode())
    return AESGCM(key)


def seal(ballot: dict, *, box: str) -> str:
    """JSON → padded → AES-256-GCM with a random nonce → base64 text for the box's JSON list."""
    plain = json.dumps(ballot, separators=(",", ":")).encode()
    plain += b" " * (-len(plain) % BLOCK)  # JSON ignores trailing blanks
    nonce = os.urandom(NONCE)
    sealed = _cipher(settings.SECRET_KEY).encrypt(nonce, plain, box.encode())
    return base64.b64encode(nonce + sealed).decode("ascii")


def unseal(token: str, *, box: str) -> dict:
    """Open a sealed ballot with SECRET_KEY or one of SECRET_KEY_FALLBACKS (key rotation)."""
    raw = base64.b64decode(token)
    nonce, body = raw[:NONCE], raw[NONCE:]
    for secret in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        try:
            return json.loads(_cipher(secret).decrypt(nonce, body, box.encode()))
        except InvalidTag:
            continue
    raise SealError("no configured SECRET_KEY opens this ballot")
