from celery import shared_task

from . import retention


@shared_task
def purge_expired_document_images() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): images past DOCUMENT_RETENTION_DAYS are deleted."""
    return retention.purge_expired_document_images()


@shared_task
def purge_expired_kyc_records() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): records of erased accounts past KYC_RECORD_RETENTION_DAYS."""
    return retention.purge_expired_kyc_records()
