"""Two clients that must never see each other's customers: a shop with its own references,
and a sales group's integration."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient as HttpClient

from api import services
from api.models import ApiClient, ClientCustomer
from tests.factories import SalesGroupFactory, UserFactory, VerificationFactory


@dataclass
class Shop:
    client: ApiClient
    key: str

    def http(self) -> HttpClient:
        http = HttpClient()
        http.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.key}")
        return http

    def get(self, url, **params):
        return self.http().get(url, params or None)


def make_shop(name, *, sales_group=None) -> Shop:
    client, key = services.create_client(
        name, sales_group_name=sales_group.name if sales_group else None
    )
    return Shop(client, key)


def attach(shop: Shop, user, reference: str) -> ClientCustomer:
    return ClientCustomer.objects.create(client=shop.client, user=user, reference=reference)


@pytest.fixture
def shop_a(db):
    return make_shop("Machine shop A")


@pytest.fixture
def shop_b(db):
    return make_shop("Machine shop B")


@pytest.fixture
def group_integration(db):
    return make_shop("Sales group integration", sales_group=SalesGroupFactory())


@pytest.fixture
def customer_of_a(shop_a):
    user = UserFactory()
    attach(shop_a, user, "A-100")
    return user


@pytest.fixture
def customer_of_b(shop_b):
    user = UserFactory()
    attach(shop_b, user, "B-200")
    return user


@pytest.fixture
def secret_application(customer_of_a):
    """A submitted application holding what a shop must never read."""
    return VerificationFactory(
        user=customer_of_a,
        status="provided",
        document_number="X12345678",
        surname="SECRETSURNAME",
        given_names="HIDDEN",
    )


@pytest.fixture
def receiver():
    from .receiver import start_receiver

    state, server = start_receiver()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback_allowed(settings):
    """Tests deliver to a loopback receiver over http; production refuses both."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.WEBHOOK_RETRY_SCHEDULE = [1, 1, 1]


@pytest.fixture
def endpoint_of_a(shop_a, receiver, loopback_allowed):
    """(endpoint, secret) of shop A, pointing at the receiver."""
    return services.add_endpoint(shop_a.client, receiver.url)
