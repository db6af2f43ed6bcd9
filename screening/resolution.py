"""Reviewers resolving screening hits; a true match needs a second person (four eyes).

A false positive needs a reason and is remembered for this customer, entity and list
content. A true match waits for a supervisor who did not resolve it; confirmed, it ends the
application in a final rejection, and the customer reads only that it could not be accepted.
Every step is in the audit trail.
"""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import roles
from audit.models import AuditEvent
from audit.services import record
from review.customer_messages import customer_language
from review.models import FinalRejectionConfirmation, ReviewDecision
from verification.models import Status, Verification
from verification.status import change_status

from .models import ScreeningHit

HitState = ScreeningHit.State
FALSE_POSITIVE = "false_positive"
TRUE_MATCH = "true_match"


class ResolutionRefused(Exception):
    """A resolution that cannot be made; the message is safe to show to the reviewer."""


def customer_text() -> str:
    """All the customer is told after a confirmed match (in the active language)."""
    return _("Your application could not be accepted.")


def _locked_hit(hit_id) -> tuple[ScreeningHit, Verification]:
    hit = ScreeningHit.objects.select_for_update().get(pk=hit_id)
    verification = Verification.objects.select_for_update().get(pk=hit.verification_id)
    return hit, verification


def _require_reviewer(user, verification) -> None:
    if not roles.is_reviewer(user):
        raise ResolutionRefused(_("Only reviewers can resolve screening hits."))
    if verification.user_id == user.pk:
        raise ResolutionRefused(_("You cannot review your own application."))


@transaction.atomic
def resolve_hit(hit_id, resolution: str, *, reviewer, reason: str) -> ScreeningHit:
    """Marks an open hit a false positive or a true match (which then waits for a
    supervisor). Both need a reason. Raises ResolutionRefused; nothing is saved then."""
    hit, verification = _locked_hit(hit_id)
    _require_reviewer(reviewer, verification)
    if hit.state != HitState.OPEN:
        raise ResolutionRefused(_("This screening hit has already been resolved."))
    reason = (reason or "").strip()
    if not reason:
        raise ResolutionRefused(_("Give a reason for your resolution of the screening hit."))
    if resolution == FALSE_POSITIVE:
        hit.state = HitState.FALSE_POSITIVE
    elif resolution == TRUE_MATCH:
        hit.state = HitState.AWAITING_CONFIRMATION
    else:
        raise ResolutionRefused(_("Choose false positive or true match."))
    hit.resolution_reason = reason
    hit.resolved_by = reviewer
    hit.resolved_at = timezone.now()
    hit.save(update_fields=["state", "resolution_reason", "resolved_by", "resolved_at"])
    record(
        reviewer,
        AuditEvent.Action.SCREENING_HIT_RESOLVED,
        verification=verification,
        hit=hit.pk,
        entity=hit.entity_id,
        list_version=hit.list_version_id,
        resolution=resolution,
    )
    return hit


@transaction.atomic
def confirm_match(hit_id, *, supervisor, confirmed: bool, note: str = "") -> ScreeningHit:
    """A second person confirms a true match (final rejection) or declines it (the hit is
    open again). Raises ResolutionRefused for the person who resolved it, a non-supervisor,
    or a hit not waiting for confirmation."""
    hit, verification = _locked_hit(hit_id)
    if not roles.is_supervisor(supervisor):
        raise ResolutionRefused(_("Only review supervisors can confirm a true match."))
    _require_reviewer(supervisor, verification)
    if hit.state != HitState.AWAITING_CONFIRMATION:
        raise ResolutionRefused(_("This screening hit is not waiting for confirmation."))
    if hit.resolved_by_id == supervisor.pk:
        raise ResolutionRefused(_("A true match needs a second person: ask another supervisor."))
    now = timezone.now()
    note = (note or "").strip()
    if confirmed:
        hit.state = HitState.CONFIRMED_MATCH
        hit.confirmed_by, hit.confirmed_at, hit.confirmation_note = supervisor, now, note
        hit.save(update_fields=["state", "confirmed_by", "confirmed_at", "confirmation_note"])
        _reject_finally(verification, hit, supervisor, now)
    else:
        # Back to the reviewers, with the supervisor's note beside the earlier reason.
        hit.state = HitState.OPEN
        hit.confirmation_note = note
        hit.save(update_fields=["state", "confirmation_note"])
    record(
        supervisor,
        AuditEvent.Action.SCREENING_HIT_RESOLVED,
        verification=verification,
        hit=hit.pk,
        entity=hit.entity_id,
        resolution="true_match_confirmed" if confirmed else "true_match_declined",
    )
    return hit


REJECTABLE = (Status.PROVIDED, Status.UNDER_REVIEW, Status.SUPPLEMENT_REQUESTED, Status.PASSED)


def _reject_finally(verification, hit, supervisor, now) -> None:
    """A final rejection decided by the hit's resolver and confirmed by the supervisor."""
    if verification.status not in REJECTABLE:
        return  # already rejected, lapsed or withdrawn: the confirmed hit is the record
    with translation.override(customer_language(verification)):
        message = customer_text()
    decision = ReviewDecision.objects.create(
        verification=verification,
        reviewer=hit.resolved_by,
        outcome=ReviewDecision.Outcome.REJECT,
        final=True,
        customer_message=message,
        internal_note=f"Confirmed screening match: hit #{hit.pk}, entity {hit.entity_id}",
        evidence_version=verification.evidence_version,
    )
    FinalRejectionConfirmation.objects.create(
        decision=decision, supervisor=supervisor, confirmed=True, note=hit.confirmation_note
    )
    if verification.status == Status.PROVIDED:
        change_status(
            verification.pk, Status.UNDER_REVIEW, actor=supervisor, reason="screening match"
        )
    change_status(
        verification.pk,
        Status.REJECTED,
        actor=supervisor,
        reason="rejected: confirmed screening match",
        decided_at=now,
        may_retry=False,
        assigned_to=None,
        claimed_at=None,
    )
    record(
        supervisor,
        AuditEvent.Action.DECISION,
        verification=verification,
        decision=decision.pk,
        outcome="final_rejection_confirmed",
        screening_hit=hit.pk,
    )
