"""A shop's hand-off link in a real browser: sign up, confirm, sign in, land in the wizard with
the shop's reference attached, submit, and arrive back at the shop."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from api import services
from api.models import ClientCustomer
from tests.verification.test_submission import complete_passport_draft

pytestmark = pytest.mark.django_db(transaction=True)

RETURN = "https://shop.example.com/checkout?order=7"


def test_a_shop_customer_follows_the_link_signs_up_submits_and_returns_to_the_shop(
    page, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    client, key = services.create_client("Machine shop")
    client.return_domains = "shop.example.com"
    client.save()
    answer = APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}").post(
        "/api/v1/invitations",
        {"reference": "ORDER-7", "email": "shop.buyer@example.com", "return_url": RETURN},
        format="json",
    )
    link = answer.json()["url"]
    # The shop is not on this machine: the browser is answered here instead of the network.
    page.route(
        "https://shop.example.com/**",
        lambda route: route.fulfill(body="<h1>Back at the shop</h1>", content_type="text/html"),
    )

    page.goto(link)
    # The address the shop gave is filled in already.
    expect(page.locator("input[name=email]")).to_have_value("shop.buyer@example.com")
    page.fill("input[name=password1]", "a-sturdy-passphrase-42")
    page.fill("input[name=password2]", "a-sturdy-passphrase-42")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_text("Verify Your Email Address").first.wait_for()
    sent = "".join(p.read_text() for p in Path(settings.EMAIL_FILE_PATH).iterdir())
    page.goto(re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+/", sent).group(0))
    page.get_by_role("button", name="Confirm").click()
    page.fill("input[name=login]", "shop.buyer@example.com")
    page.fill("input[name=password]", "a-sturdy-passphrase-42")
    page.get_by_role("button", name="Sign In").click()

    page.wait_for_url(re.compile(r"/kyc/certificate/$"))
    attached = ClientCustomer.objects.get(client=client)
    assert (attached.user.email, attached.reference) == ("shop.buyer@example.com", "ORDER-7")

    complete_passport_draft(attached.user)  # the wizard's steps have browser tests of their own
    page.goto("/kyc/review/")
    page.check("#id_declaration")
    page.get_by_role("button", name="Submit").click()

    page.wait_for_url(RETURN)
    assert page.locator("h1").inner_text() == "Back at the shop"
    page.goto(link)  # the link was used up
    assert "already been used" in page.content()
