"""The screening task on a real Celery worker and the real Redis (skipped on SQLite)."""

import time

import pytest

from kyc_portal import jobs
from screening import queueing, services, tasks
from screening.demo import SAMPLE_DATASET, SAMPLE_LIST
from screening.loading import load_watchlist
from screening.models import Screening

from .test_on_submission import listed_applicant

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError("timed out waiting")


def _done(screening):
    return Screening.objects.get(pk=screening.pk).state == Screening.State.DONE


def test_a_worker_screens_a_submission_once_however_often_it_is_delivered(celery_worker):
    load_watchlist(SAMPLE_LIST, SAMPLE_DATASET)
    verification = listed_applicant()
    screening = services.open_submission_screening(verification)
    for _ in range(3):  # a retried request, a redelivery
        queueing.queue_screening(screening.pk)
    _wait_for(lambda: _done(screening))
    time.sleep(2)  # let the other deliveries arrive and find it done
    screening.refresh_from_db()
    assert screening.hit_count == 1 and screening.attempts == 1
    assert [h.entity_id for h in verification.screening_hits.all()] == ["sample-ivan-petrov"]
    assert "PETROV" not in celery_worker.log().upper()  # ids in the log, never names


def test_a_screening_the_broker_never_got_is_swept_up(celery_worker):
    load_watchlist(SAMPLE_LIST, SAMPLE_DATASET)
    verification = listed_applicant()
    screening = services.open_submission_screening(verification)  # never queued: broker down
    Screening.objects.filter(pk=screening.pk).update(
        created_at=screening.created_at - jobs.UNQUEUED_GRACE * 2
    )
    tasks.sweep_unfinished_screenings.apply()  # what beat runs every minute
    _wait_for(lambda: _done(screening))
    assert verification.screening_hits.count() == 1
