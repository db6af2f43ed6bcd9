from celery import shared_task

from . import services


@shared_task
def expire_idle_claims() -> None:
    """Returns cases whose reviewer went idle to the queue (run by beat)."""
    services.expire_idle_claims()
