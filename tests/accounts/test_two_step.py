import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def test_customer_turns_on_the_authenticator_app_from_the_user_center(client, customer):
    client.post(reverse("account_login"), {"login": customer.email, "password": PASSWORD})
    center = client.get(reverse("accounts:user_center")).content.decode()
    assert reverse("mfa_index") in center

    activate = client.get(reverse("mfa_activate_totp"), follow=True)
    if activate.redirect_chain:  # allauth asks for the password again before security changes
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        activate = client.get(reverse("mfa_activate_totp"))
    secret = activate.context["form"].secret
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    right = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    assert right.status_code == 302
    types = set(Authenticator.objects.filter(user=customer).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    page = client.get(reverse("accounts:user_center")).content.decode()
    assert "On" in page


def test_a_recovery_code_signs_in_when_the_phone_is_lost(client, customer):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.factories import enable_totp

    enable_totp(customer)
    codes = RecoveryCodes(
        Authenticator.objects.get(user=customer, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()

    client.post(reverse("account_login"), {"login": customer.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(customer.pk)
