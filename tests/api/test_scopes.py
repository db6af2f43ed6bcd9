"""Every API endpoint against two clients (and a sales group's integration): a key sees only
its own client's customers; a revoked key stops at once; a missing scope is refused."""

import pytest

from api import services
from api.events import on_status_change  # noqa: F401 - registered in ready()
from api.models import ClientApiKey, Scope
from tests.factories import UserFactory, VerificationFactory, staff_user
from tests.notifications.conftest import submit

pytestmark = pytest.mark.django_db


def _lookups(customer, reference):
    """(url, params) of every read endpoint for one customer."""
    return [
        (f"/api/v1/applicants/{reference}", None),
        ("/api/v1/applicants", {"email": customer.email}),
    ]


def test_a_shop_never_sees_another_shops_customer(shop_a, shop_b, customer_of_a, customer_of_b):
    for url, params in _lookups(customer_of_b, "B-200"):
        answer = shop_a.http().get(url, params)
        assert answer.status_code == 404, url
        assert customer_of_b.email not in answer.content.decode()
    for url, params in _lookups(customer_of_a, "A-100"):
        assert shop_a.http().get(url, params).status_code == 200, url
        assert shop_b.http().get(url, params).status_code == 404, url


def test_the_same_reference_at_two_shops_names_two_customers(shop_a, shop_b, customer_of_a):
    from .conftest import attach

    other = UserFactory()
    attach(shop_b, other, "A-100")

    assert shop_a.get("/api/v1/applicants/A-100").json()["email"] == customer_of_a.email
    assert shop_b.get("/api/v1/applicants/A-100").json()["email"] == other.email


def test_a_sales_group_integration_sees_its_groups_customers_only(
    group_integration, shop_a, customer_of_a
):
    group = group_integration.client.sales_group
    member = UserFactory(sales_group=group)
    inquiry_login = staff_user("Sales inquiry", sales_group=group)

    assert group_integration.get("/api/v1/applicants", email=member.email).status_code == 200
    assert group_integration.get("/api/v1/applicants", email=customer_of_a.email).status_code == 404
    assert group_integration.get("/api/v1/applicants/A-100").status_code == 404
    # Staff of the group are not its customers.
    assert group_integration.get("/api/v1/applicants", email=inquiry_login.email).status_code == 404
    assert shop_a.get("/api/v1/applicants", email=member.email).status_code == 404


def test_events_list_only_the_clients_own_customers(shop_a, shop_b, customer_of_a, customer_of_b):
    submit(VerificationFactory(user=customer_of_a))
    submit(VerificationFactory(user=customer_of_b))

    a_events = shop_a.get("/api/v1/events").json()["events"]
    b_events = shop_b.get("/api/v1/events").json()["events"]

    assert [e["data"]["reference"] for e in a_events] == ["A-100"]
    assert [e["data"]["reference"] for e in b_events] == ["B-200"]
    assert customer_of_b.email not in str(a_events)


@pytest.mark.parametrize(
    "url", ["/api/v1/applicants/A-100", "/api/v1/applicants?email=x@example.com", "/api/v1/events"]
)
def test_a_key_revoked_mid_test_stops_at_once(shop_a, customer_of_a, url):
    http = shop_a.http()
    assert http.get(url).status_code in (200, 404)

    services.revoke_key(ClientApiKey.objects.get(client=shop_a.client))
    answer = http.get(url)

    assert answer.status_code == 401
    assert answer.json()["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    "url", ["/api/v1/applicants/A-100", "/api/v1/applicants?email=x@example.com", "/api/v1/events"]
)
def test_no_key_a_wrong_key_and_a_session_are_refused(client, customer_of_a, shop_a, url):
    from rest_framework.test import APIClient

    anonymous = APIClient().get(url)
    wrong = APIClient(HTTP_AUTHORIZATION="Api-Key abcdefgh.not-a-real-key").get(url)
    client.force_login(customer_of_a)  # a customer's session is no API key
    session = client.get(url)

    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert anonymous["WWW-Authenticate"] == "Api-Key"
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_api_key")
    assert session.status_code == 401


def test_a_key_without_the_scope_is_refused(shop_a, customer_of_a):
    _key, events_only = services.create_key(
        shop_a.client, name="poller", scopes=[Scope.EVENTS_READ]
    )
    from rest_framework.test import APIClient

    http = APIClient(HTTP_AUTHORIZATION=f"Api-Key {events_only}")

    refused = http.get("/api/v1/applicants/A-100")
    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_scope")
    assert http.get("/api/v1/events").status_code == 200


def test_an_inactive_client_keys_stop(shop_a, customer_of_a):
    shop_a.client.active = False
    shop_a.client.save()

    assert shop_a.get("/api/v1/applicants/A-100").status_code == 401


def test_last_use_is_recorded(shop_a, customer_of_a):
    shop_a.get("/api/v1/applicants/A-100")

    assert ClientApiKey.objects.get(client=shop_a.client).last_used_at is not None


def test_a_sales_group_integration_hears_of_its_groups_customers_only(
    group_integration, shop_a, customer_of_a
):
    member = UserFactory(sales_group=group_integration.client.sales_group)
    submit(VerificationFactory(user=member))
    submit(VerificationFactory(user=customer_of_a))

    group_events = group_integration.get("/api/v1/events").json()["events"]
    shop_events = shop_a.get("/api/v1/events").json()["events"]

    assert [(e["data"]["email"], e["data"]["reference"]) for e in group_events] == [
        (member.email, None)
    ]
    assert [e["data"]["email"] for e in shop_events] == [customer_of_a.email]
