"""The per-key counter in Redis: one round trip that counts and sets the expiry, and a Redis
outage reads as "not counted" (the API keeps answering), as the portal's other limits do."""

import pytest
from django.core.cache import cache

from kyc_portal.cache import FailOpenRedisCache, hashed_key

needs_redis = pytest.mark.skipif(
    not hasattr(cache, "count_in_window"), reason="needs CACHE_URL=redis://… (the Redis counter)"
)


@needs_redis
def test_the_counter_counts_and_expires_after_its_window():
    key = "api-rate:test-key:0"
    cache.delete(key)

    counts = [cache.count_in_window(key, 61) for _ in range(3)]

    assert counts == [1, 2, 3]
    stored = cache.make_and_validate_key(key)
    assert 0 < cache._cache.get_client(stored).ttl(stored) <= 61
    assert "test-key" not in stored  # the key is a keyed hash, like every cache key
    cache.delete(key)


def test_an_unreachable_redis_counts_nothing_and_refuses_nothing(settings):
    unreachable = FailOpenRedisCache(
        "redis://127.0.0.1:9/0",  # the discard port: nothing answers
        {"KEY_FUNCTION": hashed_key, "OPTIONS": {"socket_connect_timeout": 0.5}},
    )

    assert unreachable.count_in_window("api-rate:k:0", 61) is None
