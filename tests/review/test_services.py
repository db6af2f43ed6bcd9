import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from review import selectors, services
from review.models import FinalRejectionConfirmation, RejectionReason, ReviewDecision
from review.selectors import latest_decision, requested_item_labels
from tests.factories import staff_user
from verification.models import Document, Status, StatusChange, Verification

from .factories import submitted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    return submitted_case()


@pytest.fixture
def claimed(case, reviewer):
    return services.claim(case.pk, reviewer)


def decide(verification, outcome, reviewer, **kwargs):
    kwargs.setdefault("evidence_version", verification.evidence_version)
    kwargs.setdefault("customer_message", "A message for you.")
    if outcome == "pass":
        kwargs.setdefault("accept_documents", True)  # the page's "Accept all and pass"
    return services.record_decision(verification.pk, outcome, reviewer=reviewer, **kwargs)


def test_claim_moves_case_under_review_and_assigns_it(case, reviewer):
    services.claim(case.pk, reviewer)
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW
    assert case.assigned_to == reviewer
    assert case.claimed_at is not None
    change = StatusChange.objects.get(verification=case)
    assert (change.old, change.new) == (Status.PROVIDED, Status.UNDER_REVIEW)
    assert change.actor == reviewer
    assert AuditEvent.objects.filter(
        verification=case, action=AuditEvent.Action.CASE_CLAIMED, actor=reviewer
    ).exists()


def test_second_reviewer_cannot_take_a_live_claim(claimed, supervisor):
    other = staff_user("Reviewer")
    with pytest.raises(services.CaseClaimedByOther):
        services.claim(claimed.pk, other)
    claimed.refresh_from_db()
    assert claimed.assigned_to != other


