"""api.lookup: the API's two statements, written out, answer exactly what the ORM answers
(values, types and time zones) on SQLite and PostgreSQL, and refuse what the ORM refused."""

import datetime

import pytest
from django.utils import timezone

from api import applicants, lookup, services
from api.models import ClientApiKey, ClientCustomer
from tests.factories import UserFactory, VerificationFactory, staff_user

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "provided", "submitted_at": NOW, "sla_due_at": NOW},
        {"status": "supplement_requested", "sla_due_at": NOW},
        {
            "status": "passed",
            "decided_at": NOW,
            "valid_until": (NOW + datetime.timedelta(days=700)).date(),
        },
        {"status": "rejected", "decided_at": NOW, "may_retry": True},
        {"status": "lapsed", "decided_at": NOW, "account_type": "organization"},
        {"status": "draft", "nationality": ""},
    ],
)
def test_the_statement_gives_what_the_orm_gives(shop_a, customer_of_a, fields):
    VerificationFactory(user=customer_of_a, status="rejected")  # an older one: not shown
    VerificationFactory(user=customer_of_a, **fields)

    fast = applicants.data_by_reference(shop_a.client, "A-100")

    orm = applicants.applicant_data(
        shop_a.client, applicants.find_by_reference(shop_a.client, "A-100")
    )
    assert fast == orm
    assert fast["status"] == applicants.API_STATUS[fields["status"]]


def test_no_application_and_unknown_references(shop_a, shop_b, customer_of_a):
    assert applicants.data_by_reference(shop_a.client, "A-100")["status"] == "not_submitted"
    assert applicants.data_by_reference(shop_a.client, "A-999") is None
    assert applicants.data_by_reference(shop_b.client, "A-100") is None


@pytest.mark.parametrize("who", ["inactive", "is_staff", "reviewer"])
def test_staff_and_closed_accounts_are_not_found(shop_a, who):
    if who == "reviewer":
        user = staff_user("Reviewer")
    else:
        user = UserFactory(**{"is_active": False} if who == "inactive" else {"is_staff": True})
    ClientCustomer.objects.create(client=shop_a.client, user=user, reference="S-1")

    assert applicants.data_by_reference(shop_a.client, "S-1") is None
    assert applicants.find_by_reference(shop_a.client, "S-1") is None


def test_the_key_comes_with_its_client_as_the_orm_loads_them(shop_a):
    stored = ClientApiKey.objects.select_related("client").get(client=shop_a.client)
    stored.expiry_date = NOW + datetime.timedelta(days=1)
    stored.save()

    found = lookup.usable_key(stored.prefix)

    for name in lookup.KEY_FIELDS:
        assert getattr(found, name) == getattr(stored, name), name
    assert found.expiry_date.tzinfo is not None and found.scopes == stored.scopes
    assert (found.client.pk, found.client.active) == (shop_a.client.pk, True)
    assert found.client.name == shop_a.client.name  # not loaded: read when asked
    assert lookup.usable_key("nosuchpx") is None


def test_a_wrong_secret_with_a_right_prefix_and_an_expired_key_are_refused(shop_a, customer_of_a):
    from rest_framework.test import APIClient

    stored = ClientApiKey.objects.get(client=shop_a.client)
    forged = APIClient(HTTP_AUTHORIZATION=f"Api-Key {stored.prefix}.{'x' * 32}")
    assert forged.get("/api/v1/applicants/A-100").status_code == 401

    stored.expiry_date = NOW - datetime.timedelta(seconds=1)
    stored.save()
    expired = shop_a.get("/api/v1/applicants/A-100")
    assert (expired.status_code, expired.json()["code"]) == (401, "invalid_api_key")


def test_a_second_key_of_the_client_works_and_revoking_it_leaves_the_first(shop_a, customer_of_a):
    from rest_framework.test import APIClient

    second, raw = services.create_key(shop_a.client, name="second")
    http = APIClient(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert http.get("/api/v1/applicants/A-100").status_code == 200

    services.revoke_key(second)

    assert http.get("/api/v1/applicants/A-100").status_code == 401
    assert shop_a.get("/api/v1/applicants/A-100").status_code == 200
