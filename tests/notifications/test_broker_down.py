"""Emails while the broker is down: nothing lost, nothing sent twice (real Redis, real worker)."""

import datetime
import socket
import time
from contextlib import contextmanager

import pytest
from django.utils import timezone

from kyc_portal.celery import app
from notifications import tasks
from notifications.models import OutgoingEmail
from tests.factories import UserFactory, VerificationFactory
from verification.models import Status

from .conftest import submit

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_dir(tmp_path, monkeypatch):
    """The worker (another process) writes its emails here; set before it starts."""
    path = tmp_path / "mail"
    path.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(path))
    return path


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def broker_down():
    """This process publishes to a loopback port nobody listens on, as when Redis is stopped."""
    previous_url = app.conf.broker_url
    previous_pools = app._pool, app.amqp._producer_pool
    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    app._pool = app.amqp._producer_pool = None  # connection pools are made lazily from the URL
    try:
        yield
    finally:
        app.conf.broker_url = previous_url
        app._pool, app.amqp._producer_pool = previous_pools


def emails_to(mail_dir, address) -> int:
    return sum(p.read_text().count(f"To: {address}") for p in mail_dir.iterdir())


def wait_until_sent(email_pk, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if OutgoingEmail.objects.filter(pk=email_pk, sent_at__isnull=False).exists():
            return
        time.sleep(0.2)
    pytest.fail(f"email {email_pk} was not sent")


def test_submission_with_the_broker_down_succeeds_and_the_sweep_emails_once(
    mail_dir, celery_worker
):
    application = VerificationFactory()
    customer = application.user

    with broker_down():
        submit(application)  # commits; queueing the email fails after the commit

    application.refresh_from_db()
    assert application.status == Status.PROVIDED
    email = OutgoingEmail.objects.get(notification__user=customer)
    assert email.sent_at is None and email.attempts == 0
    assert emails_to(mail_dir, customer.email) == 0

    # The broker is back; the beat sweep finds the row (older than its grace period).
    OutgoingEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    tasks.send_unsent_emails.delay()
    wait_until_sent(email.pk)
    assert emails_to(mail_dir, customer.email) == 1

    # Duplicates: the sweep again and a second delivery of the send task change nothing.
    tasks.send_unsent_emails.delay()
    tasks.send_email.delay(email.pk)
    # Tasks run in order on the single worker: once a later email is out, those were handled.
    later = VerificationFactory(user=UserFactory())
    submit(later)
    wait_until_sent(OutgoingEmail.objects.get(notification__user=later.user).pk)

    assert emails_to(mail_dir, customer.email) == 1
    email.refresh_from_db()
    assert email.attempts == 1
    assert emails_to(mail_dir, later.user.email) == 1
