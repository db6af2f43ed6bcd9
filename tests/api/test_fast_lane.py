"""API requests skip the page middleware (api.middleware.ApiFastLaneMiddleware) but keep what
an API request needs from it: the Host check, the language, the security headers, a risk event
for a 429; they never touch a session."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import RiskEvent

pytestmark = pytest.mark.django_db


def test_the_answer_follows_accept_language(shop_a):
    http = shop_a.http()

    chinese = http.get("/api/v1/applicants/nobody", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = http.get("/api/v1/applicants/nobody", HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.json()["detail"] == "您的密钥下没有该客户编号或邮箱对应的申请人。"
    assert english.json()["detail"].startswith("No applicant")
    assert chinese["Content-Language"] == "zh-hans"
    assert "Accept-Language" in chinese["Vary"]


def test_a_host_not_allowed_is_refused(shop_a, customer_of_a, settings):
    settings.ALLOWED_HOSTS = ["kyc.example.com"]

    refused = shop_a.http().get("/api/v1/applicants/A-100", HTTP_HOST="evil.example")
    allowed = shop_a.http().get("/api/v1/applicants/A-100", HTTP_HOST="kyc.example.com")

    assert (refused.status_code, allowed.status_code) == (400, 200)


def test_security_headers_stay_and_no_session_is_touched(client, shop_a, customer_of_a):
    client.force_login(customer_of_a)  # a browser that also holds a portal session
    answer = client.get("/api/v1/applicants/A-100", HTTP_AUTHORIZATION=f"Api-Key {shop_a.key}")

    assert answer.status_code == 200
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in answer
    assert not answer.cookies  # no session saved, no CSRF cookie


def test_a_429_is_still_a_risk_event(shop_a, customer_of_a, settings):
    settings.API_RATE_LIMIT = "1/m/key"
    http = shop_a.http()
    http.get("/api/v1/applicants/A-100")

    assert http.get("/api/v1/applicants/A-100").status_code == 429
    assert RiskEvent.objects.filter(kind=RiskEvent.Kind.OTHER_RATE_LIMITED).count() == 1


def test_pages_under_api_still_go_down_the_whole_chain(shop_a, settings):
    # The hand-off link needs the session; an unknown API path is Django's own 404.
    body = {"reference": "A-7"}
    link = shop_a.http().post("/api/v1/invitations", body, format="json").json()["url"]
    follow = Client().get("/" + link.split("://", 1)[1].split("/", 1)[1])

    assert follow.status_code == 302 and settings.SESSION_COOKIE_NAME in follow.cookies
    assert APIClient().get("/api/v1/nothing-here").status_code == 404
