"""Redis stopped while a customer uploads and submits: the submission is saved and
acknowledged; the OCR and the email happen once Redis is back (the OCR sweep and the email
outbox sweep, verification.tasks and notifications.tasks, as beat runs them).

Runs on a redis-server of its own (broker and cache, as in docker-compose) and a real worker.
"""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingEmail
from tests.verification.conftest import generated_passport, typed_from_truth, upload
from verification.models import Document, OcrResult, Status, StatusChange, Verification

pytestmark = [pytest.mark.worker, pytest.mark.slow]

STEP1_PASSPORT = {"account_type": "individual", "nationality": "GB", "document_choice": "passport"}


@pytest.fixture
def own_redis_worker(own_broker, monkeypatch, tmp_path, request):
    """A real worker on our own redis-server (see own_broker), sending email to files."""
    mail = tmp_path / "mail"
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(mail))
    worker = request.getfixturevalue("celery_worker")
    return worker, mail


def _wait_for(condition, seconds=120, what="condition", worker=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    output = ""
    if worker is not None:  # say why: the worker's own log
        worker.terminate()
        output = worker.communicate(timeout=30)[0][-6000:]
    raise AssertionError(f"timed out waiting for {what}\n{output}")


def test_submission_while_redis_is_down_is_kept_and_finished_when_it_returns(
    own_redis_worker, redis_server, customer_client, customer
):
    from notifications import tasks as notification_tasks
    from verification import tasks as verification_tasks

    worker, mail = own_redis_worker
    image, truth = generated_passport("redis-outage")
    assert (
        customer_client.post(reverse("verification:certificate"), STEP1_PASSPORT).status_code == 302
    )

    redis_server["stop"]()

    from tests.factories import png_bytes

    for kind, content in (("passport_page", image), ("holding_photo", png_bytes())):
        response = customer_client.post(
            reverse("verification:documents"), {"kind": kind, "file": upload(content)}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    response = customer_client.post(reverse("verification:details"), typed_from_truth(truth))
    assert response.status_code == 302, response.content.decode()[:2000]
    response = customer_client.post(
        reverse("verification:review"), {"action": "submit", "declaration": "yes"}, follow=True
    )

    # Saved and acknowledged while Redis is down.
    assert response.status_code == 200
    assert "Submitted. We will let you know when it has been reviewed." in response.content.decode()
    verification = Verification.objects.get(user=customer)
    assert verification.status == Status.PROVIDED and verification.submitted_at
    assert StatusChange.objects.filter(verification=verification, new=Status.PROVIDED).count() == 1
    passport = Document.objects.get(verification=verification, kind="passport_page")
    assert OcrResult.objects.get(document=passport).state == OcrResult.State.PENDING
    email = OutgoingEmail.objects.get(notification__verification=verification)
    assert email.sent_at is None
    assert not mail.exists() or not any(mail.iterdir())

    # Redis returns; beat's next sweeps (backdated here instead of waiting minutes).
    redis_server["start"]()
    past = timezone.now() - datetime.timedelta(minutes=10)
    Document.objects.filter(verification=verification).update(created_at=past)
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=past)
    _wait_for(lambda: _queued(verification_tasks.sweep_unfinished_readings), what="the broker")
    notification_tasks.send_unsent_emails.delay()

    _wait_for(
        lambda: OcrResult.objects.get(document=passport).state == OcrResult.State.DONE,
        what="the OCR after Redis came back",
        worker=worker,
    )
    ocr = OcrResult.objects.get(document=passport)
    assert ocr.valid and ocr.fields["number"] == truth["number"]
    _wait_for(
        lambda: OutgoingEmail.objects.get(pk=email.pk).sent_at is not None,
        what="the outbox email after Redis came back",
        worker=worker,
    )
    sent = list(mail.iterdir())
    assert len(sent) == 1 and customer.email in sent[0].read_text()
    verification.refresh_from_db()
    assert verification.status == Status.PROVIDED  # unchanged: now it waits for a reviewer
    assert worker.poll() is None  # the worker rode out the outage


def _queued(task) -> bool:
    try:
        task.apply_async(retry=False)
    except Exception:  # the broker is still starting
        return False
    return True
