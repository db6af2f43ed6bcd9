"""Two reviewers acting on one case at the same moment, on real PostgreSQL row locks."""

import threading

import pytest
from django.db import close_old_connections, connection

from review import services
from review.models import ReviewDecision
from tests.factories import staff_user
from verification.models import Status, StatusChange

from .factories import submitted_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    # A transactional test flushes the tables, groups made by migrations included.
    from django.contrib.auth.models import Group

    from accounts import roles

    for name in roles.STAFF_ROLES:
        Group.objects.get_or_create(name=name)


def _run_together(*actions):
    """Runs each action in its own thread and database connection, released at once."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = action()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL=postgres://…)")


def test_two_concurrent_claims_give_the_case_to_one_reviewer():
    case = submitted_case()
    first, second = staff_user("Reviewer"), staff_user("Reviewer")
    results = _run_together(
        lambda: services.claim(case.pk, first), lambda: services.claim(case.pk, second)
    )
    refused = [r for r in results if isinstance(r, services.CaseClaimedByOther)]
    assert len(refused) == 1, results
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW
    assert case.assigned_to in (first, second)
    assert StatusChange.objects.filter(verification=case).count() == 1


def test_two_concurrent_decisions_decide_the_case_once():
    reviewer = staff_user("Reviewer")
    case = submitted_case()
    services.claim(case.pk, reviewer)
    case.refresh_from_db()
    version = case.evidence_version

    def passing():
        return services.record_decision(
            case.pk, "pass", reviewer=reviewer, evidence_version=version, accept_documents=True
        )

    def rejecting():
        return services.record_decision(
            case.pk,
            "reject",
            reviewer=reviewer,
            evidence_version=version,
            reasons=["unreadable"],
            customer_message="Blurred.",
        )

    results = _run_together(passing, rejecting)
    decided = [r for r in results if isinstance(r, ReviewDecision)]
    refused = [r for r in results if isinstance(r, services.DecisionRefused)]
    assert len(decided) == 1 and len(refused) == 1, results
    case.refresh_from_db()
    assert case.status == (Status.PASSED if decided[0].outcome == "pass" else Status.REJECTED)
    assert ReviewDecision.objects.filter(verification=case).count() == 1
    assert (
        StatusChange.objects.filter(verification=case).exclude(new=Status.UNDER_REVIEW).count() == 1
    )


@pytest.mark.parametrize("attempt", range(4))
def test_erasure_and_a_decision_at_once_leave_one_whole_outcome(attempt):
    from django.contrib.auth import get_user_model

    from privacy import services as privacy

    reviewer = staff_user("Reviewer")
    case = submitted_case()
    services.claim(case.pk, reviewer)
    case.refresh_from_db()
    customer = get_user_model().objects.get(pk=case.user_id)

    results = _run_together(
        lambda: services.record_decision(
            case.pk,
            "pass",
            reviewer=reviewer,
            evidence_version=case.evidence_version,
            accept_documents=True,
        ),
        lambda: privacy.erase_account(customer),
    )

    decision, erasure = results
    assert not isinstance(erasure, Exception), results
    case.refresh_from_db()
    # Whichever came first, the record is whole: decided then kept, or withdrawn undecided.
    if isinstance(decision, ReviewDecision):
        assert case.status == Status.PASSED
        assert (erasure.withdrawn_applications, erasure.kept_applications) == (0, 1)
    else:
        assert isinstance(decision, services.CaseWithdrawn), results
        assert case.status == Status.WITHDRAWN and case.assigned_to is None
        assert not ReviewDecision.objects.filter(verification=case).exists()
        assert (erasure.withdrawn_applications, erasure.kept_applications) == (1, 1)
    assert case.surname == "" and case.document_number == "" and case.document_number_hash
    assert StatusChange.objects.filter(verification=case).count() == 2
