"""Celery tasks: ids in, nothing out. The work and its idempotency live in screening.services
and screening.monitoring; settings make tasks acknowledged late (re-queued if a worker dies).
"""

from celery import shared_task
from celery.signals import worker_process_init

from kyc_portal import jobs

from . import matching, monitoring, services

SOFT_TIME_LIMIT = 30  # one screening takes milliseconds; this means the database is stuck


@worker_process_init.connect
def _load_matcher(**_kwargs) -> None:
    # Transliteration tables and scorers once per worker process, not on the first case.
    matching.warm_up()


@shared_task(bind=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=SOFT_TIME_LIMIT + 30)
def screen_application(self, screening_id: int) -> None:
    """Screens a submitted application against the active lists and records its hits."""
    jobs.run_in_task(
        self,
        services.SCREENINGS,
        screening_id,
        lambda time_limit: services.run_screening(screening_id),
    )


@shared_task(soft_time_limit=60, time_limit=90)
def sweep_unfinished_screenings() -> None:
    """Re-queues screenings never queued or whose worker died (periodic, via beat)."""
    services.sweep_unfinished_screenings(send=screen_application.apply_async)


@shared_task(soft_time_limit=240, time_limit=300)
def rescreen_passed_customers() -> None:
    """Screens the next batches of passed customers against a newly loaded list version."""
    monitoring.rescreen_passed_customers()
