"""Every documented setting is read from the environment, and a bad value stops start-up with
an error naming the variable."""

import ast
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "kyc_portal" / "settings.py"


@pytest.fixture
def load_settings(monkeypatch, tmp_path):
    """Runs settings.py afresh with the given environment variables; returns its namespace."""

    def load(**variables) -> dict:
        monkeypatch.setenv("KYC_VAR_DIR", str(tmp_path))
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(SETTINGS))

    return load


GOOD = [
    ("KYC_SLA_WORKING_DAYS", "3", lambda s: s["KYC_SLA_WORKING_DAYS"], 3),
    ("KYC_REVIEW_CLAIM_IDLE_MINUTES", "45", lambda s: s["KYC_REVIEW_CLAIM_IDLE_MINUTES"], 45),
    ("KYC_REVIEW_FOUR_EYES", "false", lambda s: s["KYC_REVIEW_FOUR_EYES"], False),
    ("KYC_MAX_ATTEMPTS", "3", lambda s: s["KYC_MAX_ATTEMPTS"], 3),
    ("KYC_MIN_AGE", "21", lambda s: s["KYC_MIN_AGE"], 21),
    ("KYC_AUTO_APPROVE", "yes", lambda s: s["KYC_AUTO_APPROVE"], True),
    ("KYC_VALIDITY_MONTHS", "12", lambda s: s["KYC_VALIDITY_MONTHS"], 12),
    ("KYC_OCR_SOFT_TIME_LIMIT", "45", lambda s: s["KYC_OCR_SOFT_TIME_LIMIT"], 45),
    ("KYC_OCR_LEASE_SECONDS", "20", lambda s: s["KYC_OCR_LEASE_SECONDS"], 20),
    ("KYC_FACE_UPLOAD_CHECK", "false", lambda s: s["KYC_FACE_UPLOAD_CHECK"], False),
    ("KYC_SCREENING_THRESHOLD", "0.75", lambda s: s["KYC_SCREENING_THRESHOLD"], 0.75),
    ("MRZ_DEV_IMAGES_DIR", "/data/ocr-dev", lambda s: s["MRZ_DEV_IMAGES_DIR"], "/data/ocr-dev"),
    ("DOCUMENT_RETENTION_DAYS", "30", lambda s: s["DOCUMENT_RETENTION_DAYS"], 30),
    ("KYC_RECORD_RETENTION_DAYS", "3650", lambda s: s["KYC_RECORD_RETENTION_DAYS"], 3650),
    ("MAX_UPLOAD_BYTES", "5000000", lambda s: s["MAX_UPLOAD_BYTES"], 5_000_000),
    ("STAFF_MFA_REQUIRED", "false", lambda s: s["STAFF_MFA_REQUIRED"], False),
    ("ALLAUTH_TRUSTED_PROXY_COUNT", "2", lambda s: s["ALLAUTH_TRUSTED_PROXY_COUNT"], 2),
    ("RATE_LIMIT_SIGNUP", "3/h/ip", lambda s: s["ACCOUNT_RATE_LIMITS"]["signup"], "3/h/ip"),
    (
        "RATE_LIMIT_SIGNUP_DOMAIN",
        "7/d/key",
        lambda s: s["ACCOUNT_RATE_LIMITS"]["signup_domain"],
        "7/d/key",
    ),
    ("RATE_LIMIT_LOGIN", "9/m/ip", lambda s: s["ACCOUNT_RATE_LIMITS"]["login"], "9/m/ip"),
    (
        "RATE_LIMIT_DOCUMENT_UPLOAD",
        "5/h/user",
        lambda s: s["ACCOUNT_RATE_LIMITS"]["document_upload"],
        "5/h/user",
    ),
    (
        "RATE_LIMIT_LOGIN_FAILED",
        "10/10m/ip,3/5m/key",
        lambda s: s["ACCOUNT_RATE_LIMITS"]["login_failed"],
        "10/10m/ip,3/5m/key",
    ),
    (
        "RATE_LIMIT_RESET_PASSWORD",
        "2/m/key",
        lambda s: s["ACCOUNT_RATE_LIMITS"]["reset_password"],
        "2/m/key",
    ),
    ("PORTAL_URL", "https://kyc.example.com", lambda s: s["PORTAL_URL"], "https://kyc.example.com"),
    (
        "PRIVATE_MEDIA_ROOT",
        "/srv/kyc-docs",
        lambda s: str(s["PRIVATE_MEDIA_ROOT"]),
        "/srv/kyc-docs",
    ),
    (
        "CSRF_TRUSTED_ORIGINS",
        "https://kyc.example.com,https://b.example.com",
        lambda s: s["CSRF_TRUSTED_ORIGINS"],
        ["https://kyc.example.com", "https://b.example.com"],
    ),
    ("ALLOWED_HOSTS", "kyc.example.com", lambda s: s["ALLOWED_HOSTS"], ["kyc.example.com"]),
    (
        "CELERY_BROKER_URL",
        "redis://127.0.0.1:6379/8",
        lambda s: (s["CELERY_BROKER_URL"], s["CELERY_TASK_ALWAYS_EAGER"]),
        ("redis://127.0.0.1:6379/8", False),
    ),
    (
        "CACHE_URL",
        "redis://127.0.0.1:6379/9",
        lambda s: s["CACHES"]["default"]["LOCATION"],
        "redis://127.0.0.1:6379/9",
    ),
    (
        "DATABASE_URL",
        "postgres://kyc@db.example.com:5432/kyc",
        lambda s: (s["DATABASES"]["default"]["ENGINE"], s["DATABASES"]["default"]["NAME"]),
        ("django.db.backends.postgresql", "kyc"),
    ),
    ("EMAIL_PORT", "587", lambda s: s["EMAIL_PORT"], 587),
    (
        "EMAIL_BACKEND",
        "django.core.mail.backends.filebased.EmailBackend",
        lambda s: s["EMAIL_BACKEND"],
        "django.core.mail.backends.filebased.EmailBackend",
    ),
    ("EMAIL_HOST", "smtp.example.com", lambda s: s["EMAIL_HOST"], "smtp.example.com"),
    ("EMAIL_FILE_PATH", "/srv/mail", lambda s: s["EMAIL_FILE_PATH"], "/srv/mail"),
    (
        "DEFAULT_FROM_EMAIL",
        "KYC <kyc@example.com>",
        lambda s: s["DEFAULT_FROM_EMAIL"],
        "KYC <kyc@example.com>",
    ),
    ("API_RATE_LIMIT", "100/10s/key", lambda s: s["API_RATE_LIMIT"], "100/10s/key"),
    ("API_HANDOFF_LINK_HOURS", "2", lambda s: s["API_HANDOFF_LINK_HOURS"], 2),
    ("WEBHOOK_TIMEOUT_SECONDS", "5", lambda s: s["WEBHOOK_TIMEOUT_SECONDS"], 5),
    ("WEBHOOK_RETRY_SCHEDULE", "1, 2,60", lambda s: s["WEBHOOK_RETRY_SCHEDULE"], [1, 2, 60]),
    ("WEBHOOK_SECRET_GRACE_HOURS", "48", lambda s: s["WEBHOOK_SECRET_GRACE_HOURS"], 48),
    ("WEBHOOK_ALLOW_PRIVATE_TARGETS", "yes", lambda s: s["WEBHOOK_ALLOW_PRIVATE_TARGETS"], True),
    ("LOOKUP_HASH_KEY", "a-lookup-key", lambda s: s["LOOKUP_HASH_KEY"], "a-lookup-key"),
    ("SECRET_KEY", "a-secret-" + "s" * 50, lambda s: s["SECRET_KEY"], "a-secret-" + "s" * 50),
    (
        "AWS_STORAGE_BUCKET_NAME",
        "kyc-documents",
        lambda s: s["STORAGES"]["documents"]["OPTIONS"]["bucket_name"],
        "kyc-documents",
    ),
]


