"""Where each kind of login lands after signing in (two-step verification included)."""

import pytest
from django.urls import reverse

from accounts import roles
from tests.factories import PASSWORD, UserFactory, enable_totp, totp_code

pytestmark = pytest.mark.django_db


def sign_in_with_code(client, user, secret, *, next_url=None):
    """Password, then the authenticator code; returns the final redirect."""
    login = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    first = client.post(login, {"login": user.email, "password": PASSWORD})
    assert first["Location"] == reverse("mfa_authenticate")
    return client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (roles.REVIEWER, "review:queue"),
        (roles.SUPERVISOR, "review:queue"),
        (roles.SALES_INQUIRY, "sales:customer_list"),
    ],
)
def test_staff_land_on_their_work_after_signing_in(client, sales_group, role, landing):
    group = sales_group if role == roles.SALES_INQUIRY else None
    user = UserFactory(roles=[role], is_staff=role == roles.SUPERVISOR, sales_group=group)
    secret = enable_totp(user)

    response = sign_in_with_code(client, user, secret)

    assert response.status_code == 302
    assert response["Location"] == reverse(landing)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(response["Location"]).status_code == 200


def test_a_reviewer_following_a_link_lands_where_the_link_pointed(client):
    reviewer = UserFactory(roles=[roles.REVIEWER])
    secret = enable_totp(reviewer)
    dashboard = reverse("review:dashboard")

    response = sign_in_with_code(client, reviewer, secret, next_url=dashboard)

    assert response["Location"] == dashboard


def test_a_customer_still_lands_in_the_user_center(client, customer):
    response = client.post(
        reverse("account_login"), {"login": customer.email, "password": PASSWORD}
    )

    assert response["Location"] == reverse("accounts:user_center")
