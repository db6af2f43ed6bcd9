import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import RiskEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def log_in(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def test_sign_in_with_email_and_password_lands_in_the_user_center(client, customer):
    response = log_in(client, customer.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_center")


def test_wrong_password_is_refused_with_a_message(client, customer):
    response = log_in(client, customer.email, "not-the-password")

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unverified_email_cannot_sign_in_until_confirmed(client):
    user = UserFactory(verified_email=False)

    response = log_in(client, user.email)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, customer, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/key"}

    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        log_in(client, customer.email, "wrong-password", REMOTE_ADDR=address)
    locked = log_in(client, customer.email, REMOTE_ADDR="192.0.2.4")

    assert "Too many failed login attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_ins_from_one_address_are_limited_and_recorded(client, customer, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}

    log_in(client, customer.email, "wrong-1")
    log_in(client, customer.email, "wrong-2")
    refused = log_in(client, customer.email, HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert refused.status_code == 429
    assert RiskEvent.objects.filter(kind=RiskEvent.Kind.LOGIN_RATE_LIMITED).exists()


def test_password_reset_answers_alike_for_known_and_unknown_emails(client, customer):
    url = reverse("account_reset_password")

    known = client.post(url, {"email": customer.email})
    unknown = client.post(url, {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    to_customer = [m for m in mail.outbox if m.to == [customer.email]]
    assert len(to_customer) == 1
    assert "reset" in to_customer[0].body.lower()
