"""Who may see and change which application and document. Every view calls one of these first.

Anything a person may not see answers 404, never 403, so ids of other people's documents cannot
be probed.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.middleware import needs_two_factor

from .models import Document, Status, Verification


def is_wizard_user(user) -> bool:
    """Customers use the wizard; staff of every role look at applications, never file them."""
    return user.is_authenticated and roles.is_customer(user)


def require_wizard_user(user) -> None:
    """Raises PermissionDenied for staff accounts (reviewers, supervisors, inquiry logins)."""
    if not is_wizard_user(user):
        raise PermissionDenied(_("Staff accounts cannot file a real-name authentication."))


def may_view_document(user, document: Document) -> bool:
    """The owner, or a reviewer/supervisor once the application has been submitted."""
    if not user.is_authenticated or document.file_deleted_at is not None or not document.file:
        return False
    if document.verification.user_id == user.pk:
        return True
    # Drafts are the customer's own business until they submit; staff need two-step
    # verification on before they see anyone's documents.
    return (
        roles.is_reviewer(user)
        and document.verification.status != Status.DRAFT
        and not needs_two_factor(user)
    )


def get_document_for_viewer(user, pk) -> Document:
    """The document `pk` if `user` may see its image; raises Http404 otherwise."""
    try:
        document = Document.objects.select_related("verification").get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_view_document(user, document):
        raise Http404
    return document


def is_staff_view(user, document: Document) -> bool:
    """A view of someone else's document, which the audit trail must record."""
    return document.verification.user_id != user.pk


def get_own_verification(user, pk) -> Verification:
    """The customer's own application `pk`; raises Http404 for anyone else's."""
    try:
        return Verification.objects.get(pk=pk, user=user)
    except (Verification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_open_verification(user) -> Verification | None:
    """The customer's one open application (draft, submitted or under review), if any."""
    return Verification.objects.open().filter(user=user).first()
