"""Encryption at rest for the most sensitive values (document numbers, dates of birth, secrets).

FIELD_ENCRYPTION_KEYS holds Fernet keys: the first encrypts, every key decrypts, so a key is
rotated by putting a new one first and running `manage.py rotate_encryption_keys`.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt", "lookup_hash", "rotate"]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.strip().encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return _current().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """Raises InvalidToken when no configured key opens the value."""
    return _current().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypts a value under the first (newest) key."""
    return _current().rotate(token.encode()).decode()


def lookup_hash(text: str) -> str:
    """A keyed hash of a normalised value: equal inputs match, and nothing can be read back."""
    normalised = "".join(text.split()).upper()
    return hmac.new(
        settings.LOOKUP_HASH_KEY.encode(), normalised.encode(), hashlib.sha256
    ).hexdigest()
