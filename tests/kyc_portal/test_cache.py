"""Cache keys are keyed hashes: rate-limit counters never show a client address or an email."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from kyc_portal.cache import hashed_key

CLIENT_IP = "203.0.113.41"


def test_hashed_key_is_stable_keeps_prefix_and_version_and_hides_the_key(settings):
    key = f"allauth:rl:allauth.account:login_failed:20/600/ip:ip:{CLIENT_IP}"

    made = hashed_key(key, "kyc", 1)

    assert made == hashed_key(key, "kyc", 1)
    assert made != hashed_key(key + "0", "kyc", 1) and made != hashed_key(key, "kyc", 2)
    assert made.startswith("kyc:1:") and CLIENT_IP not in made
    settings.LOOKUP_HASH_KEY = "another-key"  # keyed: not a plain digest anyone can recompute
    assert hashed_key(key, "kyc", 1) != made


def stored_keys() -> list[str]:
    """Every key as the cache holds it: the in-process memory, or the Redis server (CI)."""
    if isinstance(cache._cache, dict):
        return list(cache._cache)
    return [key.decode() for key in cache._cache.get_client().keys("*")]


@pytest.mark.django_db
def test_after_a_failed_sign_in_no_cache_key_holds_the_address_or_email(client, customer):
    client.post(
        reverse("account_login"),
        {"login": customer.email, "password": "not-the-password"},
        REMOTE_ADDR=CLIENT_IP,
    )

    keys = stored_keys()
    assert keys  # the failed attempt was counted
    assert not [key for key in keys if CLIENT_IP in key or customer.email in key]
