"""One face behind several accounts: stored embeddings and the lookup among them.

Each finished face match keeps its faces' embeddings (FaceEmbedding, encrypted). A lookup
compares a new face with every stored one at once, as one matrix product over an in-memory
matrix this process keeps: loaded on first use, brought up to date by the rows added since
(an indexed primary-key range query), never a loop over rows. Candidates are then checked
against the database (still stored, application passed or pending), so a deleted or erased
face drops out at once even while the matrix still holds it.
"""

import base64
import logging
import threading
import time

import numpy as np
from django.db import DatabaseError, transaction
from django.db.models import Max

from verification.models import Status

from . import faces
from .models import FaceDuplicate, FaceEmbedding, FaceMatch

# A stored face this close (score, as for the match itself) is the same person.
DUPLICATE_THRESHOLD = faces.MATCH_THRESHOLD
# Applications whose faces count: passed, or still on their way to a decision.
COUNTED_STATUSES = (
    Status.DRAFT,
    Status.PROVIDED,
    Status.UNDER_REVIEW,
    Status.SUPPLEMENT_REQUESTED,
    Status.PASSED,
    Status.LAPSED,
)
logger = logging.getLogger(__name__)
MAX_CANDIDATES = 20
BATCH = 2000


def encode(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode()


def decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


class FaceIndex:
    """Every stored embedding as rows of one matrix, with their ids; grows as rows are added."""

    def __init__(self):
        self._lock = threading.Lock()
        self._empty()

    def _empty(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.verifications = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, 128), dtype=np.float32)
        self.norms = np.zeros(0, dtype=np.float32)  # squared length of each row

    def refresh(self) -> None:
        """Adds the rows stored since the last refresh (primary keys only grow)."""
        with self._lock:
            last = int(self.ids[-1]) if len(self.ids) else 0
            newest = FaceEmbedding.objects.aggregate(newest=Max("pk"))["newest"] or 0
            if newest < last:
                # Rows were rolled back or the table emptied: ids may come again, start afresh.
                self._empty()
                last = 0
            rows = (
                FaceEmbedding.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "verification_id", "vector")
            )
            ids, verifications, vectors = [], [], []
            for pk, verification_id, vector in rows.iterator(chunk_size=BATCH):
                ids.append(pk)
                verifications.append(verification_id)
                vectors.append(decode(vector))
            if ids:
                self.ids = np.concatenate([self.ids, np.asarray(ids, dtype=np.int64)])
                self.verifications = np.concatenate(
                    [self.verifications, np.asarray(verifications, dtype=np.int64)]
                )
                added = np.asarray(vectors, dtype=np.float32)
                self.matrix = np.vstack([self.matrix, added])
                self.norms = np.concatenate([self.norms, np.einsum("ij,ij->i", added, added)])

    def nearest(self, vector: np.ndarray, limit: int = MAX_CANDIDATES) -> list[tuple[int, float]]:
        """(embedding id, distance) of the closest stored faces within the duplicate threshold."""
        if not len(self.ids):
            return []
        vector = np.asarray(vector, dtype=np.float32)
        # |a - b|² = |a|² + |b|² - 2 a·b: one matrix-vector product, no 100,000-row temporary.
        squared = self.norms + float(vector @ vector) - 2.0 * (self.matrix @ vector)
        distances = np.sqrt(np.maximum(squared, 0.0))
        limit_distance = (1 - DUPLICATE_THRESHOLD) * 1.2  # the score's inverse
        close = np.flatnonzero(distances <= limit_distance)
        close = close[np.argsort(distances[close])][:limit]
        return [(int(self.ids[i]), float(distances[i])) for i in close]


_index = FaceIndex()


def index() -> FaceIndex:
    return _index


def warm_up() -> None:
    """Loads every stored face into this process's index now (a worker process starting), so
    that its first lookup does not pay for decrypting them all (seconds at 100,000 faces)."""
    started = time.perf_counter()
    try:
        index().refresh()
    except DatabaseError:
        logger.warning("Face index not loaded at start: the first lookup loads it")
        return
    logger.info(
        "Face index loaded: %s faces in %.1f s", len(index().ids), time.perf_counter() - started
    )


def store(match: FaceMatch, *, person, portrait) -> None:
    """Keeps the match's faces and records other applications with the same face."""
    faces_by_kind = {FaceEmbedding.Kind.PERSON: person, FaceEmbedding.Kind.PORTRAIT: portrait}
    for kind, face in faces_by_kind.items():
        if face is None:
            continue
        find_duplicates(match, kind, face.embedding)
        FaceEmbedding.objects.get_or_create(
            face_match=match,
            kind=kind,
            defaults={"verification_id": match.verification_id, "vector": encode(face.embedding)},
        )


def find_duplicates(match: FaceMatch, kind: str, vector: np.ndarray) -> list[FaceDuplicate]:
    """Records (and returns) other applications whose stored face is this one's."""
    lookup = index()
    lookup.refresh()
    candidates = dict(lookup.nearest(vector))
    if not candidates:
        return []
    stored = (
        FaceEmbedding.objects.filter(pk__in=candidates, verification__status__in=COUNTED_STATUSES)
        .exclude(verification_id=match.verification_id)
        .values_list("pk", "verification_id", "kind")
    )
    found = []
    with transaction.atomic():
        for pk, verification_id, other_kind in stored:
            duplicate, _ = FaceDuplicate.objects.get_or_create(
                face_match=match,
                kind=kind,
                other_verification_id=verification_id,
                other_kind=other_kind,
                defaults={"score": faces.distance_to_score(candidates[pk])},
            )
            found.append(duplicate)
    return found


def delete_for_documents(document_ids) -> int:
    """Deletes the embeddings computed from these documents (retention, erasure)."""
    from django.db.models import Q

    deleted, _ = FaceEmbedding.objects.filter(
        Q(face_match__portrait_document_id__in=document_ids)
        | Q(face_match__holding_document_id__in=document_ids)
    ).delete()
    return deleted


def on_status_change(change) -> None:
    """Status handler: forget the faces of an application that is neither passed nor pending."""
    if change.new not in COUNTED_STATUSES:
        FaceEmbedding.objects.filter(verification_id=change.verification_id).delete()
