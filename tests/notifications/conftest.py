import datetime

import pytest
from django.utils import timezone

from review.models import ReviewDecision
from tests.factories import VerificationFactory
from verification.models import Status
from verification.status import change_status


def submit(verification, *, due=None):
    """The customer submits: Draft -> Provided, with the SLA due date the wizard sets."""
    due = due or timezone.now() + datetime.timedelta(days=1)
    return change_status(
        verification.pk,
        Status.PROVIDED,
        actor=verification.user,
        submitted_at=timezone.now(),
        sla_due_at=due,
    )


def claim(verification, reviewer):
    return change_status(verification.pk, Status.UNDER_REVIEW, actor=reviewer, assigned_to=reviewer)


def decide(verification, reviewer, outcome, **decision):
    """A reviewer's decision as review.services.record_decision writes it: the decision row,
    then the status change, in one transaction."""
    decision_row = ReviewDecision.objects.create(
        verification=verification,
        reviewer=reviewer,
        outcome=outcome,
        evidence_version=verification.evidence_version,
        **decision,
    )
    if outcome == "pass":
        change_status(verification.pk, Status.PASSED, actor=reviewer, decided_at=timezone.now())
    elif outcome == "reject":
        change_status(
            verification.pk,
            Status.REJECTED,
            actor=reviewer,
            reason="rejected",
            decided_at=timezone.now(),
            may_retry=not decision_row.final,
        )
    else:
        change_status(
            verification.pk,
            Status.SUPPLEMENT_REQUESTED,
            actor=reviewer,
            reason="supplement requested",
            requested_items=decision_row.requested_items,
        )
    return decision_row


@pytest.fixture
def application(customer):
    """The customer's filled-in passport application, still a draft."""
    return VerificationFactory(user=customer, surname="DOE", given_names="JANE")
