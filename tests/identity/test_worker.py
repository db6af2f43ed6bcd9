"""The face match task on a real Celery worker and the real Redis (skipped on SQLite; CI runs
it), and an upload while the broker is down. The slow match a test kills comes from the task's
documented hook KYC_FACE_DEBUG_DELAY_SECONDS (off by default), not from a mock.
"""

import os
import signal
import time

import pytest
from django.utils import timezone

from identity import matching, queueing, tasks
from identity.models import FaceMatch
from kyc_portal import jobs
from tests.factories import VerificationFactory
from tests.verification.test_worker import _pool_children, _stop, _wait_for

from .conftest import attach, customer_page, evidence

FINISHED = (FaceMatch.State.DONE, FaceMatch.State.FAILED)
LEASE_SECONDS = 6


def _application():
    from benchmarks.faces import scenes

    verification = VerificationFactory()
    attach(verification, "passport_page", scenes.png(customer_page()[0]), "page.png")
    attach(verification, "holding_photo", evidence("customer holding own page"))
    return verification


def _match(verification):
    return FaceMatch.objects.filter(verification=verification).first()


@pytest.fixture
def slow_worker(transactional_db, monkeypatch, request, settings):
    """A real worker whose matches first wait 4 seconds; their lease lasts 6 seconds."""
    monkeypatch.setenv("KYC_FACE_DEBUG_DELAY_SECONDS", "4")
    monkeypatch.setenv("KYC_OCR_LEASE_SECONDS", str(LEASE_SECONDS))
    settings.KYC_OCR_LEASE_SECONDS = LEASE_SECONDS
    worker = request.getfixturevalue("celery_worker")
    yield worker
    _stop(worker)


@pytest.fixture
def impatient_worker(transactional_db, monkeypatch, request):
    """A real worker whose soft time limit (2 s) is shorter than its matches (5 s)."""
    monkeypatch.setenv("KYC_FACE_DEBUG_DELAY_SECONDS", "5")
    monkeypatch.setenv("KYC_OCR_SOFT_TIME_LIMIT", "2")
    monkeypatch.setattr(tasks.match_faces, "soft_time_limit", 2)
    monkeypatch.setattr(tasks.match_faces, "time_limit", 32)
    monkeypatch.setattr(tasks.match_faces, "_exec_options", None)  # Celery caches them
    worker = request.getfixturevalue("celery_worker")
    yield worker
    _stop(worker)


@pytest.mark.worker
@pytest.mark.slow
def test_worker_matches_the_faces_of_an_application(celery_worker):
    verification = _application()
    queueing.start_face_match(verification.pk)
    match = _wait_for(lambda: (m := _match(verification)) and m.state in FINISHED and m)
    assert match.state == FaceMatch.State.DONE and match.verdict == "match"
    assert match.document_in_hand == "same" and match.attempts == 1


@pytest.mark.worker
@pytest.mark.slow
def test_worker_killed_mid_match_runs_it_again(slow_worker):
    verification = _application()
    queueing.start_face_match(verification.pk)
    _wait_for(lambda: (m := _match(verification)) and m.state == FaceMatch.State.RUNNING)
    children = _pool_children(slow_worker.pid)
    assert children, "the prefork pool has a child process doing the match"
    for child in children:
        os.kill(child, signal.SIGKILL)
    match = _wait_for(lambda: (m := _match(verification)).state in FINISHED and m, seconds=180)
    assert match.attempts == 2
    assert match.state == FaceMatch.State.DONE and match.verdict == "match"


@pytest.mark.worker
@pytest.mark.slow
def test_a_match_past_its_time_limit_fails_with_a_reason(impatient_worker):
    verification = _application()
    queueing.start_face_match(verification.pk)
    match = _wait_for(lambda: (m := _match(verification)) and m.state in FINISHED and m)
    assert match.state == FaceMatch.State.FAILED
    assert match.error == "timed out after 2 s"
    assert match.is_risky  # a person compares the faces instead


@pytest.mark.django_db
def test_upload_while_the_broker_is_down_is_matched_by_the_sweep():
    from kyc_portal.celery import app

    verification = _application()
    app.conf.task_always_eager = False
    saved = (app.conf.broker_url, app.conf.broker_write_url), app.__dict__.get("_pool")
    saved += (app.amqp._producer_pool,)
    app.conf.broker_url = app.conf.broker_write_url = "redis://127.0.0.1:1/0"  # nobody there
    app._pool = app.amqp._producer_pool = None
    try:
        started = time.monotonic()
        queueing.start_face_match(verification.pk)
        assert time.monotonic() - started < 30  # the upload is not held up for long
    finally:
        app.conf.broker_url, app.conf.broker_write_url = saved[0]
        app._pool, app.amqp._producer_pool = saved[1], saved[2]
        app.conf.task_always_eager = True
    match = _match(verification)
    assert match.state == FaceMatch.State.PENDING and match.queued_at is None
    FaceMatch.objects.filter(pk=match.pk).update(created_at=timezone.now() - jobs.UNQUEUED_GRACE)
    assert matching.sweep_unfinished_matches(send=tasks.match_faces.apply_async) == [match.pk]
    match.refresh_from_db()
    assert match.state == FaceMatch.State.DONE and match.verdict == "match"
