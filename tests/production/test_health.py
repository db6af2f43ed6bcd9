"""/healthz checks the database, the broker, the cache and the document store."""

import pytest
from django.db import OperationalError
from django.test import Client

from kyc_portal import errors, health

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_everything_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "cache": "ok", "storage": "ok"},
    }
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_reports_an_unreachable_broker_without_details(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    from kyc_portal.celery import app

    previous = app.conf.broker_url, app.conf.broker_write_url
    app.conf.broker_url = app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url, app.conf.broker_write_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["checks"]["broker"] == "error"
    assert body["checks"]["database"] == "ok"
    assert "127.0.0.1" not in response.content.decode()


def test_healthz_reports_an_unwritable_document_folder(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    storage = {
        "BACKEND": "kyc_portal.storage.EncryptedFileSystemStorage",
        "OPTIONS": {"location": str(blocker / "private-media")},
    }
    settings.STORAGES = {**settings.STORAGES, "default": storage, "documents": storage}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "error"


def test_database_outage_renders_the_503_page_without_a_traceback(settings):
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False

    def broken(request):
        raise OperationalError("connection to server at 127.0.0.1, port 5 failed")

    from django.urls import path

    import kyc_portal.urls as root

    class Urls:
        urlpatterns = [path("boom", broken), *root.urlpatterns]
        handler500 = root.handler500

    settings.ROOT_URLCONF = Urls
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "Temporarily unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page and "127.0.0.1" not in page


def test_other_errors_keep_the_500_page(settings):
    settings.DEBUG = False

    def broken(request):
        raise ValueError("a bug")

    from django.urls import path

    import kyc_portal.urls as root

    class Urls:
        urlpatterns = [path("bug", broken)]
        handler500 = root.handler500

    settings.ROOT_URLCONF = Urls
    response = Client(raise_request_exception=False).get("/bug")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_every_check_is_listed():
    assert set(health.CHECKS) == {"database", "broker", "cache", "storage"}
