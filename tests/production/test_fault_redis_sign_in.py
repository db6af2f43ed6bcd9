"""The cache on a Redis of its own: rate-limit keys hold no client address, and with Redis
stopped customers still sign in, sign up and reset passwords (limits fail open, with a warning).

Runs on a redis-server of its own (the `redis_server` fixture), stopped and started here.
"""

import logging
import subprocess
import sys

import pytest
import redis
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from kyc_portal import cache as kyc_cache
from tests.factories import PASSWORD

from .conftest import ROOT

pytestmark = pytest.mark.django_db

CLIENT_IP = "198.51.100.77"


@pytest.fixture
def own_cache(redis_server, settings, monkeypatch):
    """The default cache on our own redis-server, configured as settings.py does for CACHE_URL."""
    monkeypatch.setattr(kyc_cache, "_down_until", {})
    settings.CACHES = {
        "default": {
            "BACKEND": "kyc_portal.cache.FailOpenRedisCache",
            "LOCATION": redis_server["url"] + "/0",
            "KEY_PREFIX": "kyc",
            "KEY_FUNCTION": "kyc_portal.cache.hashed_key",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    return redis.Redis(port=redis_server["port"], db=0)


def _log_in(client, email, password=PASSWORD):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=CLIENT_IP
    )


def test_settings_give_a_redis_cache_url_the_fail_open_backend_and_hashed_keys(tmp_path):
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "c=s.CACHES['default'];print(c['BACKEND'], c['KEY_FUNCTION'])"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "kyc_portal.settings",
        "KYC_VAR_DIR": str(tmp_path),
        "CACHE_URL": "redis://127.0.0.1:6390/3",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "kyc_portal.cache.FailOpenRedisCache",
        "kyc_portal.cache.hashed_key",
    ]


def test_rate_limit_keys_in_redis_hold_no_client_address_and_still_lock(
    own_cache, client, customer
):
    for attempt in range(5):
        _log_in(client, customer.email, f"wrong-password-{attempt}")
    locked = _log_in(client, customer.email)

    keys = [key.decode() for key in own_cache.keys("*")]
    assert keys  # the counters are there...
    for key in keys:  # ...under keyed hashes only
        assert CLIENT_IP not in key and customer.email not in key and "allauth" not in key
        assert key.startswith("kyc:1:") and len(key.split(":")[2]) == 64
    assert "Too many failed login attempts" in locked.content.decode()  # the limit holds


def test_with_redis_stopped_a_customer_signs_in(own_cache, redis_server, client, customer, caplog):
    redis_server["stop"]()

    with caplog.at_level(logging.WARNING, logger="kyc_portal.cache"):
        wrong = _log_in(client, customer.email, "not-the-password")
        right = _log_in(client, customer.email)

    assert wrong.status_code == 200 and "not correct" in wrong.content.decode()
    assert right.status_code == 302 and right["Location"] == reverse("accounts:user_center")
    assert client.session["_auth_user_id"] == str(customer.pk)
    assert client.get(reverse("accounts:user_center")).status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "kyc_portal.cache"]
    assert len(warnings) == 1 and "rate limits are not enforced" in warnings[0]
    assert CLIENT_IP not in warnings[0] and customer.email not in warnings[0]


def test_with_redis_stopped_sign_up_and_password_reset_work(own_cache, redis_server, client):
    existing = User.objects.create_user("existing@example.com", PASSWORD)
    redis_server["stop"]()

    signed_up = client.post(
        reverse("account_signup"),
        {"email": "new.customer@example.com", "password1": PASSWORD, "password2": PASSWORD},
        REMOTE_ADDR=CLIENT_IP,
    )
    reset = client.post(
        reverse("account_reset_password"), {"email": existing.email}, REMOTE_ADDR=CLIENT_IP
    )

    assert signed_up.status_code == 302
    assert signed_up["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.customer@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert reset.status_code == 302
    assert reset["Location"] == reverse("account_reset_password_done")
    assert [m.to for m in mail.outbox] == [[user.email], [existing.email]]


def test_limits_hold_again_once_redis_is_back(own_cache, redis_server, client, customer, caplog):
    redis_server["stop"]()
    _log_in(client, customer.email, "wrong-while-down")
    redis_server["start"]()
    for server in kyc_cache._down_until:  # as if RETRY_AFTER_SECONDS had passed
        kyc_cache._down_until[server] = 1.0

    with caplog.at_level(logging.WARNING, logger="kyc_portal.cache"):
        for attempt in range(5):
            _log_in(client, customer.email, f"wrong-password-{attempt}")
    locked = _log_in(client, customer.email)

    assert "Too many failed login attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert "Cache reachable again: rate limits are enforced." in caplog.messages
