"""Face matching as a background job: the work behind identity.tasks, kept idempotent here.

The same shape as the MRZ read (verification/reading.py): ids only in the message, one
FaceMatch row per pair of files, a lease held while a worker computes it (renewed while its
process lives), a periodic sweep for matches never queued or whose worker died. A result is
recorded only on the row of the files it was computed on, so a re-upload never receives an
older file's result. This module never imports the tasks: callers pass the task's `send`.
"""

import contextlib
import datetime
import logging
import secrets
import threading

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from verification import selectors as verification_selectors
from verification.models import Document, OcrResult, Verification

from . import duplicates, faces
from .document_numbers import read_document_number
from .models import FaceMatch

logger = logging.getLogger(__name__)
State = FaceMatch.State
Kind = Document.Kind

# The documents whose portrait is compared with the holding photo's person, in that order.
PORTRAIT_KINDS = (Kind.PASSPORT_DATA_PAGE, Kind.ID_FRONT)
MATCHED_KINDS = (*PORTRAIT_KINDS, Kind.HOLDING_PHOTO)
MAX_ATTEMPTS = 3
UNQUEUED_GRACE = datetime.timedelta(seconds=15)
LOST_MESSAGE = datetime.timedelta(minutes=2)


def lease_length() -> datetime.timedelta:
    # One lease length for every document job (KYC_OCR_LEASE_SECONDS): reads and face matches.
    return datetime.timedelta(seconds=settings.KYC_OCR_LEASE_SECONDS)


class TransientMatchError(Exception):
    """A file could not be fetched, for a reason that may go away (retry)."""


class MatchBusy(Exception):
    """Another delivery holds this match's lease; it runs out in `seconds_left`."""

    def __init__(self, seconds_left: float):
        super().__init__(f"leased for {seconds_left:.0f} s more")
        self.seconds_left = max(seconds_left, 0.0)


def current_pair(verification) -> tuple[Document | None, Document | None]:
    """(portrait document, holding photo) among the application's current uploads."""
    documents = verification_selectors.current_documents(verification)
    portrait = next((documents[k] for k in PORTRAIT_KINDS if k in documents), None)
    return portrait, documents.get(Kind.HOLDING_PHOTO)


def start_match(verification_id: int, *, send) -> FaceMatch | None:
    """Creates the match of the current portrait and holding photo (once per pair of files)
    and queues it; None while either is missing."""
    verification = Verification.objects.filter(pk=verification_id).first()
    if verification is None:
        return None
    portrait, holding = current_pair(verification)
    if portrait is None or holding is None:
        return None
    try:
        with transaction.atomic():
            match, created = FaceMatch.objects.get_or_create(
                portrait_document=portrait,
                holding_document=holding,
                defaults={"verification": verification},
            )
    except IntegrityError:  # a concurrent upload created it first
        return FaceMatch.objects.filter(
            portrait_document=portrait, holding_document=holding
        ).first()
    if created:
        queue_match(match.pk, send=send)
    return match


def queue_match(match_id: int, *, send) -> None:
    """Queues the task through `send`; with the broker down the sweep queues it later."""
    try:
        send((match_id,), retry=False)
    except (BrokerUnavailable, ConnectionError, OSError):
        logger.warning("Face match %s not queued: broker unavailable", match_id)
        return
    FaceMatch.objects.filter(pk=match_id, state=State.PENDING).update(queued_at=timezone.now())


def run_match(match_id: int, *, before=None, time_limit=None) -> None:
    """Computes one face match and records it. Idempotent: a finished match is left alone.

    Raises MatchBusy while another delivery holds it, TransientMatchError when a file could
    not be fetched; an image the engine cannot read fails the match (a person looks instead).
    """
    claim = _claim(match_id)
    if claim is None:
        return
    match, token = claim
    deadline = match.started_at + datetime.timedelta(seconds=time_limit) if time_limit else None
    recorded = False
    with _lease_kept(match.pk, token, deadline):
        try:
            if before is not None:
                before()
            page = _read_file(match.portrait_document)
            photo = _read_file(match.holding_document)
            try:
                result = faces.compare_images(
                    page,
                    photo,
                    read_document_number=read_document_number,
                    page_number=_page_number(match.portrait_document),
                )
            except faces.UnreadableImage as error:
                record_match(match.pk, token, None, error=str(error))
                return
            recorded = record_match(match.pk, token, result)
        except BaseException:
            _release(match.pk, token)  # retried, timed out or crashed: free it at once
            raise
    if recorded:
        # A case submitted before its faces were compared waited for this to auto-approve.
        from verification.approval import approve_automatically

        approve_automatically(match.verification_id)


def _read_file(document: Document) -> bytes:
    try:
        with document.file.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError) as error:
        raise TransientMatchError(f"storage: {type(error).__name__}") from error


def _page_number(document: Document) -> str | None:
    """The page's document number as the MRZ read already found it (check digit holding)."""
    ocr = OcrResult.objects.filter(document=document, state=OcrResult.State.DONE).first()
    if ocr is None or not ocr.check_digits.get("number"):
        return None
    return ocr.fields.get("number") or None


