"""docker-compose.yml and the Dockerfile describe the whole production deployment.

No Docker engine runs here: the structure is checked with PyYAML, and Debian's docker-compose
(when installed) validates the file with `config`, which needs no engine.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "SECRET_KEY": "s",
    "FIELD_ENCRYPTION_KEYS": "k",
    "POSTGRES_PASSWORD": "p",
    "MINIO_ROOT_USER": "u",
    "MINIO_ROOT_PASSWORD": "mp",
    "PORTAL_URL": "https://kyc.example.com",
}
APP_SERVICES = ("web", "worker", "beat", "migrate")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_is_there_with_a_health_check(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat", "postgres", "redis", "minio"):
        assert name in services, name
        assert services[name]["healthcheck"]["test"], name
    assert "minio-init" in services and "migrate" in services


def test_web_runs_gunicorn_and_checks_healthz(compose):
    web = compose["services"]["web"]
    assert web["command"][:2] == ["gunicorn", "kyc_portal.wsgi"]
    assert any("/healthz" in part for part in web["healthcheck"]["test"])
    assert compose["services"]["worker"]["command"][:4] == ["celery", "-A", "kyc_portal", "worker"]
    assert compose["services"]["beat"]["command"][:4] == ["celery", "-A", "kyc_portal", "beat"]


def test_app_services_run_in_production_mode_on_postgres_redis_and_s3(compose):
    for name in APP_SERVICES:
        env = compose["services"][name]["environment"]
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert env["CACHE_URL"].startswith("redis://redis:")
        assert env["AWS_STORAGE_BUCKET_NAME"] and env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
        # Secrets are required from the environment, never written here.
        for secret in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS"):
            assert env[secret].startswith("${" + secret + ":?"), secret
        # Email links need the public address: required, never a localhost default.
        assert env["PORTAL_URL"].startswith("${PORTAL_URL:?")


def test_app_services_wait_for_migrations_and_the_bucket(compose):
    services = compose["services"]
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["minio-init"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    init = " ".join(services["minio-init"]["entrypoint"])
    assert "mc mb" in init and "anonymous set none" in init  # the bucket is private


def test_ocr_worker_yields_the_cpu_to_the_web_processes(compose):
    assert compose["services"]["worker"]["cpu_shares"] < 1024  # docker's default weight


def test_only_the_portal_is_published_and_only_on_loopback(compose):
    for name, service in compose["services"].items():
        if name == "web":
            assert service["ports"] == ["127.0.0.1:8000:8000"]
        else:
            assert "ports" not in service, name


def test_dockerfile_installs_tesseract_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("tesseract-ocr", "tesseract-ocr-eng", "fonts-ocr-b"):
        assert package in dockerfile
    assert "collectstatic" in dockerfile
    assert "\nUSER " in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".env", ".venv", "var/", ".git"):
        assert path in ignored


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_docker_compose_accepts_the_file():
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **SECRETS}
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
def test_docker_compose_refuses_to_start_without_the_secrets():
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert (
        "set SECRET_KEY" in result.stderr
        or "set FIELD_ENCRYPTION_KEYS" in result.stderr
        or "set POSTGRES_PASSWORD" in result.stderr
    )
