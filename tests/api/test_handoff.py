"""POST /api/v1/invitations and the hand-off link: signed, single use, expiring; the reference
is attached to whoever signs up or in; after submitting, back to the shop's registered domain.
A bad link gets a clear page (English and Chinese) and no redirect."""

import datetime
import re

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from accounts.models import User
from api.models import ClientCustomer, Invitation
from tests.factories import UserFactory
from tests.verification.test_submission import _submit, complete_passport_draft

pytestmark = pytest.mark.django_db

RETURN = "https://shop.example.com/checkout?order=7"


@pytest.fixture
def registered(shop_a):
    shop_a.client.return_domains = "shop.example.com\nwww.shop.example.com"
    shop_a.client.save()
    return shop_a


def invite(api_client, **body):
    return api_client.http().post("/api/v1/invitations", body, format="json")


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_an_invitation_is_a_signed_expiring_link(registered, settings):
    settings.PORTAL_URL = "https://kyc.example.com"

    answer = invite(registered, reference="A-7", email="buyer@example.com", return_url=RETURN)

    assert answer.status_code == 201
    body = answer.json()
    assert body["url"].startswith("https://kyc.example.com/api/handoff/")
    invitation = Invitation.objects.get()
    assert (invitation.reference, invitation.return_url) == ("A-7", RETURN)
    assert invitation.expires_at == datetime.datetime.fromisoformat(body["expires_at"])


@pytest.mark.parametrize(
    "body, code",
    [
        ({"reference": "A-7", "shop": "x"}, "unknown_field"),
        ({"reference": ""}, "invalid_request"),
        ({"email": "a@example.com"}, "invalid_request"),
        ({"reference": "A-7", "return_url": "https://evil.example.net/"}, "return_url_not_allowed"),
        ({"reference": "A-7", "return_url": "http://shop.example.com/"}, "return_url_not_allowed"),
        (
            {"reference": "A-7", "return_url": "https://me@shop.example.com/"},
            "return_url_not_allowed",
        ),
    ],
)
def test_bad_invitations_are_refused_and_nothing_is_made(registered, body, code):
    answer = registered.http().post("/api/v1/invitations", body, format="json")

    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code
    assert not Invitation.objects.exists()


def test_a_key_without_the_invitation_scope_is_refused(registered):
    from rest_framework.test import APIClient

    from api import services

    _key, raw = services.create_key(registered.client, name="reader", scopes=["applicants:read"])
    answer = APIClient(HTTP_AUTHORIZATION=f"Api-Key {raw}").post(
        "/api/v1/invitations", {"reference": "A-7"}, format="json"
    )

    assert answer.status_code == 403 and answer.json()["code"] == "insufficient_scope"


def test_a_new_visitor_signs_up_and_the_reference_is_attached(registered):
    link = path_of(invite(registered, reference="A-7", return_url=RETURN).json()["url"])
    browser = Client()

    landing = browser.get(link)
    assert landing.status_code == 302
    assert landing["Location"] == "/accounts/signup/?next=%2Fapi%2Fhandoff%2Fcontinue%2F"

    customer = UserFactory()  # signed up and confirmed their address
    browser.force_login(customer)  # the sign-in signal attaches the reference
    onward = browser.get("/api/handoff/continue/")

    assert onward["Location"] == "/kyc/"
    link_row = ClientCustomer.objects.get(client=registered.client)
    assert (link_row.user, link_row.reference) == (customer, "A-7")
    assert Invitation.objects.get().used_by == customer
    assert registered.get("/api/v1/applicants/A-7").json()["status"] == "not_submitted"


def email_field_value(page) -> str | None:
    found = re.search(r'<input[^>]*name="email"[^>]*>', page.content.decode())
    value = re.search(r'value="([^"]*)"', found.group(0)) if found else None
    return value.group(1) if value else None


def test_the_sign_up_form_offers_the_address_the_shop_gave(registered):
    link = path_of(invite(registered, reference="A-7", email="Buyer@Example.com").json()["url"])
    browser = Client()

    sign_up = browser.get(browser.get(link)["Location"])

    assert email_field_value(sign_up) == "Buyer@Example.com"
    # The customer may type another address: the account is made with what was sent.
    browser.post(
        "/accounts/signup/?next=/api/handoff/continue/",
        {
            "email": "own.address@example.com",
            "password1": "a-sturdy-passphrase-42",
            "password2": "a-sturdy-passphrase-42",
        },
    )
    assert User.objects.filter(email="own.address@example.com").exists()
    assert not User.objects.filter(email__iexact="buyer@example.com").exists()


