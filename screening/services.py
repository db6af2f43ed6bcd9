"""Screening applications against the lists: the work behind screening.tasks, kept idempotent.

A submission opens a Screening (screening.handlers); a worker runs it (run_screening). A hit
at or above the threshold is recorded with its list version, score and explanation and stays
open until a reviewer resolves it (screening.resolution). This module never imports the tasks.
"""

import datetime
import logging

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from verification.models import AccountType, Document, OcrResult, Sex, Verification
from verification.selectors import current_documents

from . import matching, search
from .models import Screening, ScreeningHit
from .transliteration import has_han

logger = logging.getLogger(__name__)
State = Screening.State

LEASE = datetime.timedelta(seconds=120)  # a screening takes well under a second
UNQUEUED_GRACE = datetime.timedelta(seconds=15)
LOST_MESSAGE = datetime.timedelta(minutes=2)
MAX_ATTEMPTS = 3


def subject_of(verification: Verification) -> matching.Subject:
    """Who the application says the applicant is: the name as typed and as read from the
    MRZ, the typed birth date (the MRZ's when none was typed), nationality and sex."""
    names = []
    typed = " ".join(p for p in (verification.given_names, verification.surname) if p)
    if has_han(typed):
        # Han names are written surname first, without a space: 王 + 建国 is 王建国.
        typed = f"{verification.surname}{verification.given_names}".replace(" ", "")
    if typed.strip():
        names.append(typed)
    read = _mrz_fields(verification)
    read_name = " ".join(str(read.get(k) or "") for k in ("names", "surname")).strip()
    if read_name:
        names.append(read_name.replace("<", " "))
    birth_date = verification.date_of_birth or _mrz_date(read.get("date_of_birth"))
    gender = {Sex.MALE: "male", Sex.FEMALE: "female"}.get(verification.sex, "")
    return matching.Subject(
        names=tuple(dict.fromkeys(names)),
        birth_date=birth_date,
        nationality=str(verification.nationality or "").lower(),
        gender=gender,
    )


def subjects_of(verification: Verification) -> list[matching.Subject]:
    """Everyone an application screens: the applicant, and for an organisation's account the
    organisation too (its legal name, country of incorporation and registration number)."""
    subjects = [subject_of(verification)]
    if verification.account_type == AccountType.ORGANIZATION and verification.organization_name:
        subjects.append(
            matching.Subject(
                names=(verification.organization_name,),
                nationality=str(verification.organization_country or "").lower(),
                schema=matching.ORGANISATION,
                registration_number=verification.organization_registration_number,
            )
        )
    return subjects


def _mrz_fields(verification) -> dict:
    """What OCR read from the identity document, confirmed by check digits or not: a name
    read there is screened even when the reading needs a person to confirm it."""
    documents = current_documents(verification)
    for kind in Document.READ_KINDS:
        ocr = getattr(documents.get(kind), "ocr", None) if kind in documents else None
        if ocr is not None and ocr.state == OcrResult.State.DONE and ocr.fields_json:
            return ocr.fields
    return {}


def _mrz_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# --- on submission ------------------------------------------------------------------------------


def open_submission_screening(verification: Verification) -> Screening:
    """The screening of this submission (one per evidence version; a repeat returns it)."""
    screening, _created = Screening.objects.get_or_create(
        verification=verification,
        evidence_version=verification.evidence_version,
        reason=Screening.Reason.SUBMISSION,
    )
    return screening


def queue_screening(screening_id: int, *, send) -> None:
    """Queues the screening task through `send` (its apply_async); if the broker is down the
    periodic sweep queues it later."""
    try:
        send((screening_id,), retry=False)
    except (BrokerUnavailable, ConnectionError, OSError):
        logger.warning("Screening %s not queued: broker unavailable", screening_id)
        return
    Screening.objects.filter(pk=screening_id, state=State.PENDING).update(queued_at=timezone.now())


def run_screening(screening_id: int, *, before_search=None) -> Screening | None:
    """Screens one submission against the active lists and records its hits.

    Idempotent: a finished screening is left alone, one another delivery is running is
    skipped (the sweep takes it over if that worker died). Returns the finished screening, or
    None when there was nothing to do. A clean screening lets auto-approval pass the case.
    """
    screening = _claim(screening_id)
    if screening is None:
        return None
    try:
        if before_search is not None:
            before_search()
        verification = Verification.objects.get(pk=screening.verification_id)
        versions = search.active_versions()
        matches = search.screen_all(subjects_of(verification), versions)
        finished = _finish(screening.pk, versions, matches)
    except BaseException:
        _release(screening.pk)
        raise
    if finished is not None and finished.hit_count == 0:
        from verification.approval import approve_automatically

        approve_automatically(finished.verification_id)
    return finished


