import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import roles
from sales import access
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db


def test_inquiry_login_reads_its_own_group(inquiry, sales_group):
    assert access.get_group_for_inquiry(inquiry) == sales_group


@pytest.mark.parametrize("role", [roles.REVIEWER, roles.SUPERVISOR])
def test_review_staff_are_not_inquiry_logins(role):
    with pytest.raises(PermissionDenied):
        access.get_group_for_inquiry(staff_user(role))


def test_a_customer_in_a_group_is_not_an_inquiry_login(group_customer):
    with pytest.raises(PermissionDenied):
        access.get_group_for_inquiry(group_customer)


def test_inquiry_login_without_a_group_is_refused_with_a_reason():
    lonely = staff_user(roles.SALES_INQUIRY, sales_group=None)

    with pytest.raises(PermissionDenied, match="not linked to a sales group"):
        access.get_group_for_inquiry(lonely)


def test_own_group_customer_is_found(inquiry, group_customer):
    row = access.get_customer_for_inquiry(inquiry, group_customer.pk)

    assert row.pk == group_customer.pk and row.email == group_customer.email


def test_another_groups_customer_is_not_found(inquiry, other_group_customer):
    with pytest.raises(Http404):
        access.get_customer_for_inquiry(inquiry, other_group_customer.pk)


def test_a_customer_in_no_group_is_not_found(inquiry):
    with pytest.raises(Http404):
        access.get_customer_for_inquiry(inquiry, UserFactory().pk)


def test_staff_of_the_same_group_are_not_customers(inquiry, sales_group):
    colleague = staff_user(roles.SALES_INQUIRY, sales_group=sales_group)

    with pytest.raises(Http404):
        access.get_customer_for_inquiry(inquiry, colleague.pk)
    with pytest.raises(Http404):
        access.get_customer_for_inquiry(inquiry, inquiry.pk)


def test_a_missing_customer_is_not_found(inquiry):
    with pytest.raises(Http404):
        access.get_customer_for_inquiry(inquiry, 987654)
