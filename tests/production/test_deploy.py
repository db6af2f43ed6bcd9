"""Production settings: `check --deploy` is clean and every page carries the security headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _production_env(tmp_path, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kyc_portal.settings",
        DEBUG="false",
        SECRET_KEY="a-production-secret-" + "x" * 50,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="kyc.example.com",
        PORTAL_URL="https://kyc.example.com",
        KYC_VAR_DIR=str(tmp_path),
    )
    env.update(extra)
    return env


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_has_no_warnings_in_production_mode(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("portal_url", "error"),
    [
        ("", "kyc_portal.E001"),
        ("http://localhost:8000", "kyc_portal.E002"),
        ("https://127.0.0.1", "kyc_portal.E002"),
        ("http://kyc.example.com", "kyc_portal.E003"),
    ],
)
def test_check_deploy_fails_when_email_links_would_not_reach_customers(tmp_path, portal_url, error):
    env = _production_env(tmp_path, PORTAL_URL=portal_url)
    result = _manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert error in result.stderr and "PORTAL_URL" in result.stderr
    # The plain check (run by migrate, the development server) leaves it to --deploy.
    assert _manage("check", env=env).returncode == 0


def test_portal_url_is_not_checked_in_development(tmp_path):
    env = _production_env(tmp_path, DEBUG="true", PORTAL_URL="")
    result = _manage("check", "--deploy", env=env)
    assert "kyc_portal.E00" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_secrets(tmp_path):
    env = _production_env(tmp_path)
    del env["FIELD_ENCRYPTION_KEYS"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off." in result.stderr
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_settings_turn_on_https_protections(tmp_path):
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS, s.DEBUG, s.LANGUAGE_COOKIE_SECURE,"
        " s.LANGUAGE_COOKIE_HTTPONLY, s.LANGUAGE_COOKIE_SAMESITE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [
        "31536000", "True", "True", "True", "DENY", "False", "True", "True", "Lax",
    ]  # fmt: skip


@pytest.mark.django_db
def test_pages_carry_csp_frame_denial_and_nosniff(customer_client):
    from django.test import Client

    anonymous = Client()
    pages = (
        anonymous.get("/"),
        anonymous.get("/accounts/login/"),
        customer_client.get("/user-center/"),
    )
    for response in pages:
        assert response.status_code == 200
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_production_sends_hsts_and_secure_cookies(settings, client):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.cookies["csrftoken"]["secure"]


@pytest.mark.django_db
def test_production_language_cookie_is_secure_http_only_and_same_site(settings, client):
    settings.LANGUAGE_COOKIE_SECURE = True  # what DEBUG off sets (checked above)
    response = client.post(
        reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"}, secure=True
    )
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-hans"
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
