import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from review.access import get_verification_for_reviewer, require_supervisor
from tests.factories import VerificationFactory, staff_user
from verification.models import Status

from .factories import submitted_case

pytestmark = pytest.mark.django_db


def test_reviewer_gets_a_submitted_case(reviewer):
    case = submitted_case()
    assert get_verification_for_reviewer(reviewer, case.pk) == case


def test_supervisor_gets_a_submitted_case(supervisor):
    case = submitted_case(status=Status.PASSED)
    assert get_verification_for_reviewer(supervisor, case.pk) == case


def test_customer_is_refused(customer):
    case = submitted_case()
    with pytest.raises(PermissionDenied):
        get_verification_for_reviewer(customer, case.pk)


def test_customer_is_refused_even_for_own_case():
    case = submitted_case()
    with pytest.raises(PermissionDenied):
        get_verification_for_reviewer(case.user, case.pk)


def test_inquiry_login_is_refused(inquiry):
    case = submitted_case()
    with pytest.raises(PermissionDenied):
        get_verification_for_reviewer(inquiry, case.pk)


def test_reviewer_without_two_step_verification_is_refused():
    reviewer = staff_user("Reviewer", mfa=False)
    case = submitted_case()
    with pytest.raises(PermissionDenied):
        get_verification_for_reviewer(reviewer, case.pk)


def test_anonymous_is_refused():
    from django.contrib.auth.models import AnonymousUser

    case = submitted_case()
    with pytest.raises(PermissionDenied):
        get_verification_for_reviewer(AnonymousUser(), case.pk)


def test_reviewer_cannot_open_own_application(reviewer):
    own = submitted_case(user=reviewer)
    with pytest.raises(PermissionDenied):
        get_verification_for_reviewer(reviewer, own.pk)


def test_draft_is_not_found(reviewer):
    draft = VerificationFactory()
    with pytest.raises(Http404):
        get_verification_for_reviewer(reviewer, draft.pk)


@pytest.mark.parametrize("pk", [999_999, "abc", None])
def test_missing_or_malformed_pk_is_not_found(reviewer, pk):
    with pytest.raises(Http404):
        get_verification_for_reviewer(reviewer, pk)


def test_non_reviewer_is_refused_before_existence_is_revealed(customer):
    # Same answer for an existing and a missing case: nothing to enumerate.
    with pytest.raises(PermissionDenied):
        get_verification_for_reviewer(customer, 999_999)


def test_reviewer_is_not_a_supervisor(reviewer):
    with pytest.raises(PermissionDenied):
        require_supervisor(reviewer)


def test_supervisor_without_two_step_verification_is_refused():
    supervisor = staff_user("Review supervisor", mfa=False)
    with pytest.raises(PermissionDenied):
        require_supervisor(supervisor)
