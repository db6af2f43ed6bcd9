"""Starting a new application from an earlier one: a retry after a rejection, or
re-verification after a pass lapsed or when the customer's verified name or nationality changes."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .models import Status, Verification
from .status import change_status

# What a new application copies from the last one. Documents are not copied: the images are
# uploaded again (a rejection is often about them, and retention may delete old ones).
PREFILLED_FIELDS = (
    "account_type",
    "nationality",
    "document_type",
    "organization_name",
    "organization_registration_number",
    "organization_country",
    "surname",
    "given_names",
    "sex",
    "date_of_birth",
    "document_number",
    "document_number_hash",
    "expiry_date",
    "address",
)


class CannotStartAgain(Exception):
    """The customer's last application cannot be followed by a new one (message says why)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _latest_locked(user) -> Verification | None:
    # Locks the latest application so two clicks take turns.
    mine = Verification.objects.select_for_update().filter(user=user)
    return mine.order_by("-created_at", "-pk").first()


def _is_follow_up_draft(latest: Verification | None) -> bool:
    """The latest application is a draft that follows an earlier one (a second click)."""
    return (
        latest is not None
        and latest.status == Status.DRAFT
        and Verification.objects.filter(user_id=latest.user_id).count() > 1
    )


def draft_from(previous: Verification) -> Verification:
    """A new draft with the previous application's details; the existing open one if a
    concurrent request made it first (the database allows one open application per customer)."""
    try:
        with transaction.atomic():
            return Verification.objects.create(
                user=previous.user,
                **{name: getattr(previous, name) for name in PREFILLED_FIELDS},
            )
    except IntegrityError:
        return Verification.objects.open().get(user=previous.user)


@transaction.atomic
def start_retry(user) -> Verification:
    """A new draft pre-filled from the customer's last application, which was rejected with
    "may retry"; returns the draft already started if there is one.

    Raises CannotStartAgain otherwise (final rejection, or no rejected application).
    """
    latest = _latest_locked(user)
    if _is_follow_up_draft(latest):
        return latest  # a second click, or the retry was started already
    if latest is None or latest.status != Status.REJECTED:
        raise CannotStartAgain(_("There is no rejected application to try again."))
    if not latest.may_retry:
        raise CannotStartAgain(
            _(
                "This decision is final, so a new application cannot be started. If you "
                "have questions, please contact customer support."
            )
        )
    return draft_from(latest)


@transaction.atomic
def start_reverification(user) -> Verification:
    """A new draft pre-filled from the customer's last pass. A pass still in force is marked
    "Re-verification required" first: changing a verified name or nationality needs a new
    verification. Raises CannotStartAgain if there is no pass to start from."""
    from notifications.reverification import DETAILS_CHANGED, LAPSE_REASONS

    latest = _latest_locked(user)
    if _is_follow_up_draft(latest):
        return latest
    if latest is None or latest.status not in (Status.PASSED, Status.LAPSED):
        raise CannotStartAgain(_("Only a passed verification can be renewed."))
    if latest.status == Status.PASSED:
        change_status(latest.pk, Status.LAPSED, actor=user, reason=LAPSE_REASONS[DETAILS_CHANGED])
    return draft_from(latest)
