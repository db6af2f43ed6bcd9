"""The account emails allauth sends speak as the portal, in the reader's language, and every link
in them leads to PORTAL_URL whatever host the request came in on."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.django_db

PORTAL = "https://kyc.portal.test"
NEW_PASSWORD = "another-horse-battery-7"
# What allauth's own templates say, and the request's host they would put into links.
DEFAULT_TEXTS = ("Hello from", "Thank you for using", "example.com", "testserver")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
LANGUAGES = {
    "en": {"greeting": "Hello,", "footer": "We never ask for your password"},
    "zh-hans": {"greeting": "您好：", "footer": "我们绝不会通过邮件索要您的密码"},
}


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_URL = PORTAL


@pytest.fixture(params=["en", "zh-hans"])
def language(request, client):
    client.cookies["django_language"] = request.param
    return request.param


def links_in(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def assert_portal_email(message, language, *, expect_links=True) -> list[str]:
    """The portal's own text in the given language; every link on PORTAL_URL."""
    text = message.subject + "\n" + message.body
    for default in DEFAULT_TEXTS:
        assert default not in text, f"{default!r} in {message.subject!r}"
    assert message.subject.startswith("[KYC Portal] ")
    assert message.body.startswith(LANGUAGES[language]["greeting"])
    assert LANGUAGES[language]["footer"] in message.body
    links = links_in(message)
    assert not expect_links or links
    assert all(link.startswith(PORTAL + "/") for link in links), links
    # The subject and the first sentence are translated too, not just the frame around them.
    first_sentence = message.body.splitlines()[2]
    for translated in (message.subject, first_sentence):
        assert bool(CHINESE.search(translated)) == (language == "zh-hans"), translated
    return links


def only_email_to(address):
    sent = [m for m in mail.outbox if m.to == [address]]
    assert len(sent) == 1, [m.subject for m in mail.outbox]
    return sent[0]


def path_of(link: str) -> str:
    return urlsplit(link).path


def test_signup_confirmation_leads_to_the_portal_and_confirms(client, language):
    client.post(
        reverse("account_signup"),
        {"email": "new.customer@mail.test", "password1": PASSWORD, "password2": PASSWORD},
    )

    message = only_email_to("new.customer@mail.test")
    links = assert_portal_email(message, language)
    confirm = [link for link in links if "/confirm-email/" in link]
    assert len(confirm) == 1
    client.post(path_of(confirm[0]))
    assert EmailAddress.objects.get(email="new.customer@mail.test").verified


def test_confirming_another_address_sends_the_portals_email(client, language):
    user = UserFactory(email="owner@mail.test")
    client.force_login(user)

    client.post(reverse("account_email"), {"email": "second@mail.test", "action_add": ""})

    message = only_email_to("second@mail.test")
    links = assert_portal_email(message, language)
    assert any("/confirm-email/" in link for link in links)
    assert EmailAddress.objects.filter(email="second@mail.test", verified=False).exists()


def test_password_reset_link_is_on_the_portal_and_resets(client, language):
    user = UserFactory(email="forgetful@mail.test")

    client.post(reverse("account_reset_password"), {"email": "forgetful@mail.test"})

    message = only_email_to("forgetful@mail.test")
    link = assert_portal_email(message, language)[0]
    assert link.startswith(PORTAL + "/accounts/password/reset/key/")
    form = client.get(path_of(link), follow=True)
    assert form.status_code == 200
    set_password_path = form.redirect_chain[-1][0] if form.redirect_chain else path_of(link)
    client.post(set_password_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # allauth then tells the owner the password was reset: the portal's notification too.
    notice = [m for m in mail.outbox if m is not message]
    assert len(notice) == 1
    assert_portal_email(notice[0], language)


def test_password_reset_for_an_unknown_address_offers_the_portals_sign_up(client, language):
    client.post(reverse("account_reset_password"), {"email": "nobody@mail.test"})

    message = only_email_to("nobody@mail.test")
    links = assert_portal_email(message, language)
    assert set(links) == {PORTAL + reverse("account_signup"), PORTAL + "/"}
    assert not User.objects.filter(email="nobody@mail.test").exists()


def test_signing_up_again_with_a_taken_address_tells_the_owner_through_the_portal(client, language):
    UserFactory(email="taken@mail.test")

    client.post(
        reverse("account_signup"),
        {"email": "taken@mail.test", "password1": PASSWORD, "password2": PASSWORD},
    )

    message = only_email_to("taken@mail.test")
    links = assert_portal_email(message, language)
    assert PORTAL + reverse("account_login") in links
    assert PORTAL + reverse("account_reset_password") in links
    assert User.objects.filter(email="taken@mail.test").count() == 1


def test_changing_the_password_sends_the_portals_security_notice(client, language):
    user = UserFactory(email="careful@mail.test")
    client.force_login(user)

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    message = only_email_to("careful@mail.test")
    links = assert_portal_email(message, language)
    assert PORTAL + reverse("account_reset_password") in links


@pytest.mark.django_db(transaction=True)  # allauth mails on commit, inside the request
def test_turning_on_two_step_verification_sends_the_portals_notice(client, language):
    user = UserFactory(email="secure@mail.test")
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    activate = client.get(reverse("mfa_activate_totp"), follow=True)
    if activate.redirect_chain:  # allauth asks for the password again before security changes
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        activate = client.get(reverse("mfa_activate_totp"))
    secret = activate.context["form"].secret

    client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    message = only_email_to("secure@mail.test")
    assert_portal_email(message, language)
    assert "authenticator" in message.body or "身份验证器" in message.body


def test_a_forged_host_header_never_reaches_a_reset_link(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.test"]
    UserFactory(email="target@mail.test")

    client.post(
        reverse("account_reset_password"), {"email": "target@mail.test"}, HTTP_HOST="evil.test"
    )

    message = only_email_to("target@mail.test")
    assert "evil.test" not in message.body
    assert links_in(message)[0].startswith(PORTAL + "/accounts/password/reset/key/")
