"""Every page title reads "Page · KYC Portal", in English and in Chinese."""

import re

import pytest
from django.urls import reverse

from tests.review.factories import submitted_case

pytestmark = pytest.mark.django_db


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_user_center_title_has_a_separator(customer_client):
    response = customer_client.get(reverse("accounts:user_center"))

    assert title_of(response) == "User Center · KYC Portal"


def test_home_and_sign_in_titles_have_a_separator(client):
    assert title_of(client.get(reverse("home"))) == "Welcome · KYC Portal"
    assert title_of(client.get(reverse("account_login"))) == "Sign In · KYC Portal"
    assert title_of(client.get(reverse("account_signup"))) == "Signup · KYC Portal"


def test_review_case_title_has_a_separator(client, reviewer):
    case = submitted_case()
    client.force_login(reviewer)

    response = client.get(reverse("review:detail", args=[case.pk]))

    assert title_of(response) == f"Case #{case.pk} · KYC Portal"


def test_chinese_titles_use_the_same_separator(customer_client):
    customer_client.post(reverse("accounts:set_language"), {"language": "zh-hans"})

    assert title_of(customer_client.get(reverse("accounts:user_center"))) == "用户中心 · KYC 门户"
    assert (
        title_of(customer_client.get(reverse("verification:start"), follow=True))
        == "实名认证 · KYC 门户"
    )


def test_a_page_without_a_title_is_just_the_portal_name():
    from django.template import Context, Template

    rendered = Template(
        "{% load page_title %}{% page_title %}  {% endpage_title %}|"
        "{% page_title %}Messages{% endpage_title %}"
    ).render(Context())

    assert rendered == "KYC Portal|Messages · KYC Portal"
