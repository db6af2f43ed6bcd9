"""create_api_client and add_webhook_endpoint print their secret once; bad input is refused."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from api.models import ApiClient, ClientApiKey, WebhookEndpoint
from tests.factories import SalesGroupFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_create_api_client_prints_a_working_key_stored_hashed():
    group = SalesGroupFactory(name="North")

    key = run("create_api_client", "Shop", "--sales-group", "North")

    client = ApiClient.objects.get(name="Shop")
    assert client.sales_group == group
    stored = ClientApiKey.objects.get(client=client)
    assert key not in stored.hashed_key and key.split(".")[1] not in stored.id
    answer = APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}").get("/api/v1/events")
    assert answer.status_code == 200


def test_create_api_client_refuses_a_taken_name_and_an_unknown_group():
    run("create_api_client", "Shop")

    with pytest.raises(CommandError):
        run("create_api_client", "Shop")
    with pytest.raises(CommandError, match="No sales group"):
        run("create_api_client", "Other", "--sales-group", "Nowhere")
    assert ApiClient.objects.count() == 1


def test_add_webhook_endpoint_prints_its_secret_once(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    run("create_api_client", "Shop")

    secret = run(
        "add_webhook_endpoint",
        "Shop",
        "https://shop.example.com/hooks",
        "--events",
        "applicant.passed,applicant.rejected",
    )

    endpoint = WebhookEndpoint.objects.get()
    assert secret.startswith("whsec_") and endpoint.secret == secret
    assert endpoint.events == ["applicant.passed", "applicant.rejected"]


@pytest.mark.parametrize(
    "url, events, message",
    [
        ("http://shop.example.com/hooks", "", "https"),
        ("https://shop.example.com/hooks", "applicant.exploded", "Unknown events"),
    ],
)
def test_add_webhook_endpoint_refuses_bad_input(settings, url, events, message):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    run("create_api_client", "Shop")

    with pytest.raises(CommandError, match=message):
        run("add_webhook_endpoint", "Shop", url, "--events", events)
    with pytest.raises(CommandError, match="No API client"):
        run("add_webhook_endpoint", "Nobody", "https://shop.example.com/hooks")
    assert not WebhookEndpoint.objects.exists()
