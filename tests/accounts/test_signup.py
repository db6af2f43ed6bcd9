import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.urls import reverse

from accounts.models import RiskEvent, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")


def sign_up(client, email, password=PASSWORD, **extra):
    data = {"email": email, "password1": password, "password2": password}
    return client.post(SIGNUP, data, **extra)


def test_signup_with_email_sends_a_confirmation_and_leaves_the_address_unverified(client):
    response = sign_up(client, "new.customer@example.com")

    assert response.status_code == 302
    user = User.objects.get(email="new.customer@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert "confirm" in mail.outbox[0].body.lower()


def test_signup_form_has_no_username_or_phone_field(client):
    form = client.get(SIGNUP).context["form"]

    assert set(form.fields) >= {"email", "password1", "password2"}
    assert "username" not in form.fields and "phone" not in form.fields


@pytest.mark.parametrize("typed", ["13812345678", "+86 138 1234 5678", "138-1234-5678"])
def test_phone_number_in_the_email_field_is_refused_with_a_clear_message(client, typed):
    response = sign_up(client, typed)

    assert response.status_code == 200
    assert "mobile numbers" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        # Email validation allows any character above U+00A0 in the domain, U+202E included.
        {"email": "jane@exam\u202eple.com"},
        {"email": "jane@exam\u200bple.com"},
        {"email": "jane@example.com", "referral_code": "ABC\u202e123"},
    ],
)
def test_an_invisible_character_in_a_signup_field_is_refused_and_creates_nothing(client, extra):
    data = {"password1": PASSWORD, "password2": PASSWORD, **extra}
    response = client.post(SIGNUP, data)

    assert response.status_code == 200
    field = "referral_code" if "referral_code" in extra else "email"
    assert (
        response.context["form"]
        .errors[field][0]
        .startswith("This contains an invisible character (U+")
    )
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("password", "complaint"),
    [
        ("short1!", "at least 10 characters"),
        ("password123", "too common"),
        ("jane.doe.example", "too similar"),
        ("1234567890123", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused_and_create_nothing(client, password, complaint):
    response = sign_up(client, "jane.doe@example.com", password)

    assert response.status_code == 200
    assert complaint in response.content.decode()
    assert not User.objects.exists()
    assert not mail.outbox


def test_signing_up_again_in_other_letter_case_creates_no_second_account(client):
    existing = UserFactory(email="taken@example.com")

    response = sign_up(client, "TAKEN@Example.COM")
    fresh = sign_up(client, "fresh@example.com")

    # The page answers exactly as for a new sign-up: nothing tells a stranger it exists.
    assert response.status_code == fresh.status_code == 302
    assert response["Location"] == fresh["Location"]
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    to_owner = [m for m in mail.outbox if m.to == [existing.email]]
    assert len(to_owner) == 1
    assert "already" in to_owner[0].body.lower()


def test_confirming_the_email_from_the_link_verifies_it(client):
    sign_up(client, "confirm.me@example.com")
    address = EmailAddress.objects.get(email="confirm.me@example.com")
    key = EmailConfirmationHMAC(address).key

    response = client.post(reverse("account_confirm_email", args=[key]))

    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified


@pytest.mark.parametrize(
    "key", ["forged-key", "MQ:1tWmJx:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
)
def test_a_forged_or_expired_confirmation_link_says_so_and_verifies_nothing(client, key):
    sign_up(client, "careful@example.com")

    page = client.get(reverse("account_confirm_email", args=[key]))
    client.post(reverse("account_confirm_email", args=[key]))

    assert "expired or is invalid" in page.content.decode()
    assert not EmailAddress.objects.get(email="careful@example.com").verified


def test_an_expired_confirmation_link_verifies_nothing(client, settings):
    sign_up(client, "late@example.com")
    address = EmailAddress.objects.get(email="late@example.com")
    key = EmailConfirmationHMAC(address).key
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = -1

    client.post(reverse("account_confirm_email", args=[key]))

    address.refresh_from_db()
    assert not address.verified


def test_signup_limit_per_address_answers_clearly_and_records_a_risk_event(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}

    sign_up(client, "one@example.com")
    sign_up(client, "two@example.com")
    refused = sign_up(client, "three@example.com")

    assert refused.status_code == 429
    assert "Too Many" in refused.content.decode() or "too many" in refused.content.decode()
    assert not User.objects.filter(email="three@example.com").exists()
    assert RiskEvent.objects.filter(kind=RiskEvent.Kind.SIGNUP_RATE_LIMITED).count() == 1


def test_a_forged_forwarded_for_header_does_not_reset_the_signup_limit(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}

    sign_up(client, "one@example.com", HTTP_X_FORWARDED_FOR="10.0.0.1")
    refused = sign_up(client, "two@example.com", HTTP_X_FORWARDED_FOR="10.0.0.2")

    assert refused.status_code == 429
    assert not User.objects.filter(email="two@example.com").exists()


def test_signup_limit_per_email_domain(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup_domain": "2/h/key"}

    sign_up(client, "a@burst.example", REMOTE_ADDR="192.0.2.1")
    sign_up(client, "b@burst.example", REMOTE_ADDR="192.0.2.2")
    refused = sign_up(client, "c@burst.example", REMOTE_ADDR="192.0.2.3")

    assert refused.status_code == 200
    assert "email domain" in refused.content.decode()
    assert not User.objects.filter(email="c@burst.example").exists()
    event = RiskEvent.objects.get(kind=RiskEvent.Kind.SIGNUP_DOMAIN_LIMITED)
    assert event.email_domain == "burst.example"


def test_signup_remembers_the_language_it_was_made_in(client):
    client.cookies["django_language"] = "zh-hans"

    sign_up(client, "zh.customer@example.com")

    assert User.objects.get(email="zh.customer@example.com").preferred_language == "zh-hans"


def field_block(page: str, name: str) -> str:
    """The markup of one field on the sign-up page: label, input, its errors and help."""
    return re.search(
        rf'<div class="form-field[^"]*" id="field-{name}">(.*?)\n  </div>', page, re.S
    )[1]


def test_every_signup_error_is_shown_under_its_own_field_at_once(client):
    response = client.post(
        SIGNUP,
        {
            "email": "not-an-address",
            "password1": "short",
            "password2": "shorter",
            "referral_code": "NO-SUCH-CODE",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    email, first, second, referral = (
        field_block(page, name) for name in ("email", "password1", "password2", "referral_code")
    )
    # Each message comes after its own input and appears nowhere else.
    assert email.index('name="email"') < email.index("Enter a valid email address.")
    assert first.index('name="password1"') < first.index("This password is too short.")
    assert second.index('name="password2"') < second.index(
        "You must type the same password each time."
    )
    assert "This referral code is not known." in referral
    assert page.count("You must type the same password each time.") == 1
    assert page.count("This password is too short.") == 1
    assert not User.objects.exists()


def test_a_mistyped_second_password_is_reported_with_a_weak_first_one(client):
    response = sign_up(client, "new.customer@example.com", password="x")
    assert "You must type the same password each time." not in response.content.decode()

    response = client.post(
        SIGNUP, {"email": "new.customer@example.com", "password1": "x", "password2": "y"}
    )
    errors = response.context["form"].errors

    assert errors["password2"] == ["You must type the same password each time."]
    assert "password1" in errors
    assert not User.objects.exists()


def test_a_mistyped_second_password_is_reported_in_chinese(client):
    client.post(reverse("accounts:set_language"), {"language": "zh-hans"})

    response = client.post(
        SIGNUP, {"email": "new.customer@example.com", "password1": "x", "password2": "y"}
    )

    assert "您两次输入的密码不一致。" in field_block(response.content.decode(), "password2")
