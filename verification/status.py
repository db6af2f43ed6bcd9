"""The one place where an application's status changes, and where other apps hear of it.

A change announces itself to the handlers registered with `when_status_changes` (each app
registers its own in AppConfig.ready(), so this module knows none of them). Handlers run
inside change_status's transaction, after the StatusChange row is written: what they write
(an inbox message and its outbox email, say) commits or rolls back with the change itself, a
handler's error undoes the change, and work for after the commit is queued by the handler
with transaction.on_commit. A repeated change is a no-op and announces nothing.
"""

from collections.abc import Callable

from django.db import transaction

from .models import Status, StatusChange, Verification

ALLOWED = {
    Status.DRAFT: {Status.PROVIDED},
    # AUTO_APPROVE may pass an OCR-matched case straight from Provided.
    Status.PROVIDED: {Status.UNDER_REVIEW, Status.PASSED, Status.WITHDRAWN},
    Status.UNDER_REVIEW: {
        Status.PASSED,
        Status.REJECTED,
        Status.SUPPLEMENT_REQUESTED,
        Status.WITHDRAWN,
    },
    # A released or expired claim is not a move: the case stays Under review, unassigned, back
    # in the queue, so customers never see "Provided" again after "Under review".
    # A resubmission stays "Under review" to the customer: the case goes back to the queue
    # unassigned (never "Provided" a second time).
    Status.SUPPLEMENT_REQUESTED: {Status.UNDER_REVIEW, Status.REJECTED, Status.WITHDRAWN},
    # A passed customer found on a sanctions list by monitoring: only through a confirmed true
    # match (four eyes, screening.resolution), which ends in a final rejection.
    Status.PASSED: {Status.LAPSED, Status.REJECTED},
    # Only a final rejection decided before the account was erased and confirmed by a
    # supervisor afterwards (four eyes): the record then says what was decided.
    Status.WITHDRAWN: {Status.REJECTED},
}


class TransitionNotAllowed(Exception):
    """The requested status change is not in ALLOWED (for example, deciding a decided case)."""


StatusChangeHandler = Callable[[StatusChange], None]
_handlers: list[StatusChangeHandler] = []


def when_status_changes(handler: StatusChangeHandler) -> StatusChangeHandler:
    """Registers `handler` to be called with every new StatusChange, inside its transaction
    (in the order registered; registering one twice keeps one)."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


@transaction.atomic
def change_status(verification_id, new, *, actor=None, reason="", **fields) -> Verification:
    """Moves an application to `new`, writing a StatusChange row; a repeat is a no-op.

    `fields` are other attributes saved in the same locked write (submitted_at, decided_at...).
    Raises TransitionNotAllowed for a move not in ALLOWED.
    """
    verification = Verification.objects.select_for_update().get(pk=verification_id)
    if verification.status == new:
        return verification  # a repeated request or a task retry
    if new not in ALLOWED.get(verification.status, ()):
        raise TransitionNotAllowed(f"{verification.status} -> {new}")
    change = StatusChange.objects.create(
        verification=verification, old=verification.status, new=new, actor=actor, reason=reason
    )
    verification.status = new
    for name, value in fields.items():
        setattr(verification, name, value)
    verification.save(update_fields=["status", "updated_at", *fields])
    for handler in _handlers:
        handler(change)
    return verification
