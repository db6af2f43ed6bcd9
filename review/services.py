"""Claiming, releasing and deciding review cases. Status moves go through change_status only."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from audit.models import AuditEvent
from audit.services import record
from verification.models import Document, Status, Verification
from verification.status import TransitionNotAllowed, change_status

from . import customer_messages
from .models import (
    CORRECTABLE_FIELDS,
    FinalRejectionConfirmation,
    RejectionReason,
    ReviewDecision,
    SignalAcknowledgement,
)
from .selectors import available_cases, claim_idle_limit
from .signals import CaseFacts, signals_for

__all__ = [
    "CaseClaimedByOther",
    "CaseWithdrawn",
    "DecisionRefused",
    "StaleEvidence",
    "TransitionNotAllowed",
    "claim",
    "claim_next",
    "confirm_final_rejection",
    "expire_idle_claims",
    "mark_document",
    "record_decision",
    "reassign",
    "release",
]


class DecisionRefused(Exception):
    """A review action that cannot be done; the message is safe to show to the reviewer."""


class CaseClaimedByOther(DecisionRefused):
    pass


class StaleEvidence(DecisionRefused):
    pass


class CaseWithdrawn(DecisionRefused):
    """The customer erased their account meanwhile; the application was closed undecided."""


def four_eyes_on() -> bool:
    return settings.KYC_REVIEW_FOUR_EYES


def max_attempts() -> int:
    return settings.KYC_MAX_ATTEMPTS


def claim_is_live(verification, now=None) -> bool:
    """True while the assigned reviewer's claim has not gone idle."""
    if verification.assigned_to_id is None or verification.claimed_at is None:
        return False
    return verification.claimed_at > (now or timezone.now()) - claim_idle_limit()


def _locked(verification_id) -> Verification:
    return Verification.objects.select_for_update().select_related("user").get(pk=verification_id)


def _refuse_own(verification, user) -> None:
    if verification.user_id == user.pk:
        raise DecisionRefused(_("You cannot review your own application."))


def _assign(verification, assignee, *, actor, reason) -> Verification:
    """Gives a locked, queued or claimed case to `assignee` (a queued one becomes Under review).

    Raises DecisionRefused for a case no longer waiting for review.
    """
    now = timezone.now()
    if verification.status == Status.PROVIDED:
        return change_status(
            verification.pk,
            Status.UNDER_REVIEW,
            actor=actor,
            reason=reason,
            assigned_to=assignee,
            claimed_at=now,
        )
    _refuse_withdrawn(verification)
    if verification.status != Status.UNDER_REVIEW:
        raise DecisionRefused(_("This case is not waiting for review."))
    # Renewing, taking over or handing on a claim is not a status change.
    verification.assigned_to = assignee
    verification.claimed_at = now
    verification.save(update_fields=["assigned_to", "claimed_at", "updated_at"])
    return verification


@transaction.atomic
def claim(verification_id, reviewer) -> Verification:
    """Assigns a queued case to `reviewer` and moves it to Under review.

    Renews the reviewer's own claim; takes over an idle claim; raises CaseClaimedByOther while
    someone else's claim is live and DecisionRefused for a case no longer in the queue.
    """
    verification = _locked(verification_id)
    _refuse_own(verification, reviewer)
    if (
        verification.status == Status.UNDER_REVIEW
        and verification.assigned_to_id not in (None, reviewer.pk)
        and claim_is_live(verification, timezone.now())
    ):
        raise CaseClaimedByOther(_("Another reviewer is working on this case."))
    verification = _assign(verification, reviewer, actor=reviewer, reason="claimed")
    record(reviewer, AuditEvent.Action.CASE_CLAIMED, verification=verification)
    return verification


def touch_claim(verification, reviewer) -> None:
    """Keeps the reviewer's claim alive while they work on the page."""
    if verification.status == Status.UNDER_REVIEW and verification.assigned_to_id == reviewer.pk:
        now = timezone.now()
        Verification.objects.filter(pk=verification.pk, assigned_to=reviewer).update(claimed_at=now)
        verification.claimed_at = now


