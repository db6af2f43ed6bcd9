"""Face matching as a background job: the work behind identity.tasks, kept idempotent here.

The same shape as the MRZ read (verification/reading.py): ids only in the message, one
FaceMatch row per pair of files, a lease held while a worker computes it (renewed while its
process lives), a periodic sweep for matches never queued or whose worker died. A result is
recorded only on the row of the files it was computed on, so a re-upload never receives an
older file's result. This module never imports the tasks: callers pass the task's `send`.
"""

import datetime
import logging

from django.db import IntegrityError, transaction

from kyc_portal import jobs
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
MATCHES = jobs.Jobs(
    FaceMatch,
    name="Face match",
    lease=jobs.document_lease,
)
MatchBusy = jobs.JobBusy


class TransientMatchError(Exception):
    """A file could not be fetched, for a reason that may go away (retry)."""


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
    MATCHES.queue(match_id, send=send)


def run_match(match_id: int, *, before=None, time_limit=None) -> None:
    """Computes one face match and records it. Idempotent: a finished match is left alone.

    Raises MatchBusy while another delivery holds it, TransientMatchError when a file could
    not be fetched; an image the engine cannot read fails the match (a person looks instead).
    """
    claim = MATCHES.claim(
        FaceMatch.objects.select_related("portrait_document", "holding_document"),
        match_id,
        gone=_file_gone,
    )
    if claim is None:
        return
    match, token = claim
    deadline = match.started_at + datetime.timedelta(seconds=time_limit) if time_limit else None
    recorded = False
    with MATCHES.lease_kept(match.pk, token, deadline):
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
            MATCHES.release(match.pk, token)  # retried, timed out or crashed: free it at once
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


def _file_gone(match: FaceMatch) -> str | None:
    documents = (match.portrait_document, match.holding_document)
    if any(d.file_deleted_at is not None or d.superseded_at is not None for d in documents):
        return "a file was replaced or deleted before the faces were compared"
    return None


@transaction.atomic
def record_match(match_id: int, token: str, result, *, error: str = "") -> bool:
    """Stores a finished match if `token` still holds its lease (False if it did not), and
    keeps the faces' embeddings for duplicate detection."""
    match = FaceMatch.objects.select_for_update().filter(pk=match_id).first()
    if match is None or not MATCHES.holds(match, token):
        return False
    MATCHES.finish(match)
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


def mark_match_failed(match_id: int, reason: str) -> None:
    MATCHES.mark_failed(match_id, reason)


def sweep_unfinished_matches(now: datetime.datetime | None = None, *, send) -> list[int]:
    """Re-queues matches never queued, whose message was lost or whose lease ran out; one
    stuck past its attempts is marked failed. Returns the re-queued ids."""
    current = FaceMatch.objects.filter(
        portrait_document__superseded_at__isnull=True,
        holding_document__superseded_at__isnull=True,
        portrait_document__file_deleted_at__isnull=True,
        holding_document__file_deleted_at__isnull=True,
    )
    return MATCHES.sweep(current, send=send, now=now)