@pytest.mark.parametrize(("name", "value", "extract", "expected"), GOOD, ids=[g[0] for g in GOOD])
def test_a_setting_takes_effect(load_settings, name, value, extract, expected):
    assert extract(load_settings(**{name: value})) == expected


def test_field_encryption_keys_are_read_first_key_first(load_settings):
    from cryptography.fernet import Fernet

    keys = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
    assert load_settings(FIELD_ENCRYPTION_KEYS=",".join(keys))["FIELD_ENCRYPTION_KEYS"] == keys


def test_s3_settings_take_effect(load_settings):
    options = load_settings(
        AWS_STORAGE_BUCKET_NAME="kyc-documents",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_S3_REGION_NAME="eu-west-1",
    )["STORAGES"]["documents"]["OPTIONS"]
    assert (options["endpoint_url"], options["region_name"]) == ("http://minio:9000", "eu-west-1")


def test_without_variables_the_documented_defaults_hold(load_settings):
    settings = load_settings()
    assert (
        settings["KYC_SLA_WORKING_DAYS"],
        settings["KYC_REVIEW_CLAIM_IDLE_MINUTES"],
        settings["KYC_REVIEW_FOUR_EYES"],
        settings["KYC_MAX_ATTEMPTS"],
        settings["KYC_MIN_AGE"],
        settings["KYC_AUTO_APPROVE"],
        settings["KYC_VALIDITY_MONTHS"],
        settings["KYC_OCR_SOFT_TIME_LIMIT"],
        settings["DOCUMENT_RETENTION_DAYS"],
        settings["PORTAL_URL"],
    ) == (1, 30, True, 5, 18, False, 24, 90, 180, "http://localhost:8000")