def claim_next(reviewer) -> Verification | None:
    """Claims the most urgent case nobody is working on; None when the queue is empty."""
    for candidate in available_cases(reviewer)[:20]:
        try:
            return claim(candidate.pk, reviewer)
        except DecisionRefused:
            continue  # taken by someone else a moment ago
    return None


@transaction.atomic
def release(verification_id, reviewer) -> Verification:
    """Gives a claimed case back to the queue, untouched: still Under review, nobody on it."""
    verification = _locked(verification_id)
    if verification.status != Status.UNDER_REVIEW:
        raise DecisionRefused(_("This case is not under review."))
    if verification.assigned_to_id != reviewer.pk and not roles.is_supervisor(reviewer):
        raise DecisionRefused(_("Only the assigned reviewer or a supervisor can release a case."))
    if _awaiting_confirmation(verification).exists():
        raise DecisionRefused(_("A final rejection of this case is waiting for a supervisor."))
    _unassign(verification)
    record(reviewer, AuditEvent.Action.CASE_RELEASED, verification=verification)
    return verification


def _unassign(verification) -> None:
    # Not a status change: to the customer the case is still Under review (one story).
    verification.assigned_to = None
    verification.claimed_at = None
    verification.save(update_fields=["assigned_to", "claimed_at", "updated_at"])


def expire_idle_claims(now=None) -> int:
    """Returns idle claimed cases to the queue; returns how many. Safe to run repeatedly."""
    now = now or timezone.now()
    stale = Verification.objects.filter(
        status=Status.UNDER_REVIEW,
        assigned_to__isnull=False,
        claimed_at__lt=now - claim_idle_limit(),
    ).exclude(review_decisions__state=ReviewDecision.State.AWAITING_CONFIRMATION)
    expired = 0
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            verification = _locked(pk)
            # Re-checked under the lock: the reviewer may have acted a moment ago.
            if verification.assigned_to_id is None or claim_is_live(verification, now):
                continue
            _unassign(verification)
            record(None, AuditEvent.Action.CASE_RELEASED, verification=verification, expired=True)
            expired += 1
    return expired


@transaction.atomic
def reassign(verification_id, to_user, *, supervisor) -> Verification:
    """A supervisor hands a queued or claimed case to another reviewer."""
    if not roles.is_supervisor(supervisor):
        raise DecisionRefused(_("Only review supervisors can reassign cases."))
    if not roles.is_reviewer(to_user):
        raise DecisionRefused(_("Cases can only be assigned to reviewers."))
    verification = _locked(verification_id)
    _refuse_own(verification, to_user)
    previous = verification.assigned_to_id
    verification = _assign(verification, to_user, actor=supervisor, reason="assigned by supervisor")
    record(
        supervisor,
        AuditEvent.Action.CASE_REASSIGNED,
        verification=verification,
        from_user=previous,
        to_user=to_user.pk,
    )
    return verification


def _refuse_withdrawn(verification) -> None:
    if verification.status == Status.WITHDRAWN:
        raise CaseWithdrawn(
            _(
                "The customer deleted their account and this application was withdrawn. "
                "Nothing was saved: there is nothing left to decide."
            )
        )


def _require_claim(verification, reviewer, evidence_version) -> None:
    _refuse_own(verification, reviewer)
    _refuse_withdrawn(verification)
    if verification.status != Status.UNDER_REVIEW:
        raise DecisionRefused(_("This case has already been decided or is not under review."))
    if verification.assigned_to_id != reviewer.pk:
        raise CaseClaimedByOther(
            _("This case is assigned to another reviewer. Claim it again before deciding.")
        )
    if evidence_version is not None and int(evidence_version) != verification.evidence_version:
        raise StaleEvidence(
            _(
                "The customer changed this application after you opened it. Nothing was "
                "decided: look at the new version and decide again."
            )
        )


@transaction.atomic
def mark_document(document_id, state, *, reviewer, reason="", evidence_version=None) -> Document:
    """Marks one current document accepted or "re-upload needed" (which needs a reason)."""
    document = Document.objects.select_related("verification").get(pk=document_id)
    verification = _locked(document.verification_id)
    _require_claim(verification, reviewer, evidence_version)
    if state not in Document.ReviewState.values or state == Document.ReviewState.PENDING:
        raise DecisionRefused(_("Choose accepted or re-upload needed."))
    if not document.is_current:
        raise DecisionRefused(_("This document was replaced by a newer upload."))
    reason = (reason or "").strip()
    if state == Document.ReviewState.REUPLOAD_NEEDED and not reason:
        raise DecisionRefused(_("Say why the document must be uploaded again."))
    _set_review_state(document, state, reason, reviewer=reviewer, verification=verification)
    return document


