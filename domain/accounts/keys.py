"""API keys: random, shown once, stored as a digest.

A key has 256 bits from the operating system's generator, so a fast digest (SHA-256) is the right store:
slow password hashes are for guessable secrets, and a digest lets a request find its key by index.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "tl_"


def new_key(kind: str) -> str:
    return f"{PREFIX}{kind.lower()[:4]}_{secrets.token_urlsafe(32)}"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
