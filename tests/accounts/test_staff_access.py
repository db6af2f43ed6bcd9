import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts import roles
from tests.factories import enable_totp, staff_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", sorted(roles.STAFF_ROLES))
def test_staff_without_two_step_verification_are_sent_to_set_it_up(client, role):
    user = staff_user(role, mfa=False)
    client.force_login(user)

    for url in ("/review/", "/sales/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")


def test_demo_staff_may_skip_two_step_verification_only_when_the_setting_says_so(client, settings):
    user = staff_user(roles.SUPERVISOR, mfa=False, is_demo=True)
    client.force_login(user)

    settings.DEMO_ACCOUNTS_SKIP_MFA = False
    assert client.get("/admin/").status_code == 302
    settings.DEMO_ACCOUNTS_SKIP_MFA = True
    assert client.get("/admin/").status_code == 200


def test_supervisor_with_two_step_verification_opens_the_admin(client, supervisor):
    client.force_login(supervisor)

    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_goes_through_the_portal_sign_in(client):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_customer_cannot_open_the_admin(client, customer):
    client.force_login(customer)

    assert client.get("/admin/").status_code in (302, 403)
    assert client.get("/admin/accounts/user/").status_code in (302, 403)


def test_sign_in_asks_for_the_authenticator_code_when_it_is_on(client, customer):
    from tests.factories import PASSWORD

    enable_totp(customer)

    response = client.post(
        reverse("account_login"), {"login": customer.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_authenticator_secrets_are_stored_encrypted(customer):
    secret = enable_totp(customer)

    stored = Authenticator.objects.get(user=customer, type=Authenticator.Type.TOTP)
    assert secret not in str(stored.data)
    assert stored.wrap().instance.data["secret"] != secret
