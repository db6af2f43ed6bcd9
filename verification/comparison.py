"""Typed details against what OCR read from the document: at submission, and again when a
reading finishes only after it (verification.reading calls compare_after_submission)."""

from django.db import transaction
from django.utils import timezone
from django_countries import countries

from .models import Document, OcrResult, Status, Verification
from .mrz import compare_typed
from .selectors import current_documents


def document_fields(verification: Verification) -> dict | None:
    """Parsed fields of the newest valid MRZ reading among the current documents."""
    for kind in Document.READ_KINDS:
        document = current_documents(verification).get(kind)
        ocr = getattr(document, "ocr", None) if document else None
        if ocr and ocr.state == OcrResult.State.DONE and ocr.valid and ocr.mrz_type:
            return ocr.fields
    return None


def typed_details(v: Verification) -> dict:
    """The details the customer typed, in the shape the MRZ comparison reads."""
    return {
        "surname": v.surname,
        "given_names": v.given_names,
        "sex": v.sex,
        "date_of_birth": v.date_of_birth,
        "document_number": v.document_number,
        "nationality": _alpha3(str(v.nationality or "")),
        "expiry_date": v.expiry_date,
    }


def _alpha3(alpha2: str) -> str:
    return (countries.alpha3(alpha2) or alpha2) if alpha2 else ""


def compare_with_document(verification: Verification) -> list | None:
    """Typed details vs. a valid MRZ reading: [] when they agree, None when nothing was read."""
    fields = document_fields(verification)
    if fields is None:
        return None
    return compare_typed(typed_details(verification), fields)


def compare_after_submission(verification_id: int) -> bool:
    """Compares the typed details with an MRZ that was read only after submission.

    Records the outcome in ocr_matched (the queue's "OCR mismatch" flag) and when it was made,
    for a case waiting for or with a reviewer that has no comparison yet; True if it did.
    """
    with transaction.atomic():
        locked = Verification.objects.select_for_update().get(pk=verification_id)
        if locked.status not in (Status.PROVIDED, Status.UNDER_REVIEW):
            return False  # a draft is compared when it is submitted; a decided case is closed
        if locked.ocr_matched is not None:
            return False  # compared already (at submission, or by an earlier delivery)
        differences = compare_with_document(locked)
        if differences is None:
            return False
        locked.ocr_matched = not differences
        locked.ocr_compared_late_at = timezone.now()
        locked.save(update_fields=["ocr_matched", "ocr_compared_late_at", "updated_at"])
    return True