def _set_review_state(document, state, reason="", *, reviewer, verification, **detail) -> None:
    """Saves a reviewer's mark on one document, with its audit event."""
    document.review_state = state
    document.review_reason = reason if state == Document.ReviewState.REUPLOAD_NEEDED else ""
    document.save(update_fields=["review_state", "review_reason"])
    record(
        reviewer,
        AuditEvent.Action.DOCUMENT_MARKED,
        verification=verification,
        document=document.pk,
        state=state,
        **detail,
    )


def previous_attempts(verification) -> int:
    """How many earlier applications of this customer were rejected."""
    return (
        Verification.objects.filter(user_id=verification.user_id, status=Status.REJECTED)
        .exclude(pk=verification.pk)
        .count()
    )


def rejection_must_be_final(verification) -> bool:
    """After KYC_MAX_ATTEMPTS applications (this one included), a rejection is final."""
    return previous_attempts(verification) + 1 >= max_attempts()


def _validate_items(verification, items) -> list[str]:
    allowed = {f"document:{kind}" for kind in Document.Kind.values} | {
        f"field:{name}" for name in CORRECTABLE_FIELDS
    }
    items = list(dict.fromkeys(items or []))
    if not items:
        raise DecisionRefused(_("Pick at least one item the customer must re-upload or correct."))
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise DecisionRefused(_("Unknown item requested: %(item)s") % {"item": unknown[0]})
    return items


@transaction.atomic
def record_decision(
    verification_id,
    outcome,
    *,
    reviewer,
    evidence_version,
    customer_message="",
    internal_note="",
    reasons=(),
    other_reason="",
    final=False,
    requested_items=(),
    document_reasons=None,
    accept_documents=False,
    acknowledgements=None,
) -> ReviewDecision:
    """Decides a claimed case for the evidence version the reviewer saw.

    Pass, reject (final or may retry) or request a supplement. A pass needs every current
    document accepted (`accept_documents` accepts the unmarked ones) and every open signal
    acknowledged with a reason (`acknowledgements`: signal key -> reason). The customer's message
    must fit the outcome; an empty one gets the outcome's standard text (a rejection needs one).
    Raises DecisionRefused (or its StaleEvidence / CaseClaimedByOther) with a message for the
    reviewer; nothing is saved then. A final rejection waits for a supervisor when the
    four-eyes rule is on.
    """
    verification = _locked(verification_id)
    _require_claim(verification, reviewer, evidence_version)
    if _awaiting_confirmation(verification).exists():
        raise DecisionRefused(_("A final rejection of this case is waiting for a supervisor."))
    customer_message = _message_for_outcome(
        verification, outcome, customer_message, requested_items
    )
    internal_note = (internal_note or "").strip()
    other_reason = (other_reason or "").strip()
    reasons = list(dict.fromkeys(reasons or []))
    now = timezone.now()

    decision = ReviewDecision(
        verification=verification,
        reviewer=reviewer,
        outcome=outcome,
        customer_message=customer_message,
        internal_note=internal_note,
        evidence_version=verification.evidence_version,
    )

    if outcome == ReviewDecision.Outcome.PASS:
        facts = CaseFacts(verification)
        if accept_documents:
            _accept_unmarked_documents(verification, facts.documents, reviewer)
        decision.save()
        _acknowledge_signals(verification, facts, acknowledgements or {}, reviewer, decision)
        _refuse_pass_with_open_items(verification, facts)
        change_status(
            verification.pk, Status.PASSED, actor=reviewer, reason="passed", decided_at=now
        )
    elif outcome == ReviewDecision.Outcome.REJECT:
        if not reasons:
            raise DecisionRefused(_("Pick at least one reason for the rejection."))
        if any(code not in RejectionReason.values for code in reasons):
            raise DecisionRefused(_("Unknown rejection reason."))
        if RejectionReason.OTHER in reasons and not other_reason:
            raise DecisionRefused(_("Describe the other reason."))
        if not customer_message:
            raise DecisionRefused(_("Write a message to the customer explaining the rejection."))
        final = bool(final) or rejection_must_be_final(verification)
        decision.reasons = reasons
        decision.other_reason = other_reason if RejectionReason.OTHER in reasons else ""
        decision.final = final
        if final and four_eyes_on():
            decision.state = ReviewDecision.State.AWAITING_CONFIRMATION
            decision.save()
        else:
            decision.save()
            _apply_rejection(verification, decision, actor=reviewer, now=now)
    elif outcome == ReviewDecision.Outcome.SUPPLEMENT:
        items = _validate_items(verification, requested_items)
        decision.requested_items = items
        decision.save()
        _mark_requested_documents(verification, items, document_reasons or {}, customer_message)
        change_status(
            verification.pk,
            Status.SUPPLEMENT_REQUESTED,
            actor=reviewer,
            reason="supplement requested",
            requested_items=items,
            requested_baseline=requested_baseline(verification, items),
            supplement_returned=False,
        )
    else:
        raise DecisionRefused(_("Choose pass, reject or request supplement."))

    record(
        reviewer,
        AuditEvent.Action.DECISION,
        verification=verification,
        decision=decision.pk,
        outcome=outcome,
        final=decision.final,
        state=decision.state,
        reasons=decision.reasons,
        evidence_version=decision.evidence_version,
    )
    return decision


