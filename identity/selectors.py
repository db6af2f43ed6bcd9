"""What the case page and the risk signals read about an application's faces (two queries)."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from verification.models import Document

from .models import FaceDuplicate, FaceMatch

PORTRAIT_KINDS = ("passport_page", "id_front")
HOLDING_KIND = "holding_photo"

# A match not finished this long after it was made has stalled (no worker, broker down, the
# sweep not running): the faces are not being compared. Normally one finishes in seconds, and
# its retries (3 attempts, each within the task's time limit) take well under this.
STALLED_AFTER = datetime.timedelta(minutes=30)

# Where an application's face match stands, as the reviewer is told it.
COMPARED = "compared"
BEING_COMPARED = "being_compared"
NOT_COMPARED = "not_compared"  # never started, failed, or stalled


@dataclass(frozen=True)
class SameFace:
    """Another application with the same face: which, whose, and why it matters."""

    verification: object
    score: float
    other_account: bool
    different_name: bool
    # The portrait on this application's document is the face found (not the person's).
    from_portrait: bool


@dataclass
class FaceEvidence:
    """The face match of the application's current portrait and holding photo, if any."""

    portrait_document: Document | None
    holding_document: Document | None
    match: FaceMatch | None
    same_faces: list[SameFace] = field(default_factory=list)

    @property
    def applies(self) -> bool:
        """Both images are there, so a face match is expected."""
        return self.portrait_document is not None and self.holding_document is not None

    @property
    def progress(self) -> str | None:
        """COMPARED, BEING_COMPARED or NOT_COMPARED; None when there is nothing to compare."""
        if not self.applies:
            return None
        match = self.match
        if match is None or match.state == FaceMatch.State.FAILED:
            return NOT_COMPARED
        if match.state == FaceMatch.State.DONE:
            return COMPARED
        if match.created_at < timezone.now() - STALLED_AFTER:
            return NOT_COMPARED
        return BEING_COMPARED

    @property
    def score_percent(self) -> float | None:
        if self.match is None or self.match.score is None:
            return None
        return round(self.match.score * 100, 1)

    @property
    def threshold_percent(self) -> float | None:
        if self.match is None or self.match.threshold is None:
            return None
        return round(self.match.threshold * 100, 1)


def face_evidence(verification, documents) -> FaceEvidence:
    """From the case's current documents (already read): the match of exactly those files."""
    by_kind = {d.kind: d for d in documents}
    portrait = next((by_kind[k] for k in PORTRAIT_KINDS if k in by_kind), None)
    holding = by_kind.get(HOLDING_KIND)
    evidence = FaceEvidence(portrait, holding, None)
    if not evidence.applies:
        return evidence
    evidence.match = FaceMatch.objects.filter(
        portrait_document=portrait, holding_document=holding
    ).first()
    if evidence.match is not None:
        evidence.same_faces = same_faces(verification, evidence.match)
    return evidence


def same_faces(verification, match: FaceMatch) -> list[SameFace]:
    """Other applications whose stored face matched one of this match's faces: under another
    account, or (for the document's portrait) under a different name."""
    rows = (
        FaceDuplicate.objects.filter(face_match=match)
        .select_related("other_verification__user")
        .order_by("-score", "other_verification_id")
    )
    found, seen = [], set()
    name = _name(verification)
    for row in rows:
        other = row.other_verification
        if other.pk in seen:
            continue
        other_account = other.user_id != verification.user_id
        different_name = bool(name and _name(other) and _name(other) != name)
        if other_account or different_name:
            seen.add(other.pk)
            found.append(
                SameFace(other, row.score, other_account, different_name, row.kind == "portrait")
            )
    return found


def _name(verification) -> str:
    return " ".join(f"{verification.given_names} {verification.surname}".upper().split())


def face_box(document: Document, which: str) -> list[int] | None:
    """The box of the face a reviewer sees cropped from `document`: "person" (holding photo)
    or "portrait" (identity document), from the latest finished match on this very file."""
    finished = FaceMatch.objects.filter(state=FaceMatch.State.DONE)
    if which == "person" and document.kind == HOLDING_KIND:
        match = finished.filter(holding_document=document).order_by("-pk").first()
        return match.person_box if match else None
    if which == "portrait" and document.kind in PORTRAIT_KINDS:
        match = finished.filter(portrait_document=document).order_by("-pk").first()
        return match.portrait_box if match else None
    return None
