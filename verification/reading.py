"""Reading documents with OCR: the work behind verification.tasks, kept idempotent here.

OCR is not a status: its result is recorded beside the document (OcrResult), and a reading
that fails or never finishes sends the case to a person instead of leaving it stuck. This
module never imports the tasks: whoever queues a reading passes the task's `send` function
(verification.queueing for the web, the sweep task for itself).
"""

import datetime
import json
import logging

from django.db import transaction

from kyc_portal import jobs

from .comparison import compare_after_submission
from .models import Document, OcrResult, Verification

logger = logging.getLogger(__name__)
Kind = Document.Kind
State = OcrResult.State

# The task message carries the document's id; the reading is its OcrResult row.
READINGS = jobs.Jobs(
    OcrResult,
    name="OCR of document",
    lease=jobs.document_lease,
    key="document_id",
    created="document__created_at",
)
ReadingBusy = jobs.JobBusy


def queue_reading(document_id: int, *, send) -> None:
    """Queues the OCR task through `send` (its apply_async); if the broker is down the periodic
    sweep queues it later."""
    READINGS.queue(document_id, send=send)


class TransientReadError(Exception):
    """The document could not be fetched or read for a reason that may go away (retry)."""


def extract_document(document_id: int, *, before_read=None, time_limit=None) -> None:
    """Reads one document's MRZ (or its text, for documents without one) and records it.

    Idempotent: a document already read or failed is left alone. Raises ReadingBusy while
    another delivery holds the reading, TransientReadError when storage or the OCR engine
    failed in a way worth retrying. `time_limit` (seconds) caps how long the lease is renewed.
    """
    claim = _claim_reading(document_id)
    if claim is None:
        return
    ocr, token = claim
    deadline = ocr.started_at + datetime.timedelta(seconds=time_limit) if time_limit else None
    with READINGS.lease_kept(ocr.pk, token, deadline):
        try:
            if before_read is not None:
                before_read()
            try:
                with ocr.document.file.open("rb") as handle:
                    image = handle.read()
            except OSError as error:
                raise TransientReadError(f"storage: {type(error).__name__}") from error
            result = _read(ocr.document, image)
            record_reading(ocr.pk, token, **result)
        except BaseException:
            # Retried, timed out or crashed: the next delivery need not wait for the lease.
            READINGS.release(ocr.pk, token)
            raise


def _claim_reading(document_id: int) -> tuple[OcrResult, str] | None:
    return READINGS.claim(
        OcrResult.objects.select_related("document"), document_id, gone=_document_gone
    )


def _document_gone(ocr: OcrResult) -> str | None:
    if ocr.document.file_deleted_at is not None or ocr.document.superseded_at is not None:
        return "document replaced or deleted before it was read"
    return None


def _read(document: Document, image: bytes) -> dict:
    from .mrz.read import read_mrz

    reading = read_mrz(image)
    if reading.mrz_type:
        summary = reading.to_dict()
        for key in (
            "path",
            "raw_text",
            "seconds",
            "engine",
            "error",
            "check_digits",
            "trusted_fields",
            "unsure_positions",
        ):
            summary.pop(key, None)
        return {
            "state": State.DONE,
            "engine": f"{reading.engine} {reading.engine_version}",
            "mrz_type": reading.mrz_type,
            "raw_text": reading.raw_text,
            "fields_json": json.dumps(summary),
            "check_digits": dict(reading.check_digits),
            "valid": bool(reading.valid),
            "trusted_fields": list(reading.trusted_fields),
            "unsure_positions": [list(position) for position in reading.unconfirmed_positions],
            "confidence": reading.confidence,
            "seconds": reading.seconds,
            "error": "" if reading.valid else "MRZ read but not confirmed: manual verification",
        }
    if document.kind == Kind.PASSPORT_DATA_PAGE:
        return {
            "state": State.FAILED,
            "engine": f"{reading.engine} {reading.engine_version}",
            "seconds": reading.seconds,
            "error": (reading.error or "no machine-readable zone found")[:200],
        }
    # "Others" without an MRZ: keep the document's text for the reviewer.
    return _read_text(image)


def _read_text(image: bytes) -> dict:
    import io
    import time

    import pytesseract
    from PIL import Image

    started = time.perf_counter()
    try:
        text = pytesseract.image_to_string(Image.open(io.BytesIO(image)), timeout=60)
    except RuntimeError:  # pytesseract's timeout
        return {"state": State.FAILED, "engine": "tesseract", "error": "text timed out"}
    except pytesseract.TesseractError as error:
        raise TransientReadError(f"tesseract: {error.status}") from error
    return {
        "state": State.DONE,
        "engine": f"tesseract {pytesseract.get_tesseract_version()}",
        "raw_text": text.strip(),
        "seconds": time.perf_counter() - started,
    }


@transaction.atomic
def record_reading(ocr_id: int, token: str, **result) -> bool:
    """Stores a finished reading if `token` still holds its lease; False if it did not.

    A reading of the current document that lands after submission is compared with the
    typed details then (verification.comparison.compare_after_submission).
    """
    verification_id = (
        OcrResult.objects.filter(pk=ocr_id).values_list("document__verification", flat=True).get()
    )
    # The application first, then its reading (the order submission and erasure lock them in):
    # a submission running now either saw this reading or is compared after it.
    list(Verification.objects.select_for_update().filter(pk=verification_id).values("pk"))
    ocr = OcrResult.objects.select_for_update().select_related("document").get(pk=ocr_id)
    if not READINGS.holds(ocr, token):
        return False
    for name, value in result.items():
        setattr(ocr, name, value)
    READINGS.finish(ocr)
    ocr.save()
    if ocr.state == State.DONE and ocr.document.is_current:
        compare_after_submission(verification_id)
    return True


def mark_reading_failed(document_id: int, reason: str) -> None:
    """Ends a reading that failed or timed out; the application then goes to a person."""
    READINGS.mark_failed(document_id, reason)


def sweep_unfinished_readings(now: datetime.datetime | None = None, *, send) -> list[int]:
    """Re-queues (through `send`, the OCR task's apply_async) readings never queued, whose
    message was lost or whose lease ran out (the worker died); returns their document ids.
    One stuck past its attempts is marked failed.
    """
    current = OcrResult.objects.filter(
        document__superseded_at__isnull=True, document__file_deleted_at__isnull=True
    )
    return READINGS.sweep(current, send=send, now=now)
