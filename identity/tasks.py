"""Celery tasks: face match ids in, nothing out. The work and its idempotency live in
identity.matching; acks late and re-queued when a worker dies (the project's Celery settings).
"""

from celery import shared_task
from celery.signals import worker_init, worker_process_init
from django.conf import settings

from kyc_portal import jobs

from . import duplicates, faces, matching

# One time limit for every document job (KYC_OCR_SOFT_TIME_LIMIT); a face match takes seconds.
SOFT_TIME_LIMIT = settings.KYC_OCR_SOFT_TIME_LIMIT
TIME_LIMIT = SOFT_TIME_LIMIT + 30
_debug_delay = jobs.debug_delay("KYC_FACE_DEBUG_DELAY_SECONDS")


@shared_task(bind=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def match_faces(self, match_id: int) -> None:
    """Compares the holding photo's person with the document's portrait and records it."""
    jobs.run_in_task(
        self,
        matching.MATCHES,
        match_id,
        lambda time_limit: matching.run_match(match_id, before=_debug_delay, time_limit=time_limit),
        transient=(matching.TransientMatchError,),
    )


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
