"""Inquiry logins cannot change anything anywhere: every write request is refused."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, DocumentFactory
from verification.models import Status, StatusChange, Verification

from .conftest import apply_for

pytestmark = pytest.mark.django_db

# Pages that write, whoever owns them; an inquiry login must be refused at every one.
WRITE_TARGETS = [
    "/sales/",
    "/sales/export.csv",
    "/user-center/",
    "/kyc/",
    "/review/",
    "/notifications/",
    "/accounts/email/",
    "/accounts/password/set/",
    "/admin/accounts/user/add/",
    "/admin/sales/salesgroup/add/",
]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", WRITE_TARGETS)
def test_every_write_request_of_an_inquiry_login_is_refused(inquiry_client, method, url):
    response = getattr(inquiry_client, method)(url, {"email": "new@example.com"})

    assert response.status_code == 403, url
    assert "cannot change anything" in response.content.decode()


def test_a_customers_application_cannot_be_changed_by_an_inquiry_login(
    inquiry_client, group_customer
):
    verification = apply_for(group_customer, "under_review", history=["provided", "under_review"])
    document = DocumentFactory(verification=verification)
    before = list(StatusChange.objects.values_list("pk", flat=True))

    urls = [f"/review/{verification.pk}/decide/", f"/kyc/document/{document.pk}/", "/kyc/submit/"]
    for url in urls:
        for data in ({"outcome": "pass"}, {"status": "passed"}):
            assert inquiry_client.post(url, data).status_code == 403

    verification.refresh_from_db()
    assert verification.status == Status.UNDER_REVIEW
    assert list(StatusChange.objects.values_list("pk", flat=True)) == before
    assert Verification.objects.count() == 1


def test_an_inquiry_login_cannot_add_an_email_address(inquiry_client, inquiry):
    response = inquiry_client.post(
        reverse("account_email"), {"action_add": "", "email": "extra@example.com"}
    )

    assert response.status_code == 403
    assert list(inquiry.emailaddress_set.values_list("email", flat=True)) == [inquiry.email]


def test_an_inquiry_login_can_sign_out(inquiry_client):
    response = inquiry_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in inquiry_client.session


def test_an_inquiry_login_can_switch_language(inquiry_client, inquiry):
    response = inquiry_client.post(
        reverse("accounts:set_language"), {"language": "zh-hans", "next": "/sales/"}
    )

    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.preferred_language == "zh-hans"


def test_an_inquiry_login_can_change_its_own_password(inquiry_client, inquiry):
    new = "another-sturdy-passphrase-77"
    response = inquiry_client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=inquiry.pk).check_password(new)


def test_customers_and_reviewers_can_still_post(customer_client, customer):
    response = customer_client.post(
        reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"}
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.preferred_language == "zh-hans"
