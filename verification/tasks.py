"""Celery tasks: document ids in, nothing out (Celery logs arguments and return values).

The work and its idempotency live in verification.reading. Settings make every task
acknowledged late and re-queued when its worker dies (CELERY_TASK_ACKS_LATE,
CELERY_TASK_REJECT_ON_WORKER_LOST).
"""

from celery import shared_task
from django.conf import settings

from kyc_portal import jobs

from . import reading

# A read takes seconds; a minute and a half (the default) means something is wrong with this
# image or host. Web and worker must agree: the limits travel in the message.
READ_SOFT_TIME_LIMIT = settings.KYC_OCR_SOFT_TIME_LIMIT
READ_TIME_LIMIT = READ_SOFT_TIME_LIMIT + 30
_debug_delay = jobs.debug_delay("KYC_OCR_DEBUG_DELAY_SECONDS")


@shared_task(bind=True, soft_time_limit=READ_SOFT_TIME_LIMIT, time_limit=READ_TIME_LIMIT)
def extract_document(self, document_id: int) -> None:
    """Reads a document's MRZ or text and records it; a failure sends the case to a person."""
    jobs.run_in_task(
        self,
        reading.READINGS,
        document_id,
        lambda time_limit: reading.extract_document(
            document_id, before_read=_debug_delay, time_limit=time_limit
        ),
        transient=(reading.TransientReadError,),
    )


@shared_task(soft_time_limit=60, time_limit=90)
def sweep_unfinished_readings() -> None:
    """Re-queues readings that were never queued or whose worker died (periodic, via beat)."""
    reading.sweep_unfinished_readings(send=extract_document.apply_async)
