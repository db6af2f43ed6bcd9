"""Retention: how long document images and the KYC records of erased accounts are kept.

An image is kept DOCUMENT_RETENTION_DAYS after the application's final decision; then the file
is deleted from storage and the Document row stays (kind, size, checksum, review state and
`file_deleted_at`) as part of the decision record, beside the application and its history.

When a customer erases their account, their applications stay without personal details as the
KYC record (privacy/services.py). The record is deleted whole, with its history, decisions and
the keyed hash of the document number, KYC_RECORD_RETENTION_DAYS after the erasure: the end of
the business relationship from which AML retention periods are counted.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verification.models import Document, Status, Verification

from .models import ErasureRequest

logger = logging.getLogger(__name__)

# Statuses after which nobody needs the image for the decision any more.
DECIDED_STATUSES = (Status.PASSED, Status.REJECTED, Status.LAPSED)


def images_due_for_deletion(now: datetime.datetime | None = None):
    """Documents whose application was decided more than the retention period ago."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.DOCUMENT_RETENTION_DAYS)
    return Document.objects.filter(
        file_deleted_at__isnull=True,
        verification__status__in=DECIDED_STATUSES,
        verification__decided_at__lte=cutoff,
    )


def delete_document_image(document: Document, now: datetime.datetime | None = None) -> bool:
    """Deletes one image file and marks the row; False if another process got there first."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Document.objects.select_for_update()
            .filter(pk=document.pk, file_deleted_at__isnull=True)
            .first()
        )
        if locked is None:
            return False
        name = locked.file.name
        Document.objects.filter(pk=locked.pk).update(file="", file_deleted_at=now)
        # Face embeddings computed from the image go with it.
        from identity.duplicates import delete_for_documents

        delete_for_documents([locked.pk])
        # The row says "deleted" only if the transaction commits, then the file goes.
        if name:
            storage = locked.file.storage
            transaction.on_commit(lambda: storage.delete(name))
    return True


def purge_expired_document_images(now: datetime.datetime | None = None) -> int:
    """Deletes every image past its retention period; returns how many."""
    deleted = 0
    for document in images_due_for_deletion(now).only("pk", "file").iterator():
        deleted += delete_document_image(document, now)
    if deleted:
        logger.info("Retention: deleted %d document images", deleted)
    return deleted


def reasons_to_keep_account(user) -> list[str]:
    """Why deleting this login outright would destroy records the operator must keep.

    Empty when the account holds nothing but drafts. Customers are erased through the privacy
    flow instead (it keeps what the law requires); staff logins are deactivated, so the audit
    trail goes on naming who acted.
    """
    from audit.models import AuditEvent
    from review.models import FinalRejectionConfirmation, ReviewDecision

    reasons = []
    submitted = user.verifications.exclude(status=Status.DRAFT).count()
    if submitted:
        reasons.append(
            _(
                "%(count)d submitted application(s) kept under legal retention: erase the "
                "customer's personal data through the privacy flow instead."
            )
            % {"count": submitted}
        )
    acted = (
        AuditEvent.objects.filter(actor=user).exists()
        or ReviewDecision.objects.filter(reviewer=user).exists()
        or FinalRejectionConfirmation.objects.filter(supervisor=user).exists()
    )
    if acted:
        reasons.append(
            _("Named in the audit trail as the person who acted: deactivate the login instead.")
        )
    return reasons


def kyc_records_due_for_purge(now: datetime.datetime | None = None):
    """Applications kept from accounts erased more than KYC_RECORD_RETENTION_DAYS ago."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.KYC_RECORD_RETENTION_DAYS)
    erased_before_cutoff = ErasureRequest.objects.filter(completed_at__lte=cutoff).values("user")
    return Verification.objects.filter(user__in=erased_before_cutoff)


def purge_expired_kyc_records(now: datetime.datetime | None = None) -> int:
    """Deletes the kept records past their retention period; returns how many applications."""
    now = now or timezone.now()
    purged = 0
    for pk in kyc_records_due_for_purge(now).values_list("pk", flat=True).iterator():
        with transaction.atomic():
            verification = Verification.objects.select_for_update().filter(pk=pk).first()
            if verification is None:
                continue  # another run got there first
            for document in verification.documents.filter(file_deleted_at__isnull=True):
                delete_document_image(document, now)  # erasure already did; never leave a file
            # Cascades to documents, OCR results, status history and review decisions; audit
            # events keep their row with the application's link cleared.
            verification.delete()
            purged += 1
    finished = ErasureRequest.objects.filter(
        completed_at__lte=now - datetime.timedelta(days=settings.KYC_RECORD_RETENTION_DAYS),
        records_purged_at__isnull=True,
    ).exclude(user__verifications__isnull=False)
    finished.update(records_purged_at=now)
    if purged:
        logger.info("Retention: deleted %d kept KYC records of erased accounts", purged)
    return purged
