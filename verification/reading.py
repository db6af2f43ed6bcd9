"""Reading documents with OCR: the work behind verification.tasks, kept idempotent here.

OCR is not a status: its result is recorded beside the document (OcrResult), and a reading
that fails or never finishes sends the case to a person instead of leaving it stuck. This
module never imports the tasks: whoever queues a reading passes the task's `send` function
(verification.queueing for the web, the sweep task for itself).
"""

import contextlib
import datetime
import json
import logging
import secrets
import threading

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from .comparison import compare_after_submission
from .models import Document, OcrResult, Verification

logger = logging.getLogger(__name__)
Kind = Document.Kind
State = OcrResult.State

MAX_READ_ATTEMPTS = 3
# An upload queues its reading right after its commit: only one still unqueued after this
# long failed to reach the broker (the sweep then queues it at once).
UNQUEUED_GRACE = datetime.timedelta(seconds=15)
# A reading handed to the broker this long ago and never started lost its message.
LOST_MESSAGE = datetime.timedelta(minutes=2)


def lease_length() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.KYC_OCR_LEASE_SECONDS)


def queue_reading(document_id: int, *, send) -> None:
    """Queues the OCR task through `send` (its apply_async); if the broker is down the periodic
    sweep queues it later."""
    try:
        send((document_id,), retry=False)
    except (BrokerUnavailable, ConnectionError, OSError):
        logger.warning("OCR task for document %s not queued: broker unavailable", document_id)
        return
    # An empty queued_at is what tells the sweep that the broker never got this reading.
    OcrResult.objects.filter(document_id=document_id, state=State.PENDING).update(
        queued_at=timezone.now()
    )


class TransientReadError(Exception):
    """The document could not be fetched or read for a reason that may go away (retry)."""


class ReadingBusy(Exception):
    """Another delivery holds this reading's lease; it runs out in `seconds_left`."""

    def __init__(self, seconds_left: float):
        super().__init__(f"leased for {seconds_left:.0f} s more")
        self.seconds_left = max(seconds_left, 0.0)


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
    with _lease_kept(ocr.pk, token, deadline):
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
            _release(ocr.pk, token)
            raise


def _claim_reading(document_id: int) -> tuple[OcrResult, str] | None:
    """Takes the reading under a row lock (a compare-and-set on its state and lease)."""
    with transaction.atomic():
        try:
            ocr = (
                OcrResult.objects.select_for_update()
                .select_related("document")
                .get(document_id=document_id)
            )
        except OcrResult.DoesNotExist:
            return None
        if ocr.state in (State.DONE, State.FAILED):
            return None  # a repeated delivery
        now = timezone.now()  # after the lock, which another claim may have held a while
        lease_ends = _lease_ends(ocr)
        if ocr.state == State.RUNNING and lease_ends is not None and lease_ends > now:
            # Its holder may still be reading: two runs of one read must never overlap.
            raise ReadingBusy((lease_ends - now).total_seconds())
        if ocr.document.file_deleted_at is not None or ocr.document.superseded_at is not None:
            _fail(ocr, "document replaced or deleted before it was read")
            return None
        if ocr.attempts >= MAX_READ_ATTEMPTS:
            # Each earlier attempt died (worker killed, time limit): a person reads it instead.
            _fail(ocr, f"gave up after {ocr.attempts} attempts")
            return None
        ocr.state = State.RUNNING
        ocr.attempts += 1
        ocr.started_at = now
        ocr.lease_token = secrets.token_hex(16)
        ocr.lease_until = now + lease_length()
        ocr.save(update_fields=["state", "attempts", "started_at", "lease_token", "lease_until"])
    return ocr, ocr.lease_token


def _lease_ends(ocr: OcrResult) -> datetime.datetime | None:
    if ocr.lease_until is not None:
        return ocr.lease_until
    # A reading started before leases existed: its start plus one lease.
    return ocr.started_at + lease_length() if ocr.started_at else None


@contextlib.contextmanager
def _lease_kept(ocr_id: int, token: str, deadline: datetime.datetime | None):
    """Renews the lease every third of its length while the block runs, never past `deadline`
    (the task's hard time limit: a process still reading then is treated as dead)."""
    stop = threading.Event()
    length = lease_length()

    def renew():
        from django.db import connection

        try:
            while not stop.wait(length.total_seconds() / 3):
                until = timezone.now() + length
                if deadline is not None:
                    until = min(until, deadline)
                try:
                    renewed = OcrResult.objects.filter(
                        pk=ocr_id, lease_token=token, state=State.RUNNING
                    ).update(lease_until=until)
                except DatabaseError:
                    logger.warning("Lease of OCR result %s not renewed this time", ocr_id)
                    continue
                if not renewed or until == deadline:
                    return  # finished, released, or past the time limit: let it run out
        finally:
            connection.close()  # this thread's own connection

    renewer = threading.Thread(target=renew, name=f"ocr-lease-{ocr_id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join(timeout=10)


def _release(ocr_id: int, token: str) -> None:
    try:
        OcrResult.objects.filter(pk=ocr_id, lease_token=token, state=State.RUNNING).update(
            state=State.PENDING, lease_until=None, queued_at=timezone.now()
        )
    except DatabaseError:
        logger.warning("OCR result %s not released; its lease runs out instead", ocr_id)


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
    if ocr.state != State.RUNNING or ocr.lease_token != token:
        return False  # a repeated delivery, or one that outlived its lease and lost it
    for name, value in result.items():
        setattr(ocr, name, value)
    ocr.finished_at = timezone.now()
    ocr.lease_until = None
    ocr.save()
    if ocr.state == State.DONE and ocr.document.is_current:
        compare_after_submission(verification_id)
    return True


@transaction.atomic
def mark_reading_failed(document_id: int, reason: str) -> None:
    """Ends a reading that failed or timed out; the application then goes to a person."""
    ocr = OcrResult.objects.select_for_update().filter(document_id=document_id).first()
    if ocr is not None and ocr.state not in (State.DONE, State.FAILED):
        _fail(ocr, reason)


def _fail(ocr: OcrResult, reason: str) -> None:
    ocr.state = State.FAILED
    ocr.error = reason[:200]
    ocr.finished_at = timezone.now()
    ocr.lease_until = None
    ocr.save(update_fields=["state", "error", "finished_at", "lease_until"])
    logger.info("OCR of document %s failed: %s", ocr.document_id, reason)


def sweep_unfinished_readings(now: datetime.datetime | None = None, *, send) -> list[int]:
    """Re-queues (through `send`, the OCR task's apply_async) readings never queued, whose
    message was lost or whose lease ran out (the worker died); returns their document ids.
    One stuck past its attempts is marked failed.
    """
    now = now or timezone.now()
    stuck = OcrResult.objects.filter(
        document__superseded_at__isnull=True, document__file_deleted_at__isnull=True
    ).filter(
        Q(
            state=State.PENDING,
            queued_at__isnull=True,
            document__created_at__lt=now - UNQUEUED_GRACE,
        )
        | Q(state=State.PENDING, queued_at__lt=now - LOST_MESSAGE)
        | Q(state=State.RUNNING, lease_until__lt=now)
        | Q(state=State.RUNNING, lease_until__isnull=True, started_at__lt=now - lease_length())
    )
    requeued = []
    for document_id, attempts in stuck.values_list("document_id", "attempts"):
        if attempts >= MAX_READ_ATTEMPTS:
            mark_reading_failed(document_id, f"reading never finished after {attempts} attempts")
            continue
        queue_reading(document_id, send=send)
        requeued.append(document_id)
    return requeued
