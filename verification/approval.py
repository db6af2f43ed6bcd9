"""Automatic approval (KYC_AUTO_APPROVE): asked at submission and again by each check that
finishes after it (the screening, the face match), so the last one to finish clean decides.

Its own module, without the services' imports, so that those checks can call it without
an import circle.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Status, Verification
from .status import change_status


def approve_automatically(verification_id, *, now=None) -> bool:
    """With KYC_AUTO_APPROVE, passes a submitted (Provided), OCR-matched application that has no
    open risk signal, as a reviewer could pass it at once; True if it did."""
    from review.signals import open_signals

    if not settings.KYC_AUTO_APPROVE:
        return False
    with transaction.atomic():
        locked = Verification.objects.select_for_update().get(pk=verification_id)
        if locked.status != Status.PROVIDED or not locked.ocr_matched or open_signals(locked):
            return False
        change_status(
            locked.pk,
            Status.PASSED,
            actor=None,
            reason="Auto-approved: OCR matched (KYC_AUTO_APPROVE)",
            decided_at=now or timezone.now(),
        )
    return True