BAD = [
    ("DEBUG", "ture", "DEBUG must be true or false"),
    ("MRZ_DEV_IMAGES_DIR", "shared/ocr-dev", "MRZ_DEV_IMAGES_DIR must be an absolute path"),
    ("KYC_SLA_WORKING_DAYS", "one", "KYC_SLA_WORKING_DAYS must be a whole number"),
    ("KYC_SLA_WORKING_DAYS", "0", "KYC_SLA_WORKING_DAYS must be at least 1"),
    ("KYC_REVIEW_CLAIM_IDLE_MINUTES", "-5", "KYC_REVIEW_CLAIM_IDLE_MINUTES must be at least 1"),
    ("KYC_REVIEW_CLAIM_IDLE_MINUTES", "1.5", "KYC_REVIEW_CLAIM_IDLE_MINUTES must be a whole"),
    ("KYC_REVIEW_FOUR_EYES", "maybe", "KYC_REVIEW_FOUR_EYES must be true or false"),
    ("KYC_MAX_ATTEMPTS", "0", "KYC_MAX_ATTEMPTS must be at least 1"),
    ("KYC_MAX_ATTEMPTS", "five", "KYC_MAX_ATTEMPTS must be a whole number"),
    ("KYC_MIN_AGE", "-18", "KYC_MIN_AGE must be at least 1"),
    ("KYC_AUTO_APPROVE", "sometimes", "KYC_AUTO_APPROVE must be true or false"),
    ("KYC_VALIDITY_MONTHS", "0", "KYC_VALIDITY_MONTHS must be at least 1"),
    ("KYC_OCR_SOFT_TIME_LIMIT", "0", "KYC_OCR_SOFT_TIME_LIMIT must be at least 1"),
    ("KYC_OCR_LEASE_SECONDS", "0", "KYC_OCR_LEASE_SECONDS must be at least 1"),
    ("KYC_FACE_UPLOAD_CHECK", "sometimes", "KYC_FACE_UPLOAD_CHECK must be true or false"),
    ("KYC_SCREENING_THRESHOLD", "1.5", "KYC_SCREENING_THRESHOLD must be a number from 0 to 1"),
    ("KYC_SCREENING_THRESHOLD", "high", "KYC_SCREENING_THRESHOLD must be a number from 0 to 1"),
    ("KYC_OCR_SOFT_TIME_LIMIT", "90s", "KYC_OCR_SOFT_TIME_LIMIT must be a whole number"),
    ("KYC_OCR_SOFT_TIME_LIMIT", "600", "KYC_OCR_SOFT_TIME_LIMIT plus 30 s must be shorter"),
    ("DOCUMENT_RETENTION_DAYS", "0", "DOCUMENT_RETENTION_DAYS must be at least 1"),
    ("DOCUMENT_RETENTION_DAYS", "half a year", "DOCUMENT_RETENTION_DAYS must be a whole"),
    ("KYC_RECORD_RETENTION_DAYS", "0", "KYC_RECORD_RETENTION_DAYS must be at least 1"),
    ("KYC_RECORD_RETENTION_DAYS", "5y", "KYC_RECORD_RETENTION_DAYS must be a whole number"),
    ("MAX_UPLOAD_BYTES", "10MB", "MAX_UPLOAD_BYTES must be a whole number"),
    ("MAX_UPLOAD_BYTES", "0", "MAX_UPLOAD_BYTES must be at least 1"),
    ("STAFF_MFA_REQUIRED", "nope", "STAFF_MFA_REQUIRED must be true or false"),
    ("ALLAUTH_TRUSTED_PROXY_COUNT", "-1", "ALLAUTH_TRUSTED_PROXY_COUNT must be at least 0"),
    ("RATE_LIMIT_SIGNUP", "ten an hour", "RATE_LIMIT_SIGNUP must be rates such as"),
    ("RATE_LIMIT_SIGNUP_DOMAIN", "50/week/key", "RATE_LIMIT_SIGNUP_DOMAIN must be rates"),
    ("RATE_LIMIT_LOGIN", "30/m/everyone", "RATE_LIMIT_LOGIN must be rates"),
    ("RATE_LIMIT_DOCUMENT_UPLOAD", "many", "RATE_LIMIT_DOCUMENT_UPLOAD must be rates"),
    ("RATE_LIMIT_LOGIN_FAILED", "20/10m/ip;5/5m/key", "RATE_LIMIT_LOGIN_FAILED must be rates"),
    ("RATE_LIMIT_RESET_PASSWORD", "/m/ip", "RATE_LIMIT_RESET_PASSWORD must be rates"),
    ("PORTAL_URL", "kyc.example.com", "PORTAL_URL must be an absolute http or https URL"),
    ("API_RATE_LIMIT", "600/m/ip", "API_RATE_LIMIT must be one rate per key"),
    ("API_RATE_LIMIT", "600/m/key,10/s/key", "API_RATE_LIMIT must be one rate per key"),
    ("API_RATE_LIMIT", "lots", "API_RATE_LIMIT must be rates"),
    ("API_HANDOFF_LINK_HOURS", "0", "API_HANDOFF_LINK_HOURS must be at least 1"),
    ("WEBHOOK_TIMEOUT_SECONDS", "120", "WEBHOOK_TIMEOUT_SECONDS must be at most 60"),
    ("WEBHOOK_RETRY_SCHEDULE", "5,5m", "WEBHOOK_RETRY_SCHEDULE must be whole numbers"),
    ("WEBHOOK_SECRET_GRACE_HOURS", "a day", "WEBHOOK_SECRET_GRACE_HOURS must be a whole"),
    ("WEBHOOK_ALLOW_PRIVATE_TARGETS", "loopback", "WEBHOOK_ALLOW_PRIVATE_TARGETS must be true"),
    ("CSRF_TRUSTED_ORIGINS", "kyc.example.com", "CSRF_TRUSTED_ORIGINS must list origins"),
    ("CELERY_BROKER_URL", "localhost:6379", "CELERY_BROKER_URL must be an absolute redis"),
    ("CACHE_URL", "memcache-ish://x", "CACHE_URL: Invalid cache schema"),
    ("DATABASE_URL", "postgress://kyc@db/kyc", "DATABASE_URL must start with postgres://"),
    ("FIELD_ENCRYPTION_KEYS", "not-a-fernet-key", "FIELD_ENCRYPTION_KEYS: key number 1 is not"),
    ("PRIVATE_MEDIA_ROOT", "var/documents", "PRIVATE_MEDIA_ROOT must be an absolute path"),
    ("AWS_S3_ENDPOINT_URL", "minio:9000", "AWS_S3_ENDPOINT_URL must be an absolute http"),
    ("EMAIL_BACKEND", "smtp", "EMAIL_BACKEND must be a dotted Python path"),
    ("EMAIL_PORT", "70000", "EMAIL_PORT must be at most 65535"),
    ("DEFAULT_FROM_EMAIL", "KYC Portal", "DEFAULT_FROM_EMAIL must be an email address"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD, ids=[f"{b[0]}={b[1]}" for b in BAD])
def test_a_bad_value_stops_start_up_naming_the_variable(load_settings, name, value, message):
    extra = {"AWS_STORAGE_BUCKET_NAME": "kyc-documents"} if name.startswith("AWS_") else {}
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        load_settings(**{name: value}, **extra)


def test_webhooks_to_private_addresses_are_refused_in_production(load_settings):
    from cryptography.fernet import Fernet

    with pytest.raises(ImproperlyConfigured, match="WEBHOOK_ALLOW_PRIVATE_TARGETS must not be on"):
        load_settings(
            DEBUG="false",
            SECRET_KEY="s" * 60,
            FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
            PORTAL_URL="https://kyc.example.com",
            WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
        )


def test_secrets_are_not_repeated_in_the_error(load_settings):
    with pytest.raises(ImproperlyConfigured) as error:
        load_settings(CELERY_BROKER_URL="redis:/:broker-password@nowhere")
    assert "broker-password" not in str(error.value)
    with pytest.raises(ImproperlyConfigured) as error:
        load_settings(FIELD_ENCRYPTION_KEYS="secret-key-material")
    assert "secret-key-material" not in str(error.value)


def _child_env(tmp_path, **variables) -> dict:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(DJANGO_SETTINGS_MODULE="kyc_portal.settings", KYC_VAR_DIR=str(tmp_path))
    env.update(variables)
    return env


# Reads each rule where the code uses it, in a process started with the variables set.
READ_THE_RULES = """
import datetime, json
import django
django.setup()
from django.conf import settings
from notifications.reverification import valid_until_for
from review import services, sla
from verification import tasks

print(json.dumps({
    "sla_days": sla.working_days_promised(),
    "idle_minutes": services.claim_idle_limit().total_seconds() / 60,
    "four_eyes": services.four_eyes_on(),
    "max_attempts": services.max_attempts(),
    "ocr_soft_limit": tasks.extract_document.soft_time_limit,
    "ocr_hard_limit": tasks.extract_document.time_limit,
    "valid_until": valid_until_for(None, datetime.date(2025, 1, 31)).isoformat(),
    "min_age": settings.KYC_MIN_AGE,
    "auto_approve": settings.KYC_AUTO_APPROVE,
    "retention_days": settings.DOCUMENT_RETENTION_DAYS,
    "max_upload_bytes": settings.MAX_UPLOAD_BYTES,
}))
"""


def test_the_rules_take_effect_in_a_started_portal(tmp_path):
    variables = {
        "KYC_SLA_WORKING_DAYS": "2",
        "KYC_REVIEW_CLAIM_IDLE_MINUTES": "10",
        "KYC_REVIEW_FOUR_EYES": "false",
        "KYC_MAX_ATTEMPTS": "3",
        "KYC_OCR_SOFT_TIME_LIMIT": "40",
        "KYC_VALIDITY_MONTHS": "1",
        "KYC_MIN_AGE": "21",
        "KYC_AUTO_APPROVE": "true",
        "DOCUMENT_RETENTION_DAYS": "30",
        "MAX_UPLOAD_BYTES": "1000000",
    }
    result = subprocess.run(
        [sys.executable, "-c", READ_THE_RULES],
        cwd=ROOT,
        env=_child_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "sla_days": 2,
        "idle_minutes": 10,
        "four_eyes": False,
        "max_attempts": 3,
        "ocr_soft_limit": 40,
        "ocr_hard_limit": 70,
        "valid_until": "2025-02-28",
        "min_age": 21,
        "auto_approve": True,
        "retention_days": 30,
        "max_upload_bytes": 1_000_000,
    }


def test_manage_py_refuses_to_start_with_a_bad_value(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_child_env(tmp_path, KYC_MAX_ATTEMPTS="0"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: KYC_MAX_ATTEMPTS must be at least 1, not 0." in result.stderr


def _documented_variables() -> set[str]:
    """The variable names in the first column of README's configuration table."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_column))
    return names


def _variables_read_in_settings() -> set[str]:
    """Names passed as the first argument of a call in settings.py (env.x, read.x, helpers)."""
    tree = ast.parse(SETTINGS.read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and re.fullmatch(r"[A-Z][A-Z0-9_]*", node.args[0].value)
    }


def test_every_documented_variable_is_read_by_settings():
    documented = _documented_variables()
    assert {"KYC_MAX_ATTEMPTS", "PORTAL_URL", "DEBUG", "RATE_LIMIT_LOGIN"} <= documented
    assert len(documented) >= 30, sorted(documented)
    missing = documented - _variables_read_in_settings()
    assert not missing, f"documented in README but never read in settings.py: {sorted(missing)}"