def test_idle_claim_can_be_taken_over(claimed, settings):
    settings.KYC_REVIEW_CLAIM_IDLE_MINUTES = 30
    Verification.objects.filter(pk=claimed.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    other = staff_user("Reviewer")
    services.claim(claimed.pk, other)
    claimed.refresh_from_db()
    assert claimed.assigned_to == other
    assert claimed.status == Status.UNDER_REVIEW


def test_expire_idle_claims_returns_cases_to_the_queue(claimed, settings):
    settings.KYC_REVIEW_CLAIM_IDLE_MINUTES = 10
    fresh = submitted_case()
    services.claim(fresh.pk, claimed.assigned_to)
    Verification.objects.filter(pk=claimed.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert services.expire_idle_claims() == 1
    claimed.refresh_from_db()
    fresh.refresh_from_db()
    # Back in the queue, and still "Under review" to the customer: no status change at all.
    assert claimed.status == Status.UNDER_REVIEW
    assert claimed.assigned_to is None and claimed.claimed_at is None
    assert fresh.status == Status.UNDER_REVIEW and fresh.assigned_to is not None
    assert not StatusChange.objects.filter(verification=claimed, new=Status.PROVIDED).exists()
    assert AuditEvent.objects.get(
        verification=claimed, action=AuditEvent.Action.CASE_RELEASED
    ).detail == {"expired": True}
    assert claimed in selectors.available_cases(staff_user("Reviewer"))
    assert services.expire_idle_claims() == 0  # running again changes nothing


def test_release_returns_case_untouched(claimed, reviewer):
    changes = claimed.status_changes.count()

    services.release(claimed.pk, reviewer)

    claimed.refresh_from_db()
    assert claimed.status == Status.UNDER_REVIEW and claimed.status_changes.count() == changes
    assert claimed.assigned_to is None
    other = staff_user("Reviewer")
    assert services.claim(claimed.pk, other).assigned_to == other
    assert AuditEvent.objects.filter(
        verification=claimed, action=AuditEvent.Action.CASE_RELEASED
    ).exists()


def test_reviewer_cannot_claim_or_decide_own_submission(reviewer):
    own = submitted_case(user=reviewer)
    with pytest.raises(services.DecisionRefused):
        services.claim(own.pk, reviewer)
    own.refresh_from_db()
    assert own.status == Status.PROVIDED
    # Even if someone assigned it to them, deciding is refused.
    Verification.objects.filter(pk=own.pk).update(
        status=Status.UNDER_REVIEW, assigned_to=reviewer, claimed_at=timezone.now()
    )
    own.refresh_from_db()
    with pytest.raises(services.DecisionRefused):
        decide(own, "pass", reviewer)
    own.refresh_from_db()
    assert own.status == Status.UNDER_REVIEW
    assert not ReviewDecision.objects.exists()


def test_pass_makes_case_passed_for_the_customer(claimed, reviewer):
    decision = decide(claimed, "pass", reviewer, internal_note="clean case")
    claimed.refresh_from_db()
    assert claimed.status == Status.PASSED
    assert claimed.decided_at is not None
    assert latest_decision(claimed) == decision
    assert decision.customer_message == "A message for you."
    assert decision.internal_note == "clean case"
    assert StatusChange.objects.filter(verification=claimed, new=Status.PASSED).count() == 1
    event = AuditEvent.objects.get(verification=claimed, action=AuditEvent.Action.DECISION)
    assert event.detail["outcome"] == "pass"
    assert "clean case" not in str(event.detail)


def test_reject_may_retry_lets_customer_try_again(claimed, reviewer, settings):
    settings.KYC_REVIEW_FOUR_EYES = True
    decision = decide(
        claimed,
        "reject",
        reviewer,
        reasons=[RejectionReason.UNREADABLE, RejectionReason.OTHER],
        other_reason="Glare over the photo",
    )
    claimed.refresh_from_db()
    assert claimed.status == Status.REJECTED
    assert claimed.may_retry is True
    assert decision.final is False
    assert decision.reason_labels == ["Document blurry or unreadable", "Glare over the photo"]


def test_reject_needs_a_reason_and_a_message(claimed, reviewer):
    with pytest.raises(services.DecisionRefused, match="reason"):
        decide(claimed, "reject", reviewer, reasons=[])
    with pytest.raises(services.DecisionRefused, match="other reason"):
        decide(claimed, "reject", reviewer, reasons=[RejectionReason.OTHER])
    with pytest.raises(services.DecisionRefused, match="message"):
        decide(claimed, "reject", reviewer, reasons=["expired"], customer_message="  ")
    with pytest.raises(services.DecisionRefused):
        decide(claimed, "reject", reviewer, reasons=["made-up"])
    claimed.refresh_from_db()
    assert claimed.status == Status.UNDER_REVIEW
    assert not ReviewDecision.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DECISION).exists()


def test_final_rejection_waits_for_a_second_person(claimed, reviewer, supervisor, settings):
    settings.KYC_REVIEW_FOUR_EYES = True
    decision = decide(claimed, "reject", reviewer, reasons=["risk"], final=True)
    claimed.refresh_from_db()
    assert decision.state == ReviewDecision.State.AWAITING_CONFIRMATION
    assert claimed.status == Status.UNDER_REVIEW
    assert latest_decision(claimed) is None
    # The reviewer cannot decide again meanwhile, nor release the case.
    with pytest.raises(services.DecisionRefused):
        decide(claimed, "pass", reviewer)
    with pytest.raises(services.DecisionRefused):
        services.release(claimed.pk, reviewer)

    services.confirm_final_rejection(decision.pk, supervisor=supervisor, confirmed=True)
    claimed.refresh_from_db()
    decision.refresh_from_db()
    assert claimed.status == Status.REJECTED
    assert claimed.may_retry is False
    assert decision.state == ReviewDecision.State.EFFECTIVE
    assert FinalRejectionConfirmation.objects.get(decision=decision).supervisor == supervisor
    assert latest_decision(claimed) == decision
    change = StatusChange.objects.get(verification=claimed, new=Status.REJECTED)
    assert change.actor == supervisor


def test_supervisor_cannot_confirm_own_final_rejection(supervisor, settings):
    settings.KYC_REVIEW_FOUR_EYES = True
    case = submitted_case()
    services.claim(case.pk, supervisor)
    case.refresh_from_db()
    decision = decide(case, "reject", supervisor, reasons=["risk"], final=True)
    with pytest.raises(services.DecisionRefused, match="second person"):
        services.confirm_final_rejection(decision.pk, supervisor=supervisor, confirmed=True)
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW
    assert not FinalRejectionConfirmation.objects.exists()


def test_reviewer_cannot_confirm_final_rejection(claimed, reviewer, settings):
    settings.KYC_REVIEW_FOUR_EYES = True
    decision = decide(claimed, "reject", reviewer, reasons=["risk"], final=True)
    other = staff_user("Reviewer")
    with pytest.raises(services.DecisionRefused):
        services.confirm_final_rejection(decision.pk, supervisor=other, confirmed=True)


def test_declined_final_rejection_returns_case_to_reviewer(claimed, reviewer, supervisor, settings):
    settings.KYC_REVIEW_FOUR_EYES = True
    decision = decide(claimed, "reject", reviewer, reasons=["risk"], final=True)
    services.confirm_final_rejection(decision.pk, supervisor=supervisor, confirmed=False)
    claimed.refresh_from_db()
    decision.refresh_from_db()
    assert decision.state == ReviewDecision.State.DECLINED
    assert claimed.status == Status.UNDER_REVIEW
    decide(claimed, "reject", reviewer, reasons=["unreadable"])
    claimed.refresh_from_db()
    assert claimed.status == Status.REJECTED and claimed.may_retry is True


def test_final_rejection_without_four_eyes_applies_at_once(claimed, reviewer, settings):
    settings.KYC_REVIEW_FOUR_EYES = False
    decide(claimed, "reject", reviewer, reasons=["risk"], final=True)
    claimed.refresh_from_db()
    assert claimed.status == Status.REJECTED
    assert claimed.may_retry is False


def test_rejection_after_max_attempts_is_final(reviewer, settings):
    settings.KYC_MAX_ATTEMPTS = 3
    settings.KYC_REVIEW_FOUR_EYES = False
    customer = submitted_case(status=Status.REJECTED).user
    submitted_case(user=customer, status=Status.REJECTED)
    third = submitted_case(user=customer)
    services.claim(third.pk, reviewer)
    third.refresh_from_db()
    decision = decide(third, "reject", reviewer, reasons=["unreadable"], final=False)
    third.refresh_from_db()
    assert decision.final is True
    assert third.may_retry is False


def test_rejection_before_max_attempts_may_retry(reviewer, settings):
    settings.KYC_MAX_ATTEMPTS = 3
    customer = submitted_case(status=Status.REJECTED).user
    second = submitted_case(user=customer)
    services.claim(second.pk, reviewer)
    second.refresh_from_db()
    decide(second, "reject", reviewer, reasons=["unreadable"])
    second.refresh_from_db()
    assert second.may_retry is True


def test_supplement_request_marks_items_for_the_customer(claimed, reviewer):
    decision = decide(
        claimed,
        "supplement",
        reviewer,
        requested_items=["document:holding_photo", "field:surname"],
        customer_message="Please retake the holding photo and check your surname.",
    )
    claimed.refresh_from_db()
    assert claimed.status == Status.SUPPLEMENT_REQUESTED
    assert claimed.requested_items == ["document:holding_photo", "field:surname"]
    photo = claimed.documents.get(kind=Document.Kind.HOLDING_PHOTO)
    page = claimed.documents.get(kind=Document.Kind.PASSPORT_DATA_PAGE)
    assert photo.review_state == Document.ReviewState.REUPLOAD_NEEDED
    assert photo.review_reason == "Please retake the holding photo and check your surname."
    assert page.review_state == Document.ReviewState.PENDING
    assert latest_decision(claimed) == decision
    assert requested_item_labels(claimed.requested_items) == [
        "Photo holding the document",
        "Surname",
    ]


def test_supplement_request_needs_items(claimed, reviewer):
    with pytest.raises(services.DecisionRefused, match="at least one item"):
        decide(claimed, "supplement", reviewer, requested_items=[])
    with pytest.raises(services.DecisionRefused, match="Unknown item"):
        decide(claimed, "supplement", reviewer, requested_items=["field:password"])
    claimed.refresh_from_db()
    assert claimed.status == Status.UNDER_REVIEW
    assert claimed.requested_items == []
    # Without a message of the reviewer's own, the customer reads what to do.
    decision = decide(
        claimed, "supplement", reviewer, requested_items=["field:surname"], customer_message=""
    )
    assert "Please enter again, exactly as printed on your document: Surname." in (
        decision.customer_message
    )


def test_decision_on_stale_evidence_is_refused(claimed, reviewer):
    seen = claimed.evidence_version
    Verification.objects.filter(pk=claimed.pk).update(evidence_version=seen + 1)
    with pytest.raises(services.StaleEvidence, match="changed this application"):
        decide(claimed, "pass", reviewer, evidence_version=seen)
    claimed.refresh_from_db()
    assert claimed.status == Status.UNDER_REVIEW
    assert not ReviewDecision.objects.exists()


def test_decision_by_someone_not_assigned_is_refused(claimed):
    other = staff_user("Reviewer")
    with pytest.raises(services.CaseClaimedByOther):
        decide(claimed, "pass", other)
    claimed.refresh_from_db()
    assert claimed.status == Status.UNDER_REVIEW


def test_deciding_twice_is_refused(claimed, reviewer):
    decide(claimed, "pass", reviewer)
    with pytest.raises(services.DecisionRefused):
        decide(claimed, "reject", reviewer, reasons=["risk"])
    claimed.refresh_from_db()
    assert claimed.status == Status.PASSED
    assert ReviewDecision.objects.count() == 1


def test_mark_document_needs_a_reason_for_reupload(claimed, reviewer):
    document = claimed.documents.get(kind=Document.Kind.HOLDING_PHOTO)
    with pytest.raises(services.DecisionRefused, match="why"):
        services.mark_document(
            document.pk, Document.ReviewState.REUPLOAD_NEEDED, reviewer=reviewer, reason=" "
        )
    document.refresh_from_db()
    assert document.review_state == Document.ReviewState.PENDING
    services.mark_document(
        document.pk, Document.ReviewState.REUPLOAD_NEEDED, reviewer=reviewer, reason="Too dark"
    )
    document.refresh_from_db()
    assert document.review_state == Document.ReviewState.REUPLOAD_NEEDED
    assert document.review_reason == "Too dark"
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOCUMENT_MARKED)
    assert event.detail == {"document": document.pk, "state": "reupload_needed"}


