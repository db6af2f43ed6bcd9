"""The shared cache: keys kept as keyed hashes, and a Redis outage read as a miss.

The cache holds allauth's rate-limit counters, whose keys carry client addresses; hashing every
key keeps those addresses out of Redis. While Redis is away the limits go unenforced for a short
while (with a warning in the log) rather than sign-in, sign-up and password reset failing.
"""

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# After a failure, calls skip Redis for this long, so an outage costs one timeout, not one a call.
RETRY_AFTER_SECONDS = 5.0
# INCR and, on a new counter, EXPIRE: atomic, so no counter is left without its expiry.
COUNT_IN_WINDOW = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
# Per process, by server: when to try again (0: up).
_down_until: dict[str, float] = {}


def hashed_key(key, key_prefix, version) -> str:
    """Django's KEY_FUNCTION: an HMAC of the key, so no address or email is readable in Redis."""
    digest = hmac.new(
        settings.LOOKUP_HASH_KEY.encode(), f"cache:{key}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{key_prefix}:{version}:{digest}"


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, except that an unreachable server reads as a miss and drops writes.

    `add` then reports success: allauth builds its rate-limit lock on it, and a lock that can
    never be taken would turn every sign-in away.
    """

    def _attempt(self, fallback, operation, *args, **kwargs):
        server = str(self._servers)
        if time.monotonic() < _down_until.get(server, 0.0):
            return fallback
        try:
            result = operation(*args, **kwargs)
        except UNREACHABLE as error:
            if not _down_until.get(server):
                # The class name only: messages can carry host names.
                logger.warning(
                    "Cache unreachable (%s): rate limits are not enforced until it answers.",
                    type(error).__name__,
                )
            _down_until[server] = time.monotonic() + RETRY_AFTER_SECONDS
            return fallback
        if _down_until.pop(server, None):
            logger.warning("Cache reachable again: rate limits are enforced.")
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._attempt({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._attempt(missing, super().incr, key, delta, version)
        if result is missing:
            raise ValueError("Key not found: the cache is unreachable.")
        return result

    def count_in_window(self, key, window_seconds: int) -> int | None:
        """Adds one to a counter that expires `window_seconds` after its first count, in one
        round trip (a script: INCR, and EXPIRE on the first); None while Redis is unreachable.
        Django's incr takes two (EXISTS, then INCR) and builds a new client object each call."""
        key = self.make_and_validate_key(key)
        return self._attempt(None, self._count, key, window_seconds)

    def _count(self, key, window_seconds):
        script = getattr(self, "_counting_script", None)
        if script is None:  # the backend object is per thread; the client's pool is shared
            client = self._cache.get_client(key, write=True)
            script = self._counting_script = client.register_script(COUNT_IN_WINDOW)
        return script(keys=[key], args=[window_seconds])

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._attempt(None, super().delete_many, keys, version)

    def clear(self):
        return self._attempt(False, super().clear)
