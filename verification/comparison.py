"""Typed details against what OCR read from the document: at submission, and again when a
reading finishes only after it (verification.reading calls compare_after_submission)."""

from django.db import transaction
from django.utils import timezone
from django_countries import countries

from .models import Document, OcrResult, Status, Verification
from .mrz import compare_typed
from .mrz.parse import absent_fields
from .selectors import current_documents


def document_reading(verification: Verification) -> OcrResult | None:
    """The MRZ reading of the current documents that vouches for at least one field."""
    for kind in Document.READ_KINDS:
        document = current_documents(verification).get(kind)
        ocr = getattr(document, "ocr", None) if document else None
        if ocr and ocr.state == OcrResult.State.DONE and ocr.mrz_type and vouched_fields(ocr):
            return ocr
    return None


def vouched_fields(ocr: OcrResult) -> set[str]:
    """The fields a reading vouches for: trusted, and printed in its layout's MRZ (a field the
    layout lacks, such as a French 1994 card's expiry, counts as trusted but says nothing)."""
    return set(ocr.trusted_fields) - absent_fields(ocr.mrz_type)


def document_fields(verification: Verification) -> dict | None:
    """The fields that reading vouches for (the others are left out), or None."""
    ocr = document_reading(verification)
    if ocr is None:
        return None
    vouched = vouched_fields(ocr)
    return {name: value for name, value in ocr.fields.items() if name in vouched}


def fully_trusted(verification: Verification) -> bool:
    """Whether the reading vouches for every field the customer types (never for a layout
    without an expiry date: the typed expiry then rests on a person's look at the card)."""
    ocr = document_reading(verification)
    return ocr is not None and set(TYPED_FIELDS_IN_MRZ) <= vouched_fields(ocr)


# The MRZ fields behind the typed details (typed_details below).
TYPED_FIELDS_IN_MRZ = (
    "surname",
    "names",
    "sex",
    "date_of_birth",
    "number",
    "nationality",
    "expiration_date",
)


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
    """Typed details vs. the trusted fields of the MRZ reading: [] when they agree, None
    when no reading vouches for any field. An unsure field never disagrees."""
    ocr = document_reading(verification)
    if ocr is None:
        return None
    return compare_typed(typed_details(verification), ocr.fields, vouched_fields(ocr))


def matched_flag(verification: Verification, differences: list | None) -> bool | None:
    """ocr_matched for a comparison: True only when every typed field was vouched for and
    agrees, False on any difference, None when the reading could not vouch for it all."""
    if differences:
        return False
    if differences is None or not fully_trusted(verification):
        return None
    return True


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
        matched = matched_flag(locked, differences)
        if matched is None:
            return False
        locked.ocr_matched = matched
        locked.ocr_compared_late_at = timezone.now()
        locked.save(update_fields=["ocr_matched", "ocr_compared_late_at", "updated_at"])
    return True
