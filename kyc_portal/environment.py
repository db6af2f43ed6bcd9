"""Readers for settings.py: each takes a variable's name and default, and a bad value stops
start-up with ImproperlyConfigured naming the variable. An empty value counts as unset.

Only values that are not secret are repeated in the messages.
"""

import base64
import binascii
import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
# allauth's rate syntax: amount/period[/per], comma-separated; e.g. "10/h/ip", "5/5m/key".
_RATE = re.compile(r"\d+/\d*(\.\d+)?[smhd](/(ip|key|user))?")
_DOTTED_PATH = re.compile(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+")


def _raw(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def boolean(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def integer(name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {value}.")
    return value


def fraction(name: str, default: float) -> float:
    """A number from 0 to 1, such as a score threshold."""
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, not {raw!r}.") from None
    if not 0 <= value <= 1:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, not {raw!r}.")
    return value


def rate_limit(name: str, default: str) -> str:
    """allauth's rate syntax, checked here because allauth only parses it on the first request."""
    raw = _raw(name)
    if raw is None:
        return default
    if not all(_RATE.fullmatch(part.strip()) for part in raw.split(",")):
        raise ImproperlyConfigured(
            f"{name} must be rates such as 10/h/ip or 20/10m/ip,5/5m/key, not {raw!r}."
        )
    return raw


def seconds_list(name: str, default: list[int]) -> list[int]:
    """Comma-separated whole numbers of seconds, at least one, e.g. "5,300,1800"."""
    raw = _raw(name)
    if raw is None:
        return default
    parts = [part.strip() for part in raw.split(",")]
    if not all(part.isdigit() for part in parts):
        raise ImproperlyConfigured(
            f"{name} must be whole numbers of seconds separated by commas, not {raw!r}."
        )
    return [int(part) for part in parts]


def url(name: str, default: str, *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """An absolute URL with a host; the value is not repeated (it may carry a password)."""
    raw = _raw(name)
    if raw is None:
        return default
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not parts.hostname:
        raise ImproperlyConfigured(
            f"{name} must be an absolute {' or '.join(schemes)} URL with a host name."
        )
    return raw


def dotted_path(name: str, default: str) -> str:
    raw = _raw(name)
    if raw is None:
        return default
    if not _DOTTED_PATH.fullmatch(raw):
        raise ImproperlyConfigured(f"{name} must be a dotted Python path, not {raw!r}.")
    return raw


def absolute_path(name: str, default: str) -> str:
    raw = _raw(name)
    if raw is None:
        return default
    if not os.path.isabs(raw):
        raise ImproperlyConfigured(f"{name} must be an absolute path, not {raw!r}.")
    return raw


def email_address(name: str, default: str) -> str:
    raw = _raw(name)
    if raw is None:
        return default
    if "@" not in raw:
        raise ImproperlyConfigured(f"{name} must be an email address, not {raw!r}.")
    return raw


def origins(name: str, default: list[str]) -> list[str]:
    """Comma-separated scheme://host origins (Django refuses CSRF origins without a scheme)."""
    raw = _raw(name)
    if raw is None:
        return default
    values = [part.strip() for part in raw.split(",") if part.strip()]
    for value in values:
        if "://" not in value:
            raise ImproperlyConfigured(
                f"{name} must list origins with their scheme (https://host), not {value!r}."
            )
    return values


def fernet_keys(name: str, value: str) -> list[str]:
    """Comma-separated Fernet keys (url-safe base64 of 32 bytes); the keys are never repeated."""
    keys = [key.strip() for key in value.split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured(f"{name} must hold at least one Fernet key.")
    for position, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode())) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                f"{name}: key number {position} is not a Fernet key (make one with "
                "Fernet.generate_key())."
            )
    return keys
