"""Submitted applications for review tests, built on the shared factories."""

import datetime

from django.utils import timezone

from tests.factories import DocumentFactory, UserFactory, VerificationFactory
from verification.models import Document, OcrResult, Status
from verification.mrz.parse import TRUSTABLE_FIELDS


def submitted_case(
    *, status=Status.PROVIDED, documents=True, faces_compared=True, due_in_hours=12, **fields
):
    """A passport application waiting for review, with its data page and holding photo (and,
    unless `faces_compared` is False, their face match: the same person, the same page)."""
    now = timezone.now()
    fields.setdefault("submitted_at", now - datetime.timedelta(hours=2))
    fields.setdefault("sla_due_at", now + datetime.timedelta(hours=due_in_hours))
    verification = VerificationFactory(status=status, **fields)
    if documents:
        page = DocumentFactory(verification=verification, kind=Document.Kind.PASSPORT_DATA_PAGE)
        holding = DocumentFactory(verification=verification, kind=Document.Kind.HOLDING_PHOTO)
        if faces_compared:
            compared_faces(verification, page, holding)
    return verification


def compared_faces(verification, page, holding, **result):
    """The finished face match of `page` and `holding` (default: a clear match, same page)."""
    from identity.models import FaceMatch

    result = {
        "state": FaceMatch.State.DONE,
        "verdict": FaceMatch.Verdict.MATCH,
        "score": 0.7,
        "threshold": 0.55,
        "document_in_hand": FaceMatch.DocumentInHand.SAME,
        **result,
    }
    return FaceMatch.objects.create(
        verification=verification, portrait_document=page, holding_document=holding, **result
    )


def with_ocr(verification, **read):
    """Records an OCR reading of the data page (defaults: what the customer typed)."""
    import json

    document = verification.documents.get(kind=Document.Kind.PASSPORT_DATA_PAGE)
    fields = {
        "mrz_type": "TD3",
        "surname": verification.surname,
        "names": verification.given_names,
        "number": verification.document_number,
        "nationality": verification.nationality.alpha3,
        "date_of_birth": verification.date_of_birth.isoformat(),
        "sex": verification.sex,
        "expiration_date": verification.expiry_date.isoformat(),
        **read,
    }
    return OcrResult.objects.create(
        document=document,
        state=OcrResult.State.DONE,
        fields_json=json.dumps(fields),
        check_digits={"number": True, "date_of_birth": True, "expiration_date": True},
        valid=True,
        trusted_fields=list(TRUSTABLE_FIELDS),
    )


__all__ = ["UserFactory", "compared_faces", "submitted_case", "with_ocr"]
