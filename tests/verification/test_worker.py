"""The OCR task on a real Celery worker and the real Redis (skipped on SQLite; CI runs it).

The slow read that lets a test kill the worker mid-way comes from the task's documented hook
KYC_OCR_DEBUG_DELAY_SECONDS (off by default), not from a mock.
"""

import contextlib
import os
import signal
import subprocess
import time

import pytest
from django.core.files.base import ContentFile

from tests.factories import DocumentFactory
from verification import reading, tasks
from verification.models import OcrResult

from .conftest import generated_passport

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FINISHED = (OcrResult.State.DONE, OcrResult.State.FAILED)


def _wait_for(predicate, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out waiting")


def _passport_document():
    image, truth = generated_passport()
    document = DocumentFactory(kind="passport_page")
    document.file.save("x.png", ContentFile(image))
    OcrResult.objects.create(document=document)
    return document, truth


def _state(document):
    return OcrResult.objects.get(document=document)


def _pool_children(pid: int) -> list[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    with open(path) as handle:
        return [int(child) for child in handle.read().split()]


def _stop(worker) -> None:
    """Stops a worker and its pool for good, so the next test's worker is the only consumer."""
    children = _pool_children(worker.pid) if worker.poll() is None else []
    worker.terminate()
    try:
        worker.communicate(timeout=30)  # drains the log pipe, which could block a shutdown
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


@pytest.fixture
def slow_worker(monkeypatch, request):
    """A real worker whose reads first wait 4 seconds, so one can be killed in the middle."""
    monkeypatch.setenv("KYC_OCR_DEBUG_DELAY_SECONDS", "4")
    worker = request.getfixturevalue("celery_worker")
    yield worker
    _stop(worker)


@pytest.fixture
def impatient_worker(monkeypatch, request):
    """A real worker whose soft time limit (2 s) is shorter than its reads (5 s)."""
    monkeypatch.setenv("KYC_OCR_DEBUG_DELAY_SECONDS", "5")
    monkeypatch.setenv("KYC_OCR_SOFT_TIME_LIMIT", "2")
    # The limits travel in the message, so the sending side must agree with the worker's.
    monkeypatch.setattr(tasks.extract_document, "soft_time_limit", 2)
    monkeypatch.setattr(tasks.extract_document, "time_limit", 32)
    monkeypatch.setattr(tasks.extract_document, "_exec_options", None)  # Celery caches them
    worker = request.getfixturevalue("celery_worker")
    yield worker
    _stop(worker)


def test_worker_reads_an_uploaded_passport(celery_worker):
    document, truth = _passport_document()
    reading.queue_reading(document.pk)
    ocr = _wait_for(lambda: (o := _state(document)).state in FINISHED and o)
    assert ocr.state == OcrResult.State.DONE and ocr.valid
    assert ocr.fields["number"] == truth["number"]


def test_worker_killed_mid_read_runs_the_task_again(slow_worker):
    document, truth = _passport_document()
    reading.queue_reading(document.pk)
    _wait_for(lambda: _state(document).state == OcrResult.State.RUNNING)
    children = _pool_children(slow_worker.pid)
    assert children, "the prefork pool has a child process doing the read"
    for child in children:
        os.kill(child, signal.SIGKILL)
    # Acknowledged late and rejected on worker loss: the message is delivered again.
    ocr = _wait_for(lambda: (o := _state(document)).state in FINISHED and o, seconds=180)
    assert ocr.attempts >= 2
    assert ocr.state == OcrResult.State.DONE and ocr.valid
    assert ocr.fields["number"] == truth["number"]


def test_read_past_its_time_limit_fails_with_a_reason(impatient_worker):
    document, _truth = _passport_document()
    reading.queue_reading(document.pk)
    ocr = _wait_for(lambda: (o := _state(document)).state in FINISHED and o)
    assert ocr.state == OcrResult.State.FAILED
    assert ocr.error == "timed out after 2 s"
