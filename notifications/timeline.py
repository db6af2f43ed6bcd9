"""The customer's progress timeline: StatusChange rows worded for the customer."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from verification.models import Status, Verification

from . import content
from .reverification import lapse_cause

OPEN_FOR_REVIEW = (Status.PROVIDED, Status.UNDER_REVIEW)


@dataclass
class Entry:
    at: object
    title: str
    status: str
    text: str = ""
    items: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    message: str = ""


@dataclass
class Timeline:
    verification: Verification
    entries: list
    expected_by: object = None  # while a reviewer still has to act: the working-day SLA


def _entry(change, decision, current_items=()) -> Entry | None:
    old, new = change.old, change.new
    message = decision.customer_message if decision else ""
    if new == Status.PROVIDED and old == Status.DRAFT:
        return Entry(change.created_at, _("Application submitted"), new, _("Status: Provided."))
    if old == Status.SUPPLEMENT_REQUESTED and new in (Status.UNDER_REVIEW, Status.PROVIDED):
        # PROVIDED: resubmissions made before a supplement kept the case "Under review".
        return Entry(
            change.created_at,
            _("Supplement sent"),
            Status.UNDER_REVIEW,
            _(
                "You sent the requested changes; the application is back with the reviewers. "
                "Status: Under review."
            ),
        )
    if new == Status.UNDER_REVIEW:
        return Entry(change.created_at, _("Review started"), new, _("Status: Under review."))
    if new == Status.SUPPLEMENT_REQUESTED:
        items = decision.requested_items if decision and decision.requested_items else current_items
        return Entry(
            change.created_at,
            _("Supplement requested"),
            new,
            _("Action required: re-upload or correct the items below, then submit again."),
            items=content.requested_items(items),
            message=message,
        )
    if new == Status.PASSED:
        return Entry(change.created_at, _("Passed"), new, message=message)
    if new == Status.REJECTED:
        return Entry(
            change.created_at,
            _("Rejected"),
            new,
            reasons=decision.reason_labels if decision else [],
            message=message,
        )
    if new == Status.LAPSED:
        explanation = content.LAPSE_EXPLANATIONS.get(lapse_cause(change.reason), "")
        return Entry(change.created_at, _("Re-verification required"), new, explanation)
    return None  # e.g. a reviewer's claim released back to the queue: internal


def timeline_for(verification: Verification) -> Timeline:
    """What happened to one application and when, newest last, in the customer's words."""
    from review.models import ReviewDecision

    changes = list(verification.status_changes.all())
    decisions = list(
        ReviewDecision.objects.filter(verification=verification)
        .exclude(state=ReviewDecision.State.DECLINED)
        .order_by("created_at", "pk")
    )
    entries = [Entry(verification.created_at, _("Application started"), Status.DRAFT)]
    for index, change in enumerate(changes):
        until = changes[index + 1].created_at if index + 1 < len(changes) else None
        outcome = {
            Status.SUPPLEMENT_REQUESTED: "supplement",
            Status.PASSED: "pass",
            Status.REJECTED: "reject",
        }.get(change.new)
        decision = None
        if outcome:
            matching = [
                d
                for d in decisions
                if d.outcome == outcome and (until is None or d.created_at <= until)
            ]
            decision = matching[-1] if matching else None
        if (change.old, change.new) == (Status.PROVIDED, Status.UNDER_REVIEW) and any(
            earlier.new == Status.UNDER_REVIEW for earlier in changes[:index]
        ):
            continue  # claimed again after a release: the customer read "Review started" once
        is_current_request = until is None and verification.status == Status.SUPPLEMENT_REQUESTED
        entry = _entry(change, decision, verification.requested_items if is_current_request else [])
        if entry is not None:
            entries.append(entry)
    expected_by = verification.sla_due_at if verification.status in OPEN_FOR_REVIEW else None
    return Timeline(verification, entries, expected_by)
