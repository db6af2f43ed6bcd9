"""The portal as in production, on loopback, for the benchmarks that time it.

One place for what the API and load benchmarks both need: settings as a production deployment
sets them (DEBUG off, fresh secrets, PostgreSQL, Redis), a scratch database and Redis, gunicorn
and a Celery worker started as child processes, and percentiles of what they measure.
"""

import http.client
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def production_env(
    label: str, *, database_url: str, cache_url: str, work: Path | None = None, **overrides
) -> dict[str, str]:
    """Environment of a production deployment with fresh secrets; `overrides` win.

    With `work`, the process's own files (private media, static files, var) go there. Only
    PATH, HOME and LANG are taken from the caller, so a developer's .env cannot leak in.
    """
    from cryptography.fernet import Fernet

    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "DJANGO_SETTINGS_MODULE": "kyc_portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": f"{label}-" + Fernet.generate_key().decode(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PORTAL_URL": "https://kyc.example.com",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    if work is not None:
        env |= {
            "KYC_VAR_DIR": str(work / "var"),
            "PRIVATE_MEDIA_ROOT": str(work / "private-media"),
            "STATIC_ROOT": str(work / "static"),
        }
    return env | overrides


def recreate_database(url: str) -> None:
    """Drop (if there) and create the database `url` names: point it at one of its own."""
    import psycopg2

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def clear_redis(*urls: str) -> None:
    import redis

    for url in urls:
        redis.Redis.from_url(url).flushdb()


def python(*args: str, env: dict[str, str]) -> str:
    """Run this interpreter in the repository (manage.py, -m ...) and return its output."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def prepare_database(env: dict[str, str], *redis_urls: str) -> None:
    """A new, migrated database, empty Redis databases and collected static files."""
    recreate_database(env["DATABASE_URL"])
    clear_redis(*redis_urls)
    python("manage.py", "migrate", "--noinput", env=env)
    python("manage.py", "collectstatic", "--noinput", env=env)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env, port: int, workers: int, threads: int, log, *options: str):
    """gunicorn as the Dockerfile runs it (gthread), in its own process group."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "kyc_portal.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--worker-class=gthread",
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_worker(env, log, *options: str, nice: int = 0):
    """A Celery worker of the portal, in its own process group."""
    return subprocess.Popen(
        [
            *(["nice", "-n", str(nice)] if nice else []),
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kyc_portal",
            "worker",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(*processes: subprocess.Popen, seconds: float = 60) -> None:
    """SIGTERM to each process group started above, then wait for them to finish."""
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        process.wait(timeout=seconds)


def wait_healthy(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not become healthy")


def percentile(values, fraction: float) -> float:
    """Nearest-rank percentile (NaN when nothing was measured)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]