def _message_for_outcome(verification, outcome, message, requested_items) -> str:
    """The customer's message for this outcome: the reviewer's, or the standard text if empty.

    The browser pre-fills it, but only this check decides: a supplement request must never tell
    the customer "not approved", nor a rejection "passed".
    """
    language = customer_messages.customer_language(verification)
    message = (message or "").strip()
    if not message:
        items = [item for item in requested_items or [] if isinstance(item, str)]
        return customer_messages.default_text(outcome, language, items=items)
    contradiction = customer_messages.contradicting_outcome(outcome, message, language)
    if contradiction is not None and outcome in ReviewDecision.Outcome.values:
        raise DecisionRefused(
            _(
                "The message to the customer reads like “%(other)s”, but you chose “%(outcome)s”. "
                "Nothing was saved: make the message match your decision."
            )
            % {
                "other": ReviewDecision.Outcome(contradiction).label,
                "outcome": ReviewDecision.Outcome(outcome).label,
            }
        )
    return message


def _accept_unmarked_documents(verification, documents, reviewer) -> None:
    """ "Accept all and pass": accepts the documents nobody marked yet, each one recorded."""
    for document in documents:
        if document.review_state != Document.ReviewState.PENDING:
            continue  # a document marked "re-upload needed" stays so: the pass is refused
        _set_review_state(
            document,
            Document.ReviewState.ACCEPTED,
            reviewer=reviewer,
            verification=verification,
            accept_all=True,
        )


def _acknowledge_signals(verification, facts, reasons: dict, reviewer, decision) -> None:
    """Stores the reviewer's reason for each open signal they explained, with the pass."""
    for signal in signals_for(verification, facts):
        reason = (reasons.get(signal.key) or "").strip()
        if not signal.is_open or not signal.acknowledgeable or not reason:
            continue
        acknowledgement = SignalAcknowledgement.objects.create(
            verification=verification,
            decision=decision,
            key=signal.key,
            title=signal.title[:300],
            reason=reason,
            evidence_version=verification.evidence_version,
            reviewer=reviewer,
        )
        record(
            reviewer,
            AuditEvent.Action.SIGNAL_ACKNOWLEDGED,
            verification=verification,
            signal=signal.key,
            acknowledgement=acknowledgement.pk,
            evidence_version=verification.evidence_version,
        )


