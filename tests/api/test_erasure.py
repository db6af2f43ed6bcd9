"""An erased customer is no longer linked to the shop's reference: the reference row goes, the
lookup answers 404 as for a stranger, and the shop's past events and hand-off links keep no
reference or address of the person."""

import datetime

import pytest
from django.utils import timezone

from api import handoff
from api.models import ClientCustomer, ClientEvent, Invitation
from privacy.services import erase_account
from tests.factories import UserFactory, VerificationFactory
from verification.status import change_status

pytestmark = pytest.mark.django_db


def test_erasure_deletes_the_reference_and_the_lookup_answers_404(shop_a, customer_of_a):
    email = customer_of_a.email
    assert shop_a.get("/api/v1/applicants/A-100").status_code == 200

    erase_account(customer_of_a)

    assert not ClientCustomer.objects.filter(user=customer_of_a).exists()
    assert shop_a.get("/api/v1/applicants/A-100").status_code == 404
    assert shop_a.get("/api/v1/applicants", email=email).status_code == 404


def test_other_customers_references_stay(shop_a, customer_of_a):
    other = UserFactory()
    ClientCustomer.objects.create(client=shop_a.client, user=other, reference="A-200")

    erase_account(customer_of_a)

    assert shop_a.get("/api/v1/applicants/A-200").status_code == 200


def test_past_events_keep_the_status_but_not_the_reference_or_address(shop_a, customer_of_a):
    email = customer_of_a.email
    application = VerificationFactory(user=customer_of_a, status="draft")
    change_status(application.pk, "provided", actor=customer_of_a)
    other = UserFactory()
    ClientCustomer.objects.create(client=shop_a.client, user=other, reference="A-200")
    change_status(VerificationFactory(user=other).pk, "provided", actor=other)

    erase_account(customer_of_a)

    events = {e.user_id: e for e in ClientEvent.objects.filter(client=shop_a.client)}
    assert set(events) == {customer_of_a.pk, other.pk}  # the withdrawal made no event
    erased = events[customer_of_a.pk].data
    assert erased["status"] == "provided"
    assert erased["reference"] is None and email not in str(erased)
    assert events[other.pk].data["reference"] == "A-200"
    listed = shop_a.get("/api/v1/events").content.decode()
    assert email not in listed and "A-100" not in listed and "A-200" in listed


def test_hand_off_links_lose_the_address_and_who_used_them(shop_a, customer_of_a):
    used = handoff.create_invitation(shop_a.client, reference="A-100")
    handoff.accept(used.pk, customer_of_a)  # the existing reference, attached again: allowed
    waiting = Invitation.objects.create(
        client=shop_a.client,
        reference="A-101",
        email=customer_of_a.email.upper(),
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    for_someone_else = handoff.create_invitation(
        shop_a.client, reference="A-300", email="someone.else@example.com"
    )

    erase_account(customer_of_a)

    used.refresh_from_db(), waiting.refresh_from_db(), for_someone_else.refresh_from_db()
    assert used.used_by is None and waiting.email == ""
    assert for_someone_else.email == "someone.else@example.com"
