"""Celery tasks: document ids in, nothing out (Celery logs arguments and return values).

The work and its idempotency live in verification.reading. Settings make every task
acknowledged late and re-queued when its worker dies (CELERY_TASK_ACKS_LATE,
CELERY_TASK_REJECT_ON_WORKER_LOST).
"""

import logging
import os
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError

from . import reading

logger = logging.getLogger(__name__)
# A read takes seconds; a minute and a half (the default) means something is wrong with this
# image or host. Web and worker must agree: the limits travel in the message.
READ_SOFT_TIME_LIMIT = settings.KYC_OCR_SOFT_TIME_LIMIT
READ_TIME_LIMIT = READ_SOFT_TIME_LIMIT + 30
MAX_RETRIES = 5
TRANSIENT_ERRORS = (reading.TransientReadError, DatabaseError, ConnectionError)


def _debug_delay() -> None:
    # Test hook, off by default: KYC_OCR_DEBUG_DELAY_SECONDS makes each read wait first, so a
    # real-worker test can kill the worker in the middle of a read.
    seconds = float(os.environ.get("KYC_OCR_DEBUG_DELAY_SECONDS", "0") or 0)
    if seconds > 0:
        time.sleep(seconds)


@shared_task(
    bind=True,
    soft_time_limit=READ_SOFT_TIME_LIMIT,
    time_limit=READ_TIME_LIMIT,
    max_retries=MAX_RETRIES,
)
def extract_document(self, document_id: int) -> None:
    """Reads a document's MRZ or text and records it; a failure sends the case to a person."""
    hard_limit = (self.request.timelimit or (None, None))[0] or READ_TIME_LIMIT
    try:
        reading.extract_document(document_id, before_read=_debug_delay, time_limit=hard_limit)
    except reading.ReadingBusy as busy:
        # Another delivery is reading it. Look again when its lease runs out, in case its
        # worker died (the sweep would also notice); by then it is usually done.
        if self.request.is_eager or self.request.retries >= MAX_RETRIES:
            return
        logger.info("OCR of document %s is held by another delivery; retrying", document_id)
        raise self.retry(countdown=int(busy.seconds_left) + 1) from None
    except SoftTimeLimitExceeded:
        limit = (self.request.timelimit or (None, None))[1] or self.soft_time_limit
        reading.mark_reading_failed(document_id, f"timed out after {limit} s")
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            reading.mark_reading_failed(
                document_id, f"failed after {MAX_RETRIES} retries: {type(error).__name__}"
            )
            return
        # Exponential backoff: 2, 4, 8, 16, 32 seconds.
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from None


@shared_task(soft_time_limit=60, time_limit=90)
def sweep_unfinished_readings() -> None:
    """Re-queues readings that were never queued or whose worker died (periodic, via beat)."""
    reading.sweep_unfinished_readings(send=extract_document.apply_async)
