from celery import shared_task

from . import retention


@shared_task
def purge_expired_document_images() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): images past DOCUMENT_RETENTION_DAYS are deleted."""
    return retention.purge_expired_document_images()
