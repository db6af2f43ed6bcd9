"""/healthz: can this process reach the database, the broker, the cache and the document store?

Load balancers and docker-compose's health checks call it. The answer names each check and
says "ok" or "error" only: no host names, versions or error texts reach an anonymous caller.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 3


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_broker() -> None:
    """Tasks run inline without a broker (development): then there is nothing to reach."""
    if settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL.startswith("memory"):
        return
    from kyc_portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_TIMEOUT_SECONDS)


def check_cache() -> None:
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise RuntimeError("cache did not keep a value")


def check_storage() -> None:
    storage = storages["documents"]
    location = getattr(storage, "location", None)
    if hasattr(storage, "bucket"):  # S3: the bucket answers and our credentials reach it
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    elif location is not None:
        folder = Path(location)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = folder / ".healthz"
        probe.write_bytes(b"ok")
        probe.unlink()
    else:
        storage.exists("healthz-probe")


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "cache": check_cache,
    "storage": check_storage,
}


def run_checks() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:
            # The class name only: messages can carry host names or credentials.
            logger.warning("Health check %s failed: %s", name, type(error).__name__)
            results[name] = "error"
        else:
            results[name] = "ok"
    return results


@never_cache
@require_GET
def healthz(request):
    results = run_checks()
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503
    )
