"""Screening applications against the lists: the work behind screening.tasks, kept idempotent.

A submission opens a Screening (screening.handlers); a worker runs it (run_screening). A hit
at or above the threshold is recorded with its list version, score and explanation and stays
open until a reviewer resolves it (screening.resolution). This module never imports the tasks.
"""

import datetime
import logging

from django.db import transaction

from kyc_portal import jobs
from verification.models import AccountType, Document, OcrResult, Sex, Verification
from verification.selectors import current_documents

from . import matching, search
from .models import Screening, ScreeningHit
from .transliteration import has_han

logger = logging.getLogger(__name__)
State = Screening.State

SCREENINGS = jobs.Jobs(
    Screening,
    name="Screening",
    lease=lambda: datetime.timedelta(seconds=120),  # a screening takes well under a second
)


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
    SCREENINGS.queue(screening_id, send=send)


def run_screening(screening_id: int, *, before_search=None) -> Screening | None:
    """Screens one submission against the active lists and records its hits.

    Idempotent: a finished screening is left alone; raises jobs.JobBusy while another
    delivery runs it. Returns the finished screening, or None when there was nothing to do.
    A clean screening lets auto-approval pass the case.
    """
    claim = SCREENINGS.claim(Screening.objects.all(), screening_id)
    if claim is None:
        return None
    screening, token = claim
    try:
        if before_search is not None:
            before_search()
        verification = Verification.objects.get(pk=screening.verification_id)
        versions = search.active_versions()
        matches = search.screen_all(subjects_of(verification), versions)
        finished = _finish(screening.pk, token, versions, matches)
    except BaseException:
        SCREENINGS.release(screening.pk, token)
        raise
    if finished is not None and finished.hit_count == 0:
        from verification.approval import approve_automatically

        approve_automatically(finished.verification_id)
    return finished


@transaction.atomic
def _finish(screening_id: int, token: str, versions: list[int], matches) -> Screening | None:
    screening = Screening.objects.select_for_update().get(pk=screening_id)
    if not SCREENINGS.holds(screening, token):
        return None  # finished by another delivery meanwhile
    verification = Verification.objects.select_for_update().get(pk=screening.verification_id)
    new_hits = record_hits(verification, screening, matches)
    screening.state = State.DONE
    screening.list_versions = versions
    screening.hit_count = len(new_hits)
    SCREENINGS.finish(screening)
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
    SCREENINGS.mark_failed(screening_id, reason)


def sweep_unfinished_screenings(now=None, *, send) -> list[int]:
    """Re-queues screenings never queued (broker down), whose message was lost or whose
    worker died (lease run out); returns their ids."""
    submissions = Screening.objects.filter(reason=Screening.Reason.SUBMISSION)
    return SCREENINGS.sweep(submissions, send=send, now=now)
