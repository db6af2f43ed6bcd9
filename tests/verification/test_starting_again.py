import pytest
from django.urls import reverse

from tests.factories import VerificationFactory
from verification.models import Status, Verification

pytestmark = pytest.mark.django_db


def test_set_after_a_retryable_rejection_starts_from_the_last_details(customer_client, customer):
    VerificationFactory(user=customer, status=Status.REJECTED, may_retry=True, surname="MÜLLER")

    customer_client.get(reverse("verification:start"))

    draft = Verification.objects.get(user=customer, status=Status.DRAFT)
    assert draft.surname == "MÜLLER"
    assert draft.document_number.startswith("P")


def test_set_after_a_final_rejection_starts_nothing(customer_client, customer):
    VerificationFactory(user=customer, status=Status.REJECTED, may_retry=False)

    response = customer_client.get(reverse("verification:start"))

    assert response["Location"] == reverse("verification:status")
    assert not Verification.objects.filter(status=Status.DRAFT).exists()


def test_status_page_after_a_rejection_offers_one_way_to_try_again(customer_client, customer):
    VerificationFactory(user=customer, status=Status.REJECTED, may_retry=True)

    page = customer_client.get(reverse("verification:status")).content.decode()

    assert page.count("Try again") == 1
    assert "Start a new application" not in page
