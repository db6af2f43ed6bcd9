import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_user_center_shows_email_password_two_step_and_real_name_authentication(
    customer_client, customer
):
    page = customer_client.get(reverse("accounts:user_center")).content.decode()

    assert customer.email in page
    assert "Real-name authentication" in page
    assert reverse("verification:start") in page
    assert "Set" in page
    assert reverse("account_change_password") in page
    assert reverse("mfa_index") in page


def test_every_page_has_my_account_with_user_center(customer_client):
    page = customer_client.get(reverse("home")).content.decode()

    assert "My Account" in page
    assert "User Center" in page


def test_user_center_needs_sign_in(client):
    response = client.get(reverse("accounts:user_center"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_switching_to_chinese_translates_pages_and_is_remembered(customer_client, customer):
    response = customer_client.post(
        reverse("accounts:set_language"), {"language": "zh-hans", "next": "/user-center/"}
    )
    page = customer_client.get(reverse("accounts:user_center")).content.decode()

    assert response["Location"] == "/user-center/"
    assert "用户中心" in page
    assert "实名认证" in page
    customer.refresh_from_db()
    assert customer.preferred_language == "zh-hans"


def test_language_switch_never_redirects_off_site(client):
    response = client.post(
        reverse("accounts:set_language"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_inquiry_login_user_center_offers_nothing_that_changes_data(client, inquiry):
    client.force_login(inquiry)

    page = client.get(reverse("accounts:user_center")).content.decode()

    assert inquiry.email in page
    assert reverse("verification:start") not in page
    assert reverse("account_email") not in page
    assert "Real-name authentication" not in page


def test_user_center_answers_post_with_method_not_allowed(customer_client):
    assert customer_client.post(reverse("accounts:user_center")).status_code == 405


def test_adding_an_email_address_with_an_invisible_character_is_refused(customer_client, customer):
    # Staff pages show customers' addresses: a right-to-left override would reorder them.
    response = customer_client.post(
        reverse("account_email"), {"action_add": "", "email": "jane@exam\u202eple.com"}
    )

    assert response.status_code == 200
    assert "contains an invisible character (U+202E)" in response.content.decode()
    assert list(customer.emailaddress_set.values_list("email", flat=True)) == [customer.email]
