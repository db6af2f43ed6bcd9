"""Who may see and work review cases. Every review view calls one of these first."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import roles
from accounts.middleware import needs_two_factor
from verification.models import Status, Verification


def require_reviewer(user) -> None:
    """Raises PermissionDenied unless `user` reviews (or supervises) with two-step verification."""
    if not user.is_authenticated or not roles.is_reviewer(user):
        raise PermissionDenied(_("Only reviewers can open the review pages."))
    # The middleware redirects too; this holds even if a URL escapes its prefix list.
    if needs_two_factor(user):
        raise PermissionDenied(_("Turn on two-step verification to work on reviews."))


def require_supervisor(user) -> None:
    """Raises PermissionDenied unless `user` is a review supervisor with two-step verification."""
    require_reviewer(user)
    if not roles.is_supervisor(user):
        raise PermissionDenied(_("Only review supervisors can do this."))


def get_verification_for_reviewer(user, pk) -> Verification:
    """The application `pk` for a reviewer to work on.

    Raises PermissionDenied for non-reviewers and for the reviewer's own application, Http404
    for one that does not exist or was never submitted (drafts are the customer's own business).
    """
    require_reviewer(user)
    try:
        verification = Verification.objects.select_related("user", "assigned_to").get(pk=pk)
    except (Verification.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such application.")) from None
    if verification.status == Status.DRAFT:
        raise Http404(_("No such application."))
    if verification.user_id == user.pk:
        # Nobody verifies their own identity: a conflict of interest, whatever their role.
        raise PermissionDenied(_("You cannot review your own application."))
    return verification
