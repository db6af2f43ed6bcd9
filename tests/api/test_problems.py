"""Errors as RFC 9457 problem details with stable codes; unknown parameters refused; the
per-key rate limit answers 429 with Retry-After."""

import pytest

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:kyc-portal:problem:{code}"
    assert body["title"] and body["detail"]
    return body


def test_not_found_is_a_problem(shop_a):
    assert_problem(shop_a.get("/api/v1/applicants/nobody"), 404, "not_found")


def test_unknown_query_parameters_are_refused(shop_a, customer_of_a):
    body = assert_problem(
        shop_a.get("/api/v1/applicants/A-100", include="documents"), 400, "unknown_parameter"
    )
    assert "include" in body["detail"]
    assert_problem(shop_a.get("/api/v1/events", since="1"), 400, "unknown_parameter")


def test_bad_cursor_and_limit_are_refused(shop_a):
    body = assert_problem(shop_a.get("/api/v1/events", after="-1"), 400, "invalid_request")
    assert "after" in body["errors"]
    assert_problem(shop_a.get("/api/v1/events", limit="100000"), 400, "invalid_request")


def test_a_wrong_method_is_a_problem(shop_a, customer_of_a):
    assert_problem(shop_a.http().delete("/api/v1/applicants/A-100"), 405, "method_not_allowed")


def test_rate_limit_answers_429_with_retry_after(shop_a, shop_b, customer_of_a, settings):
    settings.API_RATE_LIMIT = "3/m/key"
    http = shop_a.http()
    answers = [http.get("/api/v1/applicants/A-100").status_code for _ in range(4)]

    limited = http.get("/api/v1/applicants/A-100")

    assert answers == [200, 200, 200, 429]
    assert_problem(limited, 429, "rate_limited")
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Per key: another client's key is not held back.
    assert shop_b.get("/api/v1/applicants/A-100").status_code == 404


def test_events_paginate_by_cursor(shop_a, customer_of_a, reviewer):
    from tests.factories import VerificationFactory
    from tests.notifications.conftest import claim, decide, submit

    application = VerificationFactory(user=customer_of_a)
    submit(application)
    claim(application, reviewer)
    decide(application, reviewer, "pass")

    first = shop_a.get("/api/v1/events", limit="2").json()
    rest = shop_a.get("/api/v1/events", after=first["next_cursor"]).json()
    nothing_new = shop_a.get("/api/v1/events", after=rest["next_cursor"]).json()

    assert [e["type"] for e in first["events"]] == ["applicant.submitted", "applicant.under_review"]
    assert first["has_more"] is True
    assert [e["type"] for e in rest["events"]] == ["applicant.passed"]
    assert rest["has_more"] is False
    assert nothing_new == {"events": [], "next_cursor": rest["next_cursor"], "has_more": False}
