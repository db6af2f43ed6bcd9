"""Read-only questions about applications, shared by pages of every kind of user."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Document, Status, Verification

# What a customer reads for each status: the FAQ's "provided, under review and passed".
CUSTOMER_LABELS = {
    None: _("Not set"),
    Status.DRAFT: _("Not submitted"),
    Status.PROVIDED: _("Provided"),
    Status.UNDER_REVIEW: _("Under review"),
    Status.SUPPLEMENT_REQUESTED: _("Under review"),
    Status.PASSED: _("Passed"),
    Status.REJECTED: _("Rejected"),
    Status.LAPSED: _("Re-verification required"),
    Status.WITHDRAWN: _("Withdrawn"),
}


@dataclass(frozen=True)
class Progress:
    verification: Verification | None

    @property
    def status(self):
        return self.verification.status if self.verification else None

    @property
    def label(self):
        return CUSTOMER_LABELS[self.status]

    @property
    def submitted(self) -> bool:
        """Submitted at least once: the User Center offers "View" rather than "Set"."""
        return self.status not in (None, Status.DRAFT)

    @property
    def action_required(self) -> bool:
        """Staff asked the customer to supplement or re-upload something."""
        return self.status == Status.SUPPLEMENT_REQUESTED


def progress_for(user) -> Progress:
    """The customer's latest application, as their User Center shows it."""
    return Progress(Verification.objects.filter(user=user).order_by("-created_at").first())


def current_documents(verification: Verification) -> dict[str, Document]:
    """The latest upload of each kind (superseded ones are kept for the record, not shown)."""
    documents = (
        verification.documents.filter(superseded_at__isnull=True)
        .select_related("ocr")
        .order_by("kind", "-created_at")
    )
    current: dict[str, Document] = {}
    for document in documents:
        current.setdefault(document.kind, document)
    return current