def test_supervisor_reassigns_case(claimed, supervisor):
    other = staff_user("Reviewer")
    services.reassign(claimed.pk, other, supervisor=supervisor)
    claimed.refresh_from_db()
    assert claimed.assigned_to == other
    event = AuditEvent.objects.get(action=AuditEvent.Action.CASE_REASSIGNED)
    assert event.detail["to_user"] == other.pk


def test_reviewer_cannot_reassign(claimed, reviewer):
    other = staff_user("Reviewer")
    with pytest.raises(services.DecisionRefused):
        services.reassign(claimed.pk, other, supervisor=reviewer)


def test_claim_next_takes_most_urgent_free_case(reviewer):
    later = submitted_case(due_in_hours=20)
    urgent = submitted_case(due_in_hours=1)
    taken = submitted_case(due_in_hours=-5)
    services.claim(taken.pk, staff_user("Reviewer"))
    own = submitted_case(user=reviewer, due_in_hours=-10)
    got = services.claim_next(reviewer)
    assert got.pk == urgent.pk
    assert services.claim_next(reviewer).pk == later.pk
    assert services.claim_next(reviewer) is None
    own.refresh_from_db()
    assert own.status == Status.PROVIDED


def test_beat_task_returns_idle_claims_to_the_queue(reviewer, settings):
    from datetime import timedelta

    from django.utils import timezone

    from review import tasks
    from tests.factories import VerificationFactory
    from verification.models import Status

    verification = VerificationFactory(
        status=Status.UNDER_REVIEW,
        assigned_to=reviewer,
        claimed_at=timezone.now() - timedelta(hours=5),
        submitted_at=timezone.now() - timedelta(hours=6),
    )

    tasks.expire_idle_claims.delay()

    verification.refresh_from_db()
    assert verification.status == Status.UNDER_REVIEW  # back in the queue, no status change
    assert verification.assigned_to is None
