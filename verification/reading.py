"""Reading documents with OCR: the work behind verification.tasks, kept idempotent here.

OCR is not a status: its result is recorded beside the document (OcrResult), and a reading
that fails or never finishes sends the case to a person instead of leaving it stuck.
"""

import datetime
import json
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Document, OcrResult

logger = logging.getLogger(__name__)
Kind = Document.Kind

# Documents whose text the OCR task reads. Holding photos and business papers go to a person.
READ_KINDS = (Kind.PASSPORT_DATA_PAGE, Kind.ID_FRONT, Kind.ID_BACK)
MAX_READ_ATTEMPTS = 3
# A reading still "running" this long after it started has lost its worker.
STALE_READING = datetime.timedelta(minutes=5)
# A reading still "pending" this long after upload was never queued (e.g. Redis was down).
UNQUEUED_READING = datetime.timedelta(minutes=2)


def queue_reading(document_id: int) -> None:
    """Queues the OCR task; if the broker is down the periodic sweep queues it later."""
    from kombu.exceptions import OperationalError as BrokerUnavailable

    from . import tasks

    try:
        tasks.extract_document.apply_async((document_id,), retry=False)
    except (BrokerUnavailable, ConnectionError, OSError):
        logger.warning("OCR task for document %s not queued: broker unavailable", document_id)


class TransientReadError(Exception):
    """The document could not be fetched or read for a reason that may go away (retry)."""


def extract_document(document_id: int, *, before_read=None) -> None:
    """Reads one document's MRZ (or its text, for documents without one) and records it.

    Idempotent: a document already read or failed is left alone. Raises TransientReadError
    when storage or the OCR engine failed in a way worth retrying.
    """
    ocr = _claim_reading(document_id)
    if ocr is None:
        return
    if before_read is not None:
        before_read()
    try:
        with ocr.document.file.open("rb") as handle:
            image = handle.read()
    except OSError as error:
        raise TransientReadError(f"storage: {type(error).__name__}") from error
    result = _read(ocr.document, image)
    record_reading(ocr.pk, **result)


def _claim_reading(document_id: int) -> OcrResult | None:
    with transaction.atomic():
        try:
            ocr = (
                OcrResult.objects.select_for_update()
                .select_related("document")
                .get(document_id=document_id)
            )
        except OcrResult.DoesNotExist:
            return None
        if ocr.state in (OcrResult.State.DONE, OcrResult.State.FAILED):
            return None  # a repeated delivery
        if ocr.document.file_deleted_at is not None or ocr.document.superseded_at is not None:
            _fail(ocr, "document replaced or deleted before it was read")
            return None
        if ocr.attempts >= MAX_READ_ATTEMPTS:
            # Each earlier attempt died (worker killed, time limit): a person reads it instead.
            _fail(ocr, f"gave up after {ocr.attempts} attempts")
            return None
        ocr.state = OcrResult.State.RUNNING
        ocr.attempts += 1
        ocr.started_at = timezone.now()
        ocr.save(update_fields=["state", "attempts", "started_at"])
    return ocr


def _read(document: Document, image: bytes) -> dict:
    from .ocr import read_mrz

    reading = read_mrz(image)
    if reading.mrz_type:
        summary = reading.to_dict()
        for key in ("path", "raw_text", "seconds", "engine", "error", "check_digits"):
            summary.pop(key, None)
        return {
            "state": OcrResult.State.DONE,
            "engine": f"{reading.engine} {reading.engine_version}",
            "mrz_type": reading.mrz_type,
            "raw_text": reading.raw_text,
            "fields_json": json.dumps(summary),
            "check_digits": dict(reading.check_digits),
            "valid": bool(reading.valid),
            "confidence": reading.confidence,
            "seconds": reading.seconds,
            "error": "" if reading.valid else "MRZ read but not confirmed: manual verification",
        }
    if document.kind == Kind.PASSPORT_DATA_PAGE:
        return {
            "state": OcrResult.State.FAILED,
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
        return {"state": OcrResult.State.FAILED, "engine": "tesseract", "error": "text timed out"}
    except pytesseract.TesseractError as error:
        raise TransientReadError(f"tesseract: {error.status}") from error
    return {
        "state": OcrResult.State.DONE,
        "engine": f"tesseract {pytesseract.get_tesseract_version()}",
        "raw_text": text.strip(),
        "seconds": time.perf_counter() - started,
    }


@transaction.atomic
def record_reading(ocr_id: int, **result) -> None:
    """Stores a finished reading beside its document unless another delivery already did."""
    ocr = OcrResult.objects.select_for_update().get(pk=ocr_id)
    if ocr.state in (OcrResult.State.DONE, OcrResult.State.FAILED):
        return
    for name, value in result.items():
        setattr(ocr, name, value)
    ocr.finished_at = timezone.now()
    ocr.save()


@transaction.atomic
def mark_reading_failed(document_id: int, reason: str) -> None:
    """Ends a reading that failed or timed out; the application then goes to a person."""
    ocr = OcrResult.objects.select_for_update().filter(document_id=document_id).first()
    if ocr is not None and ocr.state not in (OcrResult.State.DONE, OcrResult.State.FAILED):
        _fail(ocr, reason)


def _fail(ocr: OcrResult, reason: str) -> None:
    ocr.state = OcrResult.State.FAILED
    ocr.error = reason[:200]
    ocr.finished_at = timezone.now()
    ocr.save(update_fields=["state", "error", "finished_at"])
    logger.info("OCR of document %s failed: %s", ocr.document_id, reason)


def sweep_unfinished_readings(now: datetime.datetime | None = None) -> list[int]:
    """Re-queues readings that were never queued or lost their worker; returns document ids.

    The database is the truth: a reading stuck past its attempts is marked failed instead.
    """
    now = now or timezone.now()
    stuck = OcrResult.objects.filter(
        document__superseded_at__isnull=True, document__file_deleted_at__isnull=True
    ).filter(
        Q(state=OcrResult.State.PENDING, document__created_at__lt=now - UNQUEUED_READING)
        | Q(state=OcrResult.State.RUNNING, started_at__lt=now - STALE_READING)
    )
    requeued = []
    for document_id, attempts in stuck.values_list("document_id", "attempts"):
        if attempts >= MAX_READ_ATTEMPTS:
            mark_reading_failed(document_id, f"reading never finished after {attempts} attempts")
            continue
        queue_reading(document_id)
        requeued.append(document_id)
    return requeued