def _claim(match_id: int) -> tuple[FaceMatch, str] | None:
    with transaction.atomic():
        match = (
            FaceMatch.objects.select_for_update()
            .select_related("portrait_document", "holding_document")
            .filter(pk=match_id)
            .first()
        )
        if match is None or match.state in (State.DONE, State.FAILED):
            return None
        now = timezone.now()
        if match.state == State.RUNNING and match.lease_until and match.lease_until > now:
            raise MatchBusy((match.lease_until - now).total_seconds())
        documents = (match.portrait_document, match.holding_document)
        if any(d.file_deleted_at is not None or d.superseded_at is not None for d in documents):
            _fail(match, "a file was replaced or deleted before the faces were compared")
            return None
        if match.attempts >= MAX_ATTEMPTS:
            _fail(match, f"gave up after {match.attempts} attempts")
            return None
        match.state = State.RUNNING
        match.attempts += 1
        match.started_at = now
        match.lease_token = secrets.token_hex(16)
        match.lease_until = now + lease_length()
        match.save(update_fields=["state", "attempts", "started_at", "lease_token", "lease_until"])
    return match, match.lease_token


@contextlib.contextmanager
def _lease_kept(match_id: int, token: str, deadline: datetime.datetime | None):
    """Renews the lease every third of its length while the block runs, never past
    `deadline` (the task's hard time limit)."""
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
                    renewed = FaceMatch.objects.filter(
                        pk=match_id, lease_token=token, state=State.RUNNING
                    ).update(lease_until=until)
                except DatabaseError:
                    continue
                if not renewed or until == deadline:
                    return
        finally:
            connection.close()

    renewer = threading.Thread(target=renew, name=f"face-lease-{match_id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join(timeout=10)


def _release(match_id: int, token: str) -> None:
    try:
        FaceMatch.objects.filter(pk=match_id, lease_token=token, state=State.RUNNING).update(
            state=State.PENDING, lease_until=None, queued_at=timezone.now()
        )
    except DatabaseError:
        logger.warning("Face match %s not released; its lease runs out instead", match_id)


@transaction.atomic
def record_match(match_id: int, token: str, result, *, error: str = "") -> bool:
    """Stores a finished match if `token` still holds its lease (False if it did not), and
    keeps the faces' embeddings for duplicate detection."""
    match = FaceMatch.objects.select_for_update().filter(pk=match_id).first()
    if match is None or match.state != State.RUNNING or match.lease_token != token:
        return False
    match.finished_at = timezone.now()
    match.lease_until = None
    match.engine = f"{faces.MODEL_NAME}; {faces.model_version()}"[:120]
    if result is None:
        match.state = State.FAILED
        match.error = error[:200]
        match.save()
        return True
    match.state = State.DONE
    match.portrait_faces = result.portrait_faces
    match.holding_faces = result.holding_faces
    match.portrait_box = result.portrait.box.as_list() if result.portrait else None
    match.person_box = result.person.box.as_list() if result.person else None
    match.held_portrait_box = result.held_portrait.box.as_list() if result.held_portrait else None
    match.score = result.score
    match.threshold = result.threshold
    match.verdict = result.verdict
    match.document_in_hand = result.document_in_hand
    match.document_evidence = result.document_evidence[:40]
    match.picture_held_up = result.picture_held_up
    match.seconds = result.seconds
    match.save()
    duplicates.store(match, person=result.person, portrait=result.portrait)
    return True


@transaction.atomic
def mark_match_failed(match_id: int, reason: str) -> None:
    match = FaceMatch.objects.select_for_update().filter(pk=match_id).first()
    if match is not None and match.state not in (State.DONE, State.FAILED):
        _fail(match, reason)


def _fail(match: FaceMatch, reason: str) -> None:
    match.state = State.FAILED
    match.error = reason[:200]
    match.finished_at = timezone.now()
    match.lease_until = None
    match.save(update_fields=["state", "error", "finished_at", "lease_until"])
    logger.info("Face match %s failed: %s", match.pk, reason)


def sweep_unfinished_matches(now: datetime.datetime | None = None, *, send) -> list[int]:
    """Re-queues matches never queued, whose message was lost or whose lease ran out; one
    stuck past its attempts is marked failed. Returns the re-queued ids."""
    now = now or timezone.now()
    current = Q(
        portrait_document__superseded_at__isnull=True,
        holding_document__superseded_at__isnull=True,
        portrait_document__file_deleted_at__isnull=True,
        holding_document__file_deleted_at__isnull=True,
    )
    stuck = FaceMatch.objects.filter(current).filter(
        Q(state=State.PENDING, queued_at__isnull=True, created_at__lt=now - UNQUEUED_GRACE)
        | Q(state=State.PENDING, queued_at__lt=now - LOST_MESSAGE)
        | Q(state=State.RUNNING, lease_until__lt=now)
    )
    requeued = []
    for match_id, attempts in stuck.values_list("pk", "attempts"):
        if attempts >= MAX_ATTEMPTS:
            mark_match_failed(match_id, f"never finished after {attempts} attempts")
            continue
        queue_match(match_id, send=send)
        requeued.append(match_id)
    return requeued