def test_a_link_without_an_address_leaves_the_field_empty(registered):
    browser = Client()
    with_email = path_of(invite(registered, reference="A-7", email="a@example.com").json()["url"])
    without = path_of(invite(registered, reference="A-8").json()["url"])
    browser.get(with_email)  # followed, then abandoned for a second link

    sign_up = browser.get(browser.get(without)["Location"])

    assert email_field_value(sign_up) in (None, "")
    assert email_field_value(Client().get("/accounts/signup/")) in (None, "")


def test_a_signed_in_customer_is_attached_at_once_and_sent_back_after_submitting(
    registered, customer
):
    link = path_of(invite(registered, reference="A-7", return_url=RETURN).json()["url"])
    browser = Client()
    browser.force_login(customer)

    assert browser.get(link)["Location"] == "/kyc/"
    complete_passport_draft(customer)
    submitted = _submit(browser)
    back = browser.get(submitted["Location"])

    assert submitted["Location"] == "/api/handoff/return/"
    assert back.status_code == 200
    assert f'content="1;url={RETURN.replace("&", "&amp;")}"' in back.content.decode()
    assert f'href="{RETURN}"' in back.content.decode()
    assert registered.get("/api/v1/applicants/A-7").json()["status"] == "provided"
    # Once: later visits of the return page go to the status page.
    assert browser.get("/api/handoff/return/")["Location"] == "/kyc/status/"


def test_before_submitting_the_return_page_does_not_leave(registered, customer):
    link = path_of(invite(registered, reference="A-7", return_url=RETURN).json()["url"])
    browser = Client()
    browser.force_login(customer)
    browser.get(link)

    assert browser.get("/api/handoff/return/")["Location"] == "/kyc/status/"


def refusal(response, status, english):
    assert response.status_code == status
    assert not response.has_header("Location")
    assert english in response.content.decode()


def test_a_used_link_gets_a_clear_page_and_no_redirect(registered, customer, outsider):
    link = path_of(invite(registered, reference="A-7", return_url=RETURN).json()["url"])
    first = Client()
    first.force_login(customer)
    first.get(link)

    second = Client()
    second.force_login(outsider)
    refusal(second.get(link), 410, "already been used")
    refusal(Client().get(link), 410, "already been used")
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(link)
    assert chinese.status_code == 410 and "此链接已被使用" in chinese.content.decode()
    assert ClientCustomer.objects.get().user == customer


def test_an_expired_link_gets_a_clear_page(registered, customer):
    link = path_of(invite(registered, reference="A-7").json()["url"])
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    browser = Client()
    browser.force_login(customer)

    refusal(browser.get(link), 410, "has expired")
    assert not ClientCustomer.objects.exists()


@pytest.mark.parametrize("tamper", ["swap_id", "cut", "other_salt"])
def test_a_tampered_link_gets_a_clear_page(registered, customer, tamper):
    link = path_of(invite(registered, reference="A-7").json()["url"])
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    forged = {
        "swap_id": token.replace(
            token.split(":")[0], signing.b64_encode(b'{"i":99,"n":"x"}').decode()
        ),
        "cut": token[:-3],
        "other_salt": signing.dumps({"i": invitation.pk, "n": invitation.nonce}),
    }[tamper]
    browser = Client()
    browser.force_login(customer)

    refusal(browser.get(f"/api/handoff/{forged}/"), 400, "not valid")
    assert not ClientCustomer.objects.exists()


def test_a_return_url_no_longer_registered_gets_a_clear_page(registered, customer):
    link = path_of(invite(registered, reference="A-7", return_url=RETURN).json()["url"])
    registered.client.return_domains = "other.example.com"
    registered.client.save()
    browser = Client()
    browser.force_login(customer)

    refusal(browser.get(link), 400, "has not registered")


def test_a_reference_of_another_account_is_refused(registered, customer, outsider):
    ClientCustomer.objects.create(client=registered.client, user=outsider, reference="A-7")
    link = path_of(invite(registered, reference="A-7").json()["url"])
    browser = Client()
    browser.force_login(customer)

    refusal(browser.get(link), 409, "already knows another account")
    assert Invitation.objects.get().used_at is None


def test_staff_cannot_use_a_link(registered, reviewer):
    link = path_of(invite(registered, reference="A-7").json()["url"])
    browser = Client()
    browser.force_login(reviewer)

    refusal(browser.get(link), 403, "Staff accounts")
