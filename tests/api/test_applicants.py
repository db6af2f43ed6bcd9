"""GET /api/v1/applicants/{reference} and ?email=: the status fields and nothing personal."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import VerificationFactory
from tests.notifications.conftest import claim, decide, submit
from verification.models import Status

pytestmark = pytest.mark.django_db

FIELDS = {
    "reference",
    "email",
    "status",
    "action_required",
    "retry_allowed",
    "level",
    "document_country",
    "submitted_at",
    "passed_at",
    "valid_until",
    "expected_completion_at",
    "updated_at",
}


def test_lookup_by_reference_shows_status_fields_and_nothing_personal(shop_a, secret_application):
    due = timezone.now() + datetime.timedelta(days=1)
    secret_application.sla_due_at = due
    secret_application.save()

    response = shop_a.get("/api/v1/applicants/A-100")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == FIELDS
    assert body["reference"] == "A-100"
    assert body["status"] == "provided"
    assert body["level"] == "individual"
    assert body["document_country"] == "GB"
    assert body["expected_completion_at"] == due.isoformat()
    assert body["passed_at"] is None and body["retry_allowed"] is False
    text = response.content.decode()
    for secret in ("X12345678", "SECRETSURNAME", "HIDDEN", "1990-05-17"):
        assert secret not in text


def test_a_customer_without_an_application_is_not_submitted(shop_a, customer_of_a):
    body = shop_a.get("/api/v1/applicants/A-100").json()

    assert body["status"] == "not_submitted"
    assert body["level"] is None and body["submitted_at"] is None


def test_pass_shows_passed_at_and_valid_until(shop_a, customer_of_a, reviewer):
    application = VerificationFactory(user=customer_of_a)
    submit(application)
    claim(application, reviewer)
    decide(application, reviewer, "pass")

    body = shop_a.get("/api/v1/applicants/A-100").json()

    application.refresh_from_db()
    assert body["status"] == "passed"
    assert body["passed_at"] == application.decided_at.isoformat()
    assert body["valid_until"] == application.valid_until.isoformat()
    assert body["expected_completion_at"] is None


def test_supplement_request_reads_under_review_with_action_required(
    shop_a, customer_of_a, reviewer
):
    application = VerificationFactory(user=customer_of_a)
    submit(application)
    claim(application, reviewer)
    decide(application, reviewer, "supplement", requested_items=["field:surname"])

    body = shop_a.get("/api/v1/applicants/A-100").json()

    assert body["status"] == "under_review"
    assert body["action_required"] is True
    assert body["expected_completion_at"] is None  # the customer's turn


def test_rejection_with_retry_allowed(shop_a, customer_of_a, reviewer):
    application = VerificationFactory(user=customer_of_a)
    submit(application)
    claim(application, reviewer)
    decide(application, reviewer, "reject", final=False)

    body = shop_a.get("/api/v1/applicants/A-100").json()

    assert (body["status"], body["retry_allowed"]) == (Status.REJECTED.value, True)


def test_lookup_by_exact_email(shop_a, customer_of_a):
    found = shop_a.get("/api/v1/applicants", email=customer_of_a.email.upper())
    partial = shop_a.get("/api/v1/applicants", email=customer_of_a.email[:-4])

    assert found.status_code == 200 and found.json()["reference"] == "A-100"
    assert partial.status_code == 404


def test_there_is_no_listing_of_everyone(shop_a, customer_of_a):
    response = shop_a.get("/api/v1/applicants")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert customer_of_a.email not in response.content.decode()


def test_erased_customers_are_not_found(shop_a, customer_of_a):
    customer_of_a.is_active = False
    customer_of_a.save()

    assert shop_a.get("/api/v1/applicants/A-100").status_code == 404
