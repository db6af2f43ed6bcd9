from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts import roles

from .factories import SalesGroupFactory, UserFactory, staff_user


def pytest_collection_modifyitems(items):
    """A transactional test empties every table when it ends. With serialized rollback each one
    first puts back what the migrations seeded (role groups, rejection reasons, policy rules),
    so no test depends on the order it runs in."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        uses_transactions = {"transactional_db", "live_server"} & set(item.fixturenames)
        if kwargs.get("transaction") or uses_transactions:
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 at a thousandth of its work. The count travels in each hash, so the
    portal's own servers started by tests (gunicorn, runserver) still verify these passwords."""

    iterations = 1_000


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    # A million PBKDF2 rounds per password made building users most of the suite's time.
    settings.PASSWORD_HASHERS = [
        "tests.conftest.QuickPBKDF2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test gets its own private document folder and an empty cache (rate limits)."""
    from django.core.cache import cache

    storage = {
        "BACKEND": "kyc_portal.storage.EncryptedFileSystemStorage",  # as in production
        "OPTIONS": {"location": str(tmp_path / "private-media"), "base_url": None},
    }
    settings.STORAGES = {**settings.STORAGES, "default": storage, "documents": storage}
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer(db):
    """A signed-up customer with a verified email address."""
    return UserFactory()


@pytest.fixture
def outsider(db):
    """Another customer, who must never see the first one's data."""
    return UserFactory()


@pytest.fixture
def reviewer(db):
    return staff_user(roles.REVIEWER)


@pytest.fixture
def supervisor(db):
    return staff_user(roles.SUPERVISOR)


@pytest.fixture
def sales_group(db):
    return SalesGroupFactory()


@pytest.fixture
def inquiry(db, sales_group):
    return staff_user(roles.SALES_INQUIRY, sales_group=sales_group)


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture(autouse=True)
def _face_upload_check_off(settings):
    """Most tests upload plain images as holding photos; tests/identity turn the check on."""
    settings.KYC_FACE_UPLOAD_CHECK = False


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Each test starts in English: a request in Chinese leaves its language on the thread."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def sample_watchlist(db):
    """The shipped sample list (made-up people) loaded as the active "sample" watchlist."""
    from screening.demo import SAMPLE_DATASET, SAMPLE_LIST
    from screening.loading import load_watchlist

    return load_watchlist(SAMPLE_LIST, SAMPLE_DATASET).version


@pytest.fixture(autouse=True)
def _tasks_run_inline():
    """Tasks run inline unless a test asks for a real worker (see `celery_worker`)."""
    from kyc_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker process on the real Redis, sharing this test's database and files.

    Needs CELERY_BROKER_URL=redis://... and DATABASE_URL=postgres://... (CI sets both): a worker
    in another process cannot see SQLite's in-memory test database.
    """
    import os

    from django.db import connection

    from kyc_portal.celery import app

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis") or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL=redis://… and DATABASE_URL=postgres://… for a worker")
    app.control.purge()
    worker = start_celery_worker(settings, settings.PRIVATE_MEDIA_ROOT.parent / "celery-worker.log")
    yield worker
    stop_celery_worker(worker)


def start_celery_worker(settings, log_path, *, loglevel="INFO", concurrency=1, **extra_env):
    """Starts a worker process on this test's database and document folder; waits until it
    answers a ping. Its output goes to `log_path` (worker.log() reads it)."""
    import os
    import subprocess
    import sys
    import time

    from kyc_portal.celery import app

    app.conf.task_always_eager = False
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "CONN_MAX_AGE": "0",
        **extra_env,
    }
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kyc_portal",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                f"--loglevel={loglevel}",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            stdout=log,  # a file, not a pipe: an unread pipe fills up and stalls the worker
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown stops the pool too
            cwd=settings.BASE_DIR,
        )
    worker.log_path = str(log_path)
    worker.log = Path(log_path).read_text
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            stop_celery_worker(worker)
            pytest.fail("The Celery worker did not start:\n" + worker.log()[-4000:])
    return worker


def stop_celery_worker(process, grace=20):
    import os
    import signal
    import subprocess

    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