def _claim(screening_id: int) -> Screening | None:
    with transaction.atomic():
        screening = Screening.objects.select_for_update().filter(pk=screening_id).first()
        if screening is None or screening.state in (State.DONE, State.FAILED):
            return None
        now = timezone.now()
        if (
            screening.state == State.RUNNING
            and screening.lease_until
            and screening.lease_until > now
        ):
            return None  # another delivery is on it
        if screening.attempts >= MAX_ATTEMPTS:
            _fail(screening, f"gave up after {screening.attempts} attempts")
            return None
        screening.state = State.RUNNING
        screening.attempts += 1
        screening.started_at = now
        screening.lease_until = now + LEASE
        screening.save(update_fields=["state", "attempts", "started_at", "lease_until"])
    return screening


def _release(screening_id: int) -> None:
    try:
        Screening.objects.filter(pk=screening_id, state=State.RUNNING).update(
            state=State.PENDING, lease_until=None, queued_at=timezone.now()
        )
    except DatabaseError:
        logger.warning("Screening %s not released; its lease runs out instead", screening_id)


@transaction.atomic
def _finish(screening_id: int, versions: list[int], matches) -> Screening | None:
    screening = Screening.objects.select_for_update().get(pk=screening_id)
    if screening.state != State.RUNNING:
        return None  # finished by another delivery meanwhile
    verification = Verification.objects.select_for_update().get(pk=screening.verification_id)
    new_hits = record_hits(verification, screening, matches)
    screening.state = State.DONE
    screening.list_versions = versions
    screening.hit_count = len(new_hits)
    screening.finished_at = timezone.now()
    screening.lease_until = None
    screening.save()
    return screening


def record_hits(verification, screening, matches) -> list[ScreeningHit]:
    """Records the matches not yet known for this application, skipping an entity whose
    false positive was resolved for this customer while its list content stays the same."""
    new_hits = []
    for match in matches:
        row = match.person.reference
        known = ScreeningHit.objects.filter(entity_id=row.entity_id, content_hash=row.content_hash)
        if known.filter(verification=verification).exists():
            continue
        if known.filter(
            verification__user_id=verification.user_id,
            state=ScreeningHit.State.FALSE_POSITIVE,
        ).exists():
            continue
        new_hits.append(
            ScreeningHit.objects.create(
                verification=verification,
                screening=screening,
                list_version_id=row.version_id,
                entity_id=row.entity_id,
                caption=row.caption,
                topics=list(match.person.topics),
                entity_data=row.data,
                content_hash=row.content_hash,
                score=match.score,
                explanation=match.explanation,
            )
        )
    return new_hits


def mark_screening_failed(screening_id: int, reason: str) -> None:
    """Ends a screening that timed out or kept failing: reviewers see it must be done by hand."""
    with transaction.atomic():
        screening = Screening.objects.select_for_update().filter(pk=screening_id).first()
        if screening is not None and screening.state not in (State.DONE, State.FAILED):
            _fail(screening, reason)


def _fail(screening: Screening, reason: str) -> None:
    screening.state = State.FAILED
    screening.error = reason[:200]
    screening.finished_at = timezone.now()
    screening.lease_until = None
    screening.save(update_fields=["state", "error", "finished_at", "lease_until"])
    logger.warning("Screening %s failed: %s", screening.pk, reason)


def sweep_unfinished_screenings(now=None, *, send) -> list[int]:
    """Re-queues screenings never queued (broker down), whose message was lost or whose
    worker died (lease run out); returns their ids."""
    now = now or timezone.now()
    stuck = Screening.objects.filter(reason=Screening.Reason.SUBMISSION).filter(
        Q(state=State.PENDING, queued_at__isnull=True, created_at__lt=now - UNQUEUED_GRACE)
        | Q(state=State.PENDING, queued_at__lt=now - LOST_MESSAGE)
        | Q(state=State.RUNNING, lease_until__lt=now)
    )
    requeued = []
    for screening_id, attempts in stuck.values_list("pk", "attempts"):
        if attempts >= MAX_ATTEMPTS:
            mark_screening_failed(screening_id, f"never finished after {attempts} attempts")
            continue
        queue_screening(screening_id, send=send)
        requeued.append(screening_id)
    return requeued
