"""Celery tasks: face match ids in, nothing out. The work and its idempotency live in
identity.matching; acks late and re-queued when a worker dies (the project's Celery settings).
"""

import logging
import os
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_init, worker_process_init
from django.conf import settings
from django.db import DatabaseError

from . import duplicates, faces, matching

logger = logging.getLogger(__name__)
# One time limit for every document job (KYC_OCR_SOFT_TIME_LIMIT); a face match takes seconds.
SOFT_TIME_LIMIT = settings.KYC_OCR_SOFT_TIME_LIMIT
TIME_LIMIT = SOFT_TIME_LIMIT + 30
MAX_RETRIES = 5
TRANSIENT_ERRORS = (matching.TransientMatchError, DatabaseError, ConnectionError)


def _debug_delay() -> None:
    # Test hook, off by default: KYC_FACE_DEBUG_DELAY_SECONDS makes each match wait first, so a
    # real-worker test can kill the worker in the middle of one.
    seconds = float(os.environ.get("KYC_FACE_DEBUG_DELAY_SECONDS", "0") or 0)
    if seconds > 0:
        time.sleep(seconds)


@shared_task(bind=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT, max_retries=5)
def match_faces(self, match_id: int) -> None:
    """Compares the holding photo's person with the document's portrait and records it."""
    hard_limit = (self.request.timelimit or (None, None))[0] or TIME_LIMIT
    try:
        matching.run_match(match_id, before=_debug_delay, time_limit=hard_limit)
    except matching.MatchBusy as busy:
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            return
        raise self.retry(countdown=int(busy.seconds_left) + 1) from None
    except SoftTimeLimitExceeded:
        limit = (self.request.timelimit or (None, None))[1] or self.soft_time_limit
        matching.mark_match_failed(match_id, f"timed out after {limit} s")
    except TRANSIENT_ERRORS as error:
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            matching.mark_match_failed(match_id, f"failed: {type(error).__name__}")
            return
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from None


@shared_task(soft_time_limit=60, time_limit=90)
def sweep_unfinished_face_matches() -> None:
    """Re-queues face matches never queued or whose worker died (periodic, via beat)."""
    matching.sweep_unfinished_matches(send=match_faces.apply_async)


def warm_up(**_signal) -> None:
    """A worker process starting: the face engine and the duplicate-face index loaded now,
    not by the first application it compares (seconds at 100,000 stored faces)."""
    faces.load_models()
    duplicates.warm_up()


@worker_init.connect(weak=False, dispatch_uid="identity.tasks.worker_init")
def _warm_up_each_worker_process(**_signal) -> None:
    # Connected only once the worker starts (never in the web process), and after Celery's
    # Django fixup has connected its own worker_process_init handler at worker_init: that one
    # drops the database connection a child inherits, so it must run before our first query.
    worker_process_init.connect(warm_up, weak=False, dispatch_uid="identity.tasks.warm_up")
