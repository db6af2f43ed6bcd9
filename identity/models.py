from django.db import models
from django.utils.translation import gettext_lazy as _

from kyc_portal.fields import EncryptedTextField
from kyc_portal.jobs import LeasedJob
from verification.models import Document, Verification


class FaceMatch(LeasedJob):
    """The holding photo's person against the identity document's portrait, bound to the two
    exact files it was computed on. A re-upload makes a new one; the old stays as history.

    Like OCR, a face match is not a status: it is recorded beside the application and a
    doubtful result becomes a risk signal for the reviewer (review/signals.py).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be compared")
        RUNNING = "running", _("Being compared")
        DONE = "done", _("Compared")
        FAILED = "failed", _("Could not be compared")

    class Verdict(models.TextChoices):
        MATCH = "match", _("Same person")
        UNSURE = "unsure", _("Unsure: compare by eye")
        NO_MATCH = "no_match", _("Not the same person")
        NO_FACE = "no_face", _("No face found in the holding photo")

    class DocumentInHand(models.TextChoices):
        SAME = "same", _("Same document as the uploaded page")
        DIFFERENT = "different", _("A different document")
        NOT_FOUND = "not_found", _("Document not legible in the photo")

    verification = models.ForeignKey(
        Verification, on_delete=models.CASCADE, related_name="face_matches"
    )
    portrait_document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    holding_document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    engine = models.CharField(max_length=120, blank=True)

    portrait_faces = models.PositiveSmallIntegerField(null=True, blank=True)
    holding_faces = models.PositiveSmallIntegerField(null=True, blank=True)
    # Boxes in the stored image's pixels [left, top, right, bottom]: where the crops come from.
    portrait_box = models.JSONField(null=True, blank=True)
    person_box = models.JSONField(null=True, blank=True)
    held_portrait_box = models.JSONField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)
    document_in_hand = models.CharField(max_length=10, choices=DocumentInHand.choices, blank=True)
    document_evidence = models.CharField(max_length=40, blank=True)
    picture_held_up = models.BooleanField(default=False)
    seconds = models.FloatField(null=True, blank=True)
    # error, attempts, queue time and the lease: kyc_portal.jobs.LeasedJob
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["portrait_document", "holding_document"], name="one_face_match_per_pair"
            )
        ]

    def __str__(self):
        return f"Face match #{self.pk} of verification #{self.verification_id}: {self.state}"

    @property
    def is_risky(self) -> bool:
        """A result a person must look at: not a clear match, a picture, another document."""
        return (
            self.state != self.State.DONE
            or self.verdict != self.Verdict.MATCH
            or self.picture_held_up
            or self.document_in_hand == self.DocumentInHand.DIFFERENT
        )


class FaceEmbedding(models.Model):
    """A face's embedding kept for duplicate detection, encrypted at rest like other personal
    data (rotated by rotate_encryption_keys with every encrypted column).

    Looked up through an in-memory matrix each worker keeps (identity/duplicates.py), never by
    decrypting rows one by one per lookup. Deleted with the document images it was computed
    from (retention, erasure).
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Face in the holding photo")
        PORTRAIT = "portrait", _("Portrait on the document")

    face_match = models.ForeignKey(FaceMatch, on_delete=models.CASCADE, related_name="embeddings")
    verification = models.ForeignKey(
        Verification, on_delete=models.CASCADE, related_name="face_embeddings"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # base64 of 128 float32 numbers, inside a Fernet token.
    vector = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["face_match", "kind"], name="one_embedding_per_kind")
        ]

    def __str__(self):
        return f"{self.kind} face of verification #{self.verification_id}"


class FaceDuplicate(models.Model):
    """Another application whose stored face is close to one of this match's faces."""

    face_match = models.ForeignKey(FaceMatch, on_delete=models.CASCADE, related_name="duplicates")
    kind = models.CharField(max_length=10, choices=FaceEmbedding.Kind.choices)
    other_verification = models.ForeignKey(Verification, on_delete=models.CASCADE, related_name="+")
    other_kind = models.CharField(max_length=10, choices=FaceEmbedding.Kind.choices)
    score = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["face_match", "kind", "other_verification", "other_kind"],
                name="one_duplicate_row_per_pair",
            )
        ]

    def __str__(self):
        return f"match #{self.face_match_id} ~ verification #{self.other_verification_id}"