def pass_blockers(verification, facts=None) -> list[str]:
    """What still stops a pass, in words for the reviewer: [] when the case may pass."""
    facts = facts or CaseFacts(verification)
    problems = []
    unmarked = [d for d in facts.documents if d.review_state == Document.ReviewState.PENDING]
    if unmarked:
        problems.append(
            _("Documents not accepted yet: %(documents)s.")
            % {"documents": ", ".join(str(d.get_kind_display()) for d in unmarked)}
        )
    refused = [d for d in facts.documents if d.review_state == Document.ReviewState.REUPLOAD_NEEDED]
    if refused:
        problems.append(
            _("Documents marked “re-upload needed”: %(documents)s. Accept them or ask for a "
              "supplement.") % {"documents": ", ".join(str(d.get_kind_display()) for d in refused)}
        )  # fmt: skip
    still_open = [signal for signal in signals_for(verification, facts) if signal.is_open]
    if still_open:
        problems.append(
            _("Signals not acknowledged: %(signals)s. Give a reason for each before passing.")
            % {"signals": "; ".join(signal.title for signal in still_open)}
        )
    return problems


def _refuse_pass_with_open_items(verification, facts) -> None:
    problems = pass_blockers(verification, facts)
    if problems:
        raise DecisionRefused(" ".join([_("Not passed."), *problems]))


def requested_baseline(verification, items) -> dict:
    """What each requested item was when asked for, so a resubmission can prove it changed.

    Documents by id; details by a keyed fingerprint (no personal data kept in clear).
    """
    from verification.services import value_fingerprint

    current = {d.kind: d.pk for d in verification.documents.filter(superseded_at__isnull=True)}
    baseline = {}
    for item in items:
        kind, _sep, name = item.partition(":")
        if kind == "document":
            baseline[item] = current.get(name)
        else:
            baseline[item] = value_fingerprint(getattr(verification, name, ""))
    return baseline


def _apply_rejection(verification, decision, *, actor, now) -> None:
    change_status(
        verification.pk,
        Status.REJECTED,
        actor=actor,
        reason="rejected: " + ", ".join(decision.reasons),
        decided_at=now,
        may_retry=not decision.final,
    )


def _mark_requested_documents(verification, items, document_reasons, message) -> None:
    kinds = [item.split(":", 1)[1] for item in items if item.startswith("document:")]
    for document in verification.documents.filter(kind__in=kinds, superseded_at__isnull=True):
        document.review_state = Document.ReviewState.REUPLOAD_NEEDED
        document.review_reason = (document_reasons.get(document.kind) or "").strip() or message
        document.save(update_fields=["review_state", "review_reason"])


def _awaiting_confirmation(verification):
    return ReviewDecision.objects.filter(
        verification=verification, state=ReviewDecision.State.AWAITING_CONFIRMATION
    )


@transaction.atomic
def confirm_final_rejection(decision_id, *, supervisor, confirmed: bool, note="") -> ReviewDecision:
    """A second person confirms (case rejected, no retry) or declines a final rejection.

    Declined, the case stays Under review with its reviewer. Raises DecisionRefused when the
    supervisor made the decision themselves or it is no longer waiting.
    """
    if not roles.is_supervisor(supervisor):
        raise DecisionRefused(_("Only review supervisors can confirm final rejections."))
    decision = ReviewDecision.objects.select_for_update().get(pk=decision_id)
    verification = _locked(decision.verification_id)
    if decision.state != ReviewDecision.State.AWAITING_CONFIRMATION:
        raise DecisionRefused(_("This rejection is not waiting for confirmation."))
    if decision.reviewer_id == supervisor.pk:
        raise DecisionRefused(_("A final rejection needs a second person: ask another supervisor."))
    _refuse_own(verification, supervisor)
    if confirmed and verification.evidence_version != decision.evidence_version:
        raise StaleEvidence(_("The customer changed this application since it was decided."))
    FinalRejectionConfirmation.objects.create(
        decision=decision, supervisor=supervisor, confirmed=confirmed, note=(note or "").strip()
    )
    if confirmed:
        decision.state = ReviewDecision.State.EFFECTIVE
        decision.save(update_fields=["state"])
        _apply_rejection(verification, decision, actor=supervisor, now=timezone.now())
    else:
        decision.state = ReviewDecision.State.DECLINED
        decision.save(update_fields=["state"])
    record(
        supervisor,
        AuditEvent.Action.DECISION,
        verification=verification,
        decision=decision.pk,
        outcome="final_rejection_confirmed" if confirmed else "final_rejection_declined",
    )
    return decision
