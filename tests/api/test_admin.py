"""The back office: supervisors create keys and endpoints (shown once), rotate, revoke."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from api.models import ClientApiKey, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_office(supervisor):
    client = Client()
    client.force_login(supervisor)
    return client


def test_a_supervisor_creates_a_key_shown_once_that_works(back_office, shop_a, customer_of_a):
    page = back_office.post(
        "/admin/api/apiclient/",
        {"action": "create_api_key", "_selected_action": [shop_a.client.pk]},
    )

    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    key = re.search(r"<code>([^<]+)</code>", page.content.decode()).group(1)
    answer = APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}").get("/api/v1/applicants/A-100")
    assert answer.status_code == 200
    assert ClientApiKey.objects.filter(client=shop_a.client).count() == 2
    listing = back_office.get(f"/admin/api/apiclient/{shop_a.client.pk}/change/")
    assert key not in listing.content.decode()


def test_a_supervisor_revokes_a_key(back_office, shop_a, customer_of_a):
    api_key = ClientApiKey.objects.get(client=shop_a.client)

    back_office.post(
        "/admin/api/clientapikey/", {"action": "revoke", "_selected_action": [api_key.pk]}
    )

    assert shop_a.get("/api/v1/applicants/A-100").status_code == 401


def test_a_supervisor_adds_an_endpoint_and_sees_its_secret_once(back_office, shop_a, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    page = back_office.post(
        "/admin/api/webhookendpoint/add/",
        {
            "client": shop_a.client.pk,
            "url": "https://shop.example.com/h",
            "events": ["applicant.passed"],
        },
    )
    secret = re.search(r"<code>(whsec_[^<]+)</code>", page.content.decode()).group(1)

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret
    assert endpoint.events == ["applicant.passed"]
    rotated = back_office.post(
        "/admin/api/webhookendpoint/",
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
    )
    new = re.search(r"<code>(whsec_[^<]+)</code>", rotated.content.decode()).group(1)
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.previous_secret) == (new, secret)
    assert endpoint.previous_secret_until is not None


def test_the_admin_refuses_an_http_endpoint(back_office, shop_a, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    page = back_office.post(
        "/admin/api/webhookendpoint/add/",
        {"client": shop_a.client.pk, "url": "http://shop.example.com/h"},
    )

    assert page.status_code == 200 and b"https" in page.content
    assert not WebhookEndpoint.objects.exists()


def test_a_supervisor_narrows_a_keys_scopes(back_office, shop_a, customer_of_a):
    api_key = ClientApiKey.objects.get(client=shop_a.client)

    saved = back_office.post(
        f"/admin/api/clientapikey/{api_key.pk}/change/",
        {"name": "poller", "scopes": ["events:read"]},
    )

    assert saved.status_code == 302
    api_key.refresh_from_db()
    assert api_key.scopes == ["events:read"]
    assert shop_a.get("/api/v1/applicants/A-100").status_code == 403
    assert shop_a.get("/api/v1/events").status_code == 200
